import type { PGlite } from '@electric-sql/pglite';
import { buildApp } from './app.js';
import type { Config } from './config/config.js';

/** Builds the app, listens, and shuts down on SIGTERM/SIGINT; `pglite` is the embedded database the entry point started opening. */
export async function runServer(config: Config, pglite: Promise<PGlite> | undefined): Promise<void> {
  const app = await buildApp(config, { databaseOptions: { pglite } });
  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    app.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    const force = setTimeout(() => {
      app.log.error({ graceMs: config.http.shutdownGraceMs }, 'grace period over; exiting with requests unfinished');
      process.exit(1);
    }, config.http.shutdownGraceMs);
    force.unref();
    app.close().then(
      () => {
        app.log.info('shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        app.log.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
}
