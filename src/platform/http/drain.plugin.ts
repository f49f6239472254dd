import { Server as NetServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Shutdown waits for this long without a request arriving before it closes idle keep-alive connections. */
export const DRAIN_QUIET_MS = 300;

/**
 * Graceful shutdown without resetting keep-alive connections. Node's `server.close()` destroys
 * idle keep-alive sockets at once, so a client that had just sent its next request on one sees
 * ECONNRESET for a request nobody read. Instead, when the app closes: stop accepting new
 * connections, answer every request still arriving on open ones with `Connection: close` (the
 * client then opens a new connection, which is refused), and close what is left only once no
 * request has arrived for DRAIN_QUIET_MS (at most `maxDrainMs`). Then Fastify's own close
 * finishes the requests in flight and runs the onClose hooks.
 */
export const drainPlugin = fp(
  async (app: FastifyInstance, { maxDrainMs }: { maxDrainMs: number }) => {
    let draining = false;
    let lastArrival = 0;

    app.addHook('onRequest', async (_request, reply) => {
      if (!draining) return;
      lastArrival = Date.now();
      reply.header('connection', 'close');
    });

    app.addHook('preClose', async () => {
      if (!app.server.listening) return;
      draining = true;
      lastArrival = Date.now();
      // The listening socket only: open connections stay until they finish or go quiet.
      NetServer.prototype.close.call(app.server);
      const deadline = Date.now() + maxDrainMs;
      while (Date.now() < deadline && Date.now() - lastArrival < DRAIN_QUIET_MS) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
  },
  { name: 'drain' },
);
