import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter } from 'prom-client';
import type { Config } from '../../config/config.js';
import { AppError } from '../errors/app-error.js';

/** How often the event loop's lateness is read, and how long a sample of it lasts. */
const TICK_MS = 50;
const SAMPLE_MS = 500;

/**
 * Answers 503 with Retry-After while the process is overloaded (event-loop delay, heap or
 * RSS over their limits), so it degrades instead of falling over. Health routes stay
 * answerable so a load balancer can see the state.
 *
 * The event-loop delay counts only when it lasts: over the limit in two samples in a row (the
 * largest lateness of a 50-ms timer in each 500 ms). One long synchronous step (a large query of
 * the embedded database, which runs on the main thread, or a long garbage collection) is not
 * overload, and shedding the requests that queued behind it would only turn a late answer into
 * an error; overload keeps every sample over the limit. The same timer measures the lateness and
 * closes the samples, so a step's delay lands in exactly one sample (perf_hooks' delay histogram,
 * read and reset by a timer of its own, could lose it or count it in the wrong sample, depending
 * on which of the two timers ran first after the step).
 */
export const loadSheddingPlugin = fp(
  async (app: FastifyInstance, { config }: { config: Config }) => {
    const { maxEventLoopDelayMs, maxHeapUsedBytes, maxRssBytes } = config.loadShedding;
    if (!maxEventLoopDelayMs && !maxHeapUsedBytes && !maxRssBytes) return;

    const shed = new Counter({ name: 'load_shed_total', help: 'Requests answered 503 because the process was overloaded', labelNames: ['reason'] as const, registers: [app.metrics] });
    let overloaded: string | null = null;
    let delayedBefore = false;
    let lastTick = performance.now();
    let sampleStart = lastTick;
    let sampleDelayMs = 0;

    const tick = setInterval(() => {
      const now = performance.now();
      sampleDelayMs = Math.max(sampleDelayMs, now - lastTick - TICK_MS);
      lastTick = now;
      if (now - sampleStart < SAMPLE_MS) return;
      const delayed = maxEventLoopDelayMs > 0 && sampleDelayMs > maxEventLoopDelayMs;
      sampleStart = now;
      sampleDelayMs = 0;
      const sustained = delayed && delayedBefore;
      delayedBefore = delayed;
      const memory = process.memoryUsage();
      if (sustained) overloaded = 'event_loop_delay';
      else if (maxHeapUsedBytes && memory.heapUsed > maxHeapUsedBytes) overloaded = 'heap';
      else if (maxRssBytes && memory.rss > maxRssBytes) overloaded = 'rss';
      else overloaded = null;
    }, TICK_MS);
    tick.unref();
    app.addHook('onClose', async () => {
      clearInterval(tick);
    });

    // Every request, unknown routes included; callback style, so a request costs one comparison while not overloaded.
    app.addHook('onRequest', (request, _reply, done) => {
      if (!overloaded || request.url.startsWith('/api/v1/health')) return done();
      shed.inc({ reason: overloaded });
      done(new AppError('ServiceUnavailable', 'overloaded', 'The server is overloaded; try again shortly.', { reason: overloaded }, { 'retry-after': '2' }));
    });
  },
  { name: 'load-shedding', dependencies: ['metrics'] },
);
