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
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // OpenTelemetry is imported only when tracing is switched on: left out, it costs nothing otherwise.
  external: ['@electric-sql/pglite', '@node-rs/argon2', 'pg-native', 'pino', 'pino-pretty', 'thread-stream', '@fastify/swagger-ui', '@opentelemetry/*'],
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
};

await build({
  ...common,
  entryPoints: ['src/server.ts'],
  outdir: 'dist/src',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
});

await build({
  ...common,
  entryPoints: ['src/modules/imports/imports.parse-worker.ts'],
  outfile: 'dist/src/modules/imports/imports.parse-worker.js',
});
