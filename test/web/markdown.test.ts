import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown } from '../../web/src/lib/markdown.js';

describe('the Markdown of notes and journal entries', () => {
  it('reads headings, paragraphs with line breaks, lists, quotes and fenced code', () => {
    const text = '# Plan\nWait for the open.\nThen size down.\n\n- one\n- two\n\n1. first\n2) second\n\n> stay patient\n\n```\nentry = 101.5\n```';
    expect(parseMarkdown(text)).toEqual([
      { type: 'heading', level: 1, children: [{ type: 'text', text: 'Plan' }] },
      { type: 'paragraph', children: [{ type: 'text', text: 'Wait for the open.' }, { type: 'break' }, { type: 'text', text: 'Then size down.' }] },
      { type: 'list', ordered: false, items: [[{ type: 'text', text: 'one' }], [{ type: 'text', text: 'two' }]] },
      { type: 'list', ordered: true, items: [[{ type: 'text', text: 'first' }], [{ type: 'text', text: 'second' }]] },
      { type: 'quote', children: [{ type: 'text', text: 'stay patient' }] },
      { type: 'code', text: 'entry = 101.5' },
    ]);
  });

  it('reads bold, italic, code and links, nested', () => {
    expect(parseInline('**held _through_ lunch**, `ES` at [chart](https://example.com/c?id=1)')).toEqual([
      { type: 'strong', children: [{ type: 'text', text: 'held ' }, { type: 'em', children: [{ type: 'text', text: 'through' }] }, { type: 'text', text: ' lunch' }] },
      { type: 'text', text: ', ' },
      { type: 'code', text: 'ES' },
      { type: 'text', text: ' at ' },
      { type: 'link', href: 'https://example.com/c?id=1', children: [{ type: 'text', text: 'chart' }] },
    ]);
  });

  it('keeps links to anything but http(s) and mailto as text, and HTML as text', () => {
    expect(parseInline('[x](javascript:alert(1))')).toEqual([{ type: 'text', text: '[x](javascript:alert(1))' }]);
    expect(parseInline('[x](data:text/html,hi)')).toEqual([{ type: 'text', text: '[x](data:text/html,hi)' }]);
    expect(parseMarkdown('<img src=x onerror=alert(1)>')).toEqual([{ type: 'paragraph', children: [{ type: 'text', text: '<img src=x onerror=alert(1)>' }] }]);
  });

  it('leaves lone markers, escaped markers and arithmetic as they are', () => {
    expect(parseInline('2 * 3 * 4, MES_Z25_A and \\*not\\* italic')).toEqual([{ type: 'text', text: '2 * 3 * 4, MES_Z25_A and *not* italic' }]);
    expect(parseInline('**')).toEqual([{ type: 'text', text: '**' }]);
    expect(parseMarkdown('  \n\n')).toEqual([]);
  });
});
