import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ServerSpan, Tracing } from './tracing.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span when tracing is on, else null. */
    trace: ServerSpan | null;
  }
}

/** A server span per request when tracing is on; without tracing it adds no hook at all. */
export const tracingPlugin = fp(
  async (app: FastifyInstance, { tracing }: { tracing: Tracing | undefined }) => {
    app.decorateRequest('trace', null);
    if (!tracing) return;
    app.addHook('onRequest', async (request) => {
      request.trace = tracing.startRequest(request);
    });
    app.addHook('onResponse', async (request, reply) => {
      request.trace?.end(reply.statusCode, request.routeOptions.url);
      request.trace = null;
    });
    app.addHook('onRequestAbort', async (request) => {
      // The client went away before an answer: 499, as proxies log it.
      request.trace?.end(499, request.routeOptions.url);
      request.trace = null;
    });
    app.addHook('onClose', async () => tracing.shutdown());
  },
  { name: 'tracing' },
);
