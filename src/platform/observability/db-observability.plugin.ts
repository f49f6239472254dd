import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge, Histogram } from 'prom-client';
import type { Database } from '../db/database.js';
import type { SpanAttributes } from './request-context.js';
import { runInRequestContext, startTiming } from './request-context.js';

export const SLOW_QUERY_WARN_MS = 100;
export const SLOW_QUERY_ERROR_MS = 1000;

/**
 * Query durations by statement name (histogram), pool gauges, the slow-query log (warn over
 * 100 ms, error over 1 s: the statement's name, never its parameters), and the `db` phase
 * of each request's Server-Timing.
 */
export const dbObservabilityPlugin = fp(
  async (app: FastifyInstance, { database }: { database: Database }) => {
    const duration = new Histogram({
      name: 'db_query_duration_seconds',
      help: 'Database query duration by statement name',
      labelNames: ['statement', 'outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [app.metrics],
    });
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state',
      labelNames: ['state'] as const,
      registers: [app.metrics],
      collect() {
        const stats = database.poolStats();
        this.set({ state: 'in_use' }, stats.total - stats.idle);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });

    // One span description per statement name (a bounded set), so tracing allocates nothing per query.
    const spans = new Map<string, { name: string; attributes: SpanAttributes }>();
    const spanOf = (statement: string) => {
      let span = spans.get(statement);
      if (!span) {
        span = { name: statement, attributes: { 'db.system.name': 'postgresql', 'db.query.summary': statement, 'db.driver': database.driver } };
        spans.set(statement, span);
      }
      return span;
    };

    database.setQueryObserver((statement) => {
      const stop = startTiming('db', spanOf(statement));
      return (failed) => {
        const ms = stop(failed);
        duration.observe({ statement, outcome: failed ? 'error' : 'ok' }, ms / 1000);
        if (ms >= SLOW_QUERY_ERROR_MS) app.log.error({ statement, durationMs: Math.round(ms) }, 'very slow query');
        else if (ms >= SLOW_QUERY_WARN_MS) app.log.warn({ statement, durationMs: Math.round(ms) }, 'slow query');
      };
    });
    app.addHook('onClose', async () => database.setQueryObserver(undefined));

    // Callback style on purpose: everything after `done` runs inside the request's context.
    app.addHook('onRequest', (request, _reply, done) => {
      runInRequestContext({ timings: request.timings, trace: request.trace }, done);
    });
  },
  { name: 'db-observability', dependencies: ['metrics', 'http', 'tracing'] },
);
