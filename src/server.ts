import { ConfigError, loadConfig } from './config/config.js';
import { openPglite } from './platform/db/pglite.js';

/**
 * The entry point loads only the configuration and the embedded database's opener, so PGlite's
 * WebAssembly compiles on V8's background threads and its data files are read while the main
 * thread loads the rest of the server (./main.js, a chunk of its own in the bundle).
 */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const pglite = config.database.url ? undefined : openPglite(config);
  // Awaited by buildApp; until then a failed open must not end the process as an unhandled rejection.
  pglite?.catch(() => undefined);
  const { runServer } = await import('./main.js');
  await runServer(config, pglite);
}

main().catch((error: unknown) => {
  process.stderr.write(`TradeSense failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
