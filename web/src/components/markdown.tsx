import type { ReactNode } from 'react';
import { parseMarkdown } from '../lib/markdown';
import type { Block, Inline } from '../lib/markdown';

function inlines(nodes: Inline[]): ReactNode[] {
  return nodes.map((node, i) => {
    switch (node.type) {
      case 'text':
        return node.text;
      case 'break':
        return <br key={i} />;
      case 'code':
        return <code key={i}>{node.text}</code>;
      case 'strong':
        return <strong key={i}>{inlines(node.children)}</strong>;
      case 'em':
        return <em key={i}>{inlines(node.children)}</em>;
      case 'link':
        return (
          <a key={i} href={node.href} target="_blank" rel="noopener noreferrer nofollow">
            {inlines(node.children)}
          </a>
        );
    }
  });
}

function block(node: Block, i: number): ReactNode {
  switch (node.type) {
    case 'heading': {
      const Tag = (['h3', 'h4', 'h5'] as const)[node.level - 1]!;
      return <Tag key={i}>{inlines(node.children)}</Tag>;
    }
    case 'paragraph':
      return <p key={i}>{inlines(node.children)}</p>;
    case 'quote':
      return <blockquote key={i}>{inlines(node.children)}</blockquote>;
    case 'code':
      return (
        <pre key={i}>
          <code>{node.text}</code>
        </pre>
      );
    case 'list': {
      const items = node.items.map((item, j) => <li key={j}>{inlines(item)}</li>);
      return node.ordered ? <ol key={i}>{items}</ol> : <ul key={i}>{items}</ul>;
    }
  }
}

/** Markdown rendered as elements (never as HTML); headings start at h3 so they sit under the page's own. */
export function Markdown({ text, label }: { text: string; label: string }) {
  if (text.trim() === '') return null;
  return (
    <div className="markdown" aria-label={label} role="region">
      {parseMarkdown(text).map(block)}
    </div>
  );
}
