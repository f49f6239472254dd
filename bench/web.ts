/**
 * Web bundle bench: `npx tsx bench/web.ts` builds the web app (vite, production) and prints the
 * gzipped bytes a browser downloads for the first screen — index.html, the entry chunk with its
 * static imports and CSS, and the dashboard route's chunk — against the 250 KB goal, then every
 * lazy chunk (the chart library loads after the numbers show).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { root } from './lib.js';

const GOAL_BYTES = 250 * 1024;
const dist = path.join(root, 'dist', 'web');

interface Chunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

const gz = (file: string) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function main() {
  await build({ configFile: path.join(root, 'web', 'vite.config.ts'), logLevel: 'error' });
  const manifest = JSON.parse(readFileSync(path.join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<string, Chunk>;

  /** A chunk and everything it imports statically (what the browser fetches before it runs). */
  const closure = (key: string, into = new Set<string>()) => {
    const chunk = manifest[key];
    if (!chunk || into.has(chunk.file)) return into;
    into.add(chunk.file);
    for (const css of chunk.css ?? []) into.add(css);
    for (const dep of chunk.imports ?? []) closure(dep, into);
    return into;
  };
  const entry = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
  const firstScreen = closure('src/pages/dashboard.tsx', closure(entry));
  firstScreen.add('index.html');
  const files = [...firstScreen].map((file) => ({ file, bytes: gz(file) })).sort((a, b) => b.bytes - a.bytes);
  const total = files.reduce((sum, f) => sum + f.bytes, 0);

  console.log(`\nTradeSense web bundle — ${new Date().toISOString()}, node ${process.version}\n`);
  console.log('first screen (signed in, /dashboard), gzip -9:');
  for (const f of files) console.log(`  ${f.file.padEnd(44)} ${kb(f.bytes).padStart(10)}`);
  console.log(`  ${'total'.padEnd(44)} ${kb(total).padStart(10)}   goal ≤ ${kb(GOAL_BYTES)}: ${total <= GOAL_BYTES ? 'met' : 'MISSED'}`);
  console.log('\nloaded later (lazy routes and the chart library):');
  const later = new Set(Object.values(manifest).map((c) => c.file).filter((f) => !firstScreen.has(f) && f.endsWith('.js')));
  for (const file of [...later].sort()) console.log(`  ${file.padEnd(44)} ${kb(gz(file)).padStart(10)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
