import { Server as NetServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Shutdown waits for this long without a request arriving before it closes idle keep-alive
 * connections. A client that is itself short of CPU can sit for hundreds of milliseconds between
 * reading an answer and sending its next request on the same socket: at 300 ms, the
 * SIGTERM-under-load test saw one such socket closed under its request (ECONNRESET) in about one
 * run of ten on a machine at load 10-20.
 */
export const DRAIN_QUIET_MS = 1_000;

/**
 * Graceful shutdown without resetting keep-alive connections. Node's `server.close()` destroys
 * idle keep-alive sockets at once, so a client that had just sent its next request on one sees
 * ECONNRESET for a request nobody read. Instead, when the app closes: stop accepting new
 * connections, answer every request still arriving on open ones with `Connection: close` (the
 * client then opens a new connection, which is refused), and close what is left only once no
 * request has arrived for DRAIN_QUIET_MS (at most `maxDrainMs`), or at once when no connection
 * is left open. Then Fastify's own close finishes the requests in flight and runs the onClose
 * hooks.
 */
const openConnections = (app: FastifyInstance) =>
  new Promise<number>((resolve) => app.server.getConnections((error, count) => resolve(error ? 0 : count)));

export const drainPlugin = fp(
  async (app: FastifyInstance, { maxDrainMs }: { maxDrainMs: number }) => {
    let draining = false;
    let lastArrival = 0;

    // A callback hook, not an async one: it runs on every request and needs no promise.
    app.addHook('onRequest', (_request, reply, done) => {
      if (draining) {
        lastArrival = Date.now();
        reply.header('connection', 'close');
      }
      done();
    });

    app.addHook('preClose', async () => {
      if (!app.server.listening) return;
      draining = true;
      lastArrival = Date.now();
      // The listening socket only: open connections stay until they finish or go quiet.
      NetServer.prototype.close.call(app.server);
      const deadline = Date.now() + maxDrainMs;
      while (Date.now() < deadline && Date.now() - lastArrival < DRAIN_QUIET_MS && (await openConnections(app)) > 0) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
  },
  { name: 'drain' },
);
