/**
 * Bundles the server (dist/src/server.js, replacing tsc's entry point): a few files to load
 * instead of hundreds of module resolutions at start. Packages that load files of their own at
 * run time (WASM, native addons, worker threads, static assets) stay external. The entry point
 * is small and imports the rest (src/main.ts) dynamically, which esbuild makes a chunk of its
 * own (dist/src/chunks/): the entry starts opening the embedded database before that chunk loads.
 *
 * The import parse worker's entry is bundled on its own, in place of tsc's file at the same
 * path (the pipeline starts dist/src/modules/imports/imports.parse-worker.js): a worker thread
 * loads one file instead of the parsing modules one by one.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

// Chunk names carry a content hash: without this, every build would leave the previous ones behind.
rmSync('dist/src/chunks', { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  write: false,
  logLevel: 'warning',
  // OpenTelemetry is imported only when tracing is switched on: left out, it costs nothing otherwise.
  external: ['@electric-sql/pglite', '@node-rs/argon2', 'pg-native', 'pino', 'pino-pretty', 'thread-stream', '@fastify/swagger-ui', '@opentelemetry/*'],
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
};

const builds = await Promise.all([
  build({ ...common, entryPoints: ['src/server.ts'], outdir: 'dist/src', chunkNames: 'chunks/[name]-[hash]', splitting: true }),
  build({ ...common, entryPoints: ['src/modules/imports/imports.parse-worker.ts'], outfile: 'dist/src/modules/imports/imports.parse-worker.js' }),
]);

/**
 * esbuild writes every non-ASCII character of code as an escape (its default `charset: 'ascii'`)
 * but keeps comments as they are, and a few comments (ours and dependencies') hold characters
 * such as "−" or "≈". One such character makes Node decode the whole 4.8 MB main chunk as UTF-16
 * instead of Latin-1, and V8 scan twice the bytes: about a tenth of the chunk's load time. Each
 * of them (each UTF-16 unit, so source-map columns stay true) becomes "?" in the files written.
 */
for (const file of builds.flatMap((b) => b.outputFiles)) {
  mkdirSync(path.dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.path.endsWith('.js') ? file.text.replace(/[\u0080-\uffff]/g, '?') : file.contents);
}
