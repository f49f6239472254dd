/**
 * Bundles the server into one ESM file (dist/src/server.js, replacing tsc's entry point): one
 * file to load instead of hundreds of module resolutions at start. Packages that load files
 * of their own at run time (WASM, native addons, worker threads, static assets) stay external.
 */
import { build } from 'esbuild';

await build({
  entryPoints: ['src/server.ts'],
  outfile: 'dist/src/server.js',
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
});
