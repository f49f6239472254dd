import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'vite';
import { projectRoot } from '../../src/lib/paths.js';

export const webSourceDir = path.join(projectRoot, 'web');
export const webDistDir = path.join(projectRoot, 'dist', 'web');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the web app into dist/web unless the build there is newer than every source file (as `npm run build:web` would). */
export async function ensureWebBuilt(): Promise<string> {
  const index = path.join(webDistDir, 'index.html');
  if (!existsSync(index) || statSync(index).mtimeMs < newestMtime(webSourceDir)) {
    await build({ configFile: path.join(webSourceDir, 'vite.config.ts'), logLevel: 'error' });
  }
  return webDistDir;
}
