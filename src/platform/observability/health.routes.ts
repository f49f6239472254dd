import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import type { EventBus } from '../events/event-bus.js';
import { appVersion } from '../../lib/paths.js';

const Health = Type.Object({
  status: Type.Literal('ok'),
  version: Type.String(),
  uptimeSeconds: Type.Number(),
});

const Check = Type.Object({ status: Type.Union([Type.Literal('ok'), Type.Literal('down')]), latencyMs: Type.Number(), error: Type.Optional(Type.String()) });
const Ready = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('degraded'), Type.Literal('unavailable')]),
  checks: Type.Object({ database: Check, cache: Check, events: Check }),
});

const DbHealth = Type.Object({
  driver: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
  pool: Type.Object({ total: Type.Integer(), idle: Type.Integer(), waiting: Type.Integer() }),
  readReplica: Type.Boolean(),
});

export const CacheStats = Type.Object({
  backend: Type.Union([Type.Literal('memory'), Type.Literal('redis')]),
  hits: Type.Integer(),
  misses: Type.Integer(),
  hitRate: Type.Union([Type.Number(), Type.Null()]),
  entries: Type.Union([Type.Integer(), Type.Null()]),
  errors: Type.Integer(),
});

async function timed(fn: () => Promise<void>, timeoutMs: number) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'ok' as const, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  } catch (error) {
    return { status: 'down' as const, latencyMs: Math.round((performance.now() - started) * 100) / 100, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export async function healthRoutes(app: FastifyInstance, { database, cache, events, startedAt }: { database: Database; cache: Cache; events: Pick<EventBus, 'healthy'>; startedAt: number }) {
  const tags = ['health'];
  app.get('/health', { config: { public: true, rateLimit: false }, schema: { tags, summary: 'Liveness', response: { 200: Health } } }, async () => ({
    status: 'ok' as const,
    version: appVersion,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 10) / 100,
  }));

  app.get(
    '/health/ready',
    {
      config: { public: true, rateLimit: false },
      schema: {
        tags,
        summary: 'Readiness: the database, the cache and the event bus answer',
        description:
          'ready: all answer. degraded: the database answers but Redis does not: the service keeps serving from the database, while live events reach only the sockets of the process that published them. ' +
          'unavailable (503): the database does not answer.',
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_request, reply) => {
      const [dbCheck, cacheCheck] = await Promise.all([timed(() => database.ping(), 2000), timed(() => cache.ping(), 1000)]);
      const eventsCheck = events.healthy() ? { status: 'ok' as const, latencyMs: 0 } : { status: 'down' as const, latencyMs: 0, error: 'Redis pub/sub is not connected' };
      const status = dbCheck.status === 'down' ? 'unavailable' : cacheCheck.status === 'down' || eventsCheck.status === 'down' ? 'degraded' : 'ready';
      reply.code(status === 'unavailable' ? 503 : 200);
      return { status, checks: { database: dbCheck, cache: cacheCheck, events: eventsCheck } } as const;
    },
  );

  app.get('/health/db', { config: { public: true, rateLimit: false }, schema: { tags, summary: 'Database driver and pool', response: { 200: DbHealth } } }, async () => ({
    driver: database.driver,
    pool: database.poolStats(),
    readReplica: database.readDb !== database.db,
  }));

  app.get('/health/cache-stats', { config: { public: true, rateLimit: false }, schema: { tags, summary: 'Cache backend and hit rate', response: { 200: CacheStats } } }, async () =>
    cache.stats(),
  );
}
