import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityEvents, trades } from '../../../src/db/schema/index.js';
import { rebuildDailyAggregates } from '../../../src/modules/trades/trades.repository.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope, usingRedis } from '../../helpers/app.js';
import { addTrade, createAccount, getJson } from '../analytics/analytics-helpers.js';

let t: TestApp;
let admin: TestUser;
let user: TestUser;
// A prefix of this file's own, so its flushes never touch the keys of test files running beside it.
const prefix = `ts-admin-${randomUUID().slice(0, 8)}:`;

beforeAll(async () => {
  t = await buildTestApp({ CACHE_KEY_PREFIX: prefix, RATE_LIMIT_ADMIN: '100000/60' });
  admin = await createUser(t, { role: 'admin' });
  user = await createUser(t);
});
afterAll(() => t.close());

const routes = [
  { method: 'GET' as const, url: '/api/v1/admin/status' },
  { method: 'POST' as const, url: '/api/v1/admin/cache/flush' },
  { method: 'POST' as const, url: '/api/v1/admin/maintenance', payload: { actions: ['analyze'] } },
];

async function adminEvents(who: TestUser) {
  return t.database.db
    .select({ type: securityEvents.type, details: securityEvents.details, createdAt: securityEvents.createdAt })
    .from(securityEvents)
    .where(and(eq(securityEvents.userId, who.id), eq(securityEvents.type, 'admin_action')))
    .orderBy(securityEvents.createdAt);
}

describe('admin routes', () => {
  it.each(routes)('$method $url answers 403 to a user and 401 to nobody, and records nothing', async (route) => {
    const forbidden = await call(t, user, route);
    expect(forbidden.statusCode).toBe(403);
    expectEnvelope(forbidden.json(), 'forbidden');
    const anonymous = await call(t, null, route);
    expect(anonymous.statusCode).toBe(401);
    expectEnvelope(anonymous.json());
    expect(await adminEvents(user)).toEqual([]);
  });

  it('are in the admin rate-limit class', async () => {
    const res = await call(t, admin, { method: 'GET', url: '/api/v1/admin/status' });
    expect(res.headers['ratelimit-limit']).toBe('100000');
  });
});

describe('GET /admin/status', () => {
  it('reports version, pool, cache, imports, slowest routes and queries with percentiles, and a score with reasons', async () => {
    const account = await createAccount(t, user);
    await addTrade(t, user, account, { openAt: '2025-01-02T15:00:00Z', closeAt: '2025-01-02T16:00:00Z', entry: '10', exit: '12' });
    for (let i = 0; i < 3; i++) await getJson(t, user, '/api/v1/analytics/summary');

    const res = await call(t, admin, { method: 'GET', url: '/api/v1/admin/status' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(body.database.driver).toBe(t.database.driver);
    expect(body.database.pool.total).toBeGreaterThanOrEqual(body.database.pool.idle);
    expect(body.cache.backend).toBe(usingRedis() ? 'redis' : 'memory');
    expect(body.cache.hits + body.cache.misses).toBeGreaterThan(0);
    expect(body.imports).toEqual({ queued: expect.any(Number), running: expect.any(Number) });

    const summary = body.slowestRoutes.find((r: { route: string }) => r.route === '/api/v1/analytics/summary');
    expect(summary).toMatchObject({ method: 'GET', count: 3 });
    expect(summary.p50Ms).toBeGreaterThan(0);
    expect(summary.p50Ms).toBeLessThanOrEqual(summary.p95Ms);
    expect(summary.p95Ms).toBeLessThanOrEqual(summary.p99Ms);
    const p99s = body.slowestRoutes.map((r: { p99Ms: number }) => r.p99Ms);
    expect([...p99s].sort((a, b) => b - a)).toEqual(p99s);
    expect(body.slowestRoutes.length).toBeLessThanOrEqual(10);

    expect(body.slowestQueries.length).toBeGreaterThan(0);
    const queryP99s = body.slowestQueries.map((q: { p99Ms: number }) => q.p99Ms);
    expect([...queryP99s].sort((a, b) => b - a)).toEqual(queryP99s);
    for (const q of body.slowestQueries) {
      expect(q.statement).toMatch(/^(with )?[a-z]+( [\w.]+)?$/);
      expect(q.count).toBeGreaterThan(0);
      expect(q.p50Ms).toBeLessThanOrEqual(q.p99Ms);
    }
    expect(body.requests.total).toBeGreaterThan(0);

    expect(body.performance.score).toBeGreaterThanOrEqual(0);
    expect(body.performance.score).toBeLessThanOrEqual(100);
    expect(body.performance.reasons.map((r: { factor: string }) => r.factor)).toEqual(['event_loop_delay', 'route_latency', 'pool_waiting', 'cache_hit_rate', 'error_rate']);
    const penalties = body.performance.reasons.reduce((n: number, r: { penalty: number }) => n + r.penalty, 0);
    expect(body.performance.score).toBe(Math.max(0, Math.round(100 - penalties)));
  });
});

describe('POST /admin/cache/flush', () => {
  it('empties the cache: a cached analytics result is computed again, and the flush is recorded', async () => {
    const owner = await createUser(t);
    const account = await createAccount(t, owner);
    const tradeId = await addTrade(t, owner, account, { openAt: '2025-02-03T15:00:00Z', closeAt: '2025-02-03T16:00:00Z', entry: '10', exit: '15' });
    const before = await getJson(t, owner, '/api/v1/analytics/summary');
    expect(before.netPnl).toBe('5.00');

    // Changed behind the service's back (trade and daily aggregates, no generation bump): only a recomputation can see it.
    await t.database.db.update(trades).set({ netPnl: '7', grossPnl: '7' }).where(eq(trades.id, tradeId));
    await rebuildDailyAggregates(t.database.db, owner.id);
    expect((await getJson(t, owner, '/api/v1/analytics/summary')).netPnl).toBe('5.00');

    let outside: Redis | undefined;
    if (usingRedis()) {
      outside = new Redis(process.env.REDIS_URL!);
      await outside.set(`other-app-${prefix}key`, 'kept', 'EX', 60);
    }
    try {
      const flushed = await call(t, admin, { method: 'POST', url: '/api/v1/admin/cache/flush' });
      expect(flushed.statusCode, flushed.body).toBe(200);
      expect(flushed.json()).toMatchObject({ backend: usingRedis() ? 'redis' : 'memory' });
      expect(flushed.json().removedKeys).toBeGreaterThan(0);
      if (outside) {
        expect(await outside.get(`other-app-${prefix}key`)).toBe('kept');
        expect(await outside.keys(`${prefix}*`)).toEqual([]);
      }
    } finally {
      if (outside) {
        await outside.del(`other-app-${prefix}key`);
        outside.disconnect();
      }
    }

    expect((await getJson(t, owner, '/api/v1/analytics/summary')).netPnl).toBe('7.00');
    const events = await adminEvents(admin);
    expect(events.at(-1)!.details).toMatchObject({ action: 'cache_flush', status: 'ok', backend: usingRedis() ? 'redis' : 'memory' });
  });
});

describe('POST /admin/maintenance', () => {
  it('runs every action by default and answers counts and durations per action', async () => {
    const res = await call(t, admin, { method: 'POST', url: '/api/v1/admin/maintenance' });
    expect(res.statusCode, res.body).toBe(200);
    const results = res.json().results as { action: string; status: string; count: number; unit: string; durationMs: number; details: Record<string, unknown> }[];
    expect(results.map((r) => [r.action, r.status, r.unit])).toEqual([
      ['analyze', 'ok', 'tables'],
      ['purge_security_events', 'ok', 'security_events'],
      ['rebuild_aggregates', 'ok', 'users'],
    ]);
    for (const r of results) expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect(results[0]!.details.tables).toEqual(expect.arrayContaining(['trades', 'executions', 'security_events', 'users']));
    expect(results[0]!.count).toBe((results[0]!.details.tables as string[]).length);
    expect(results[2]!.count).toBeGreaterThanOrEqual(2);
    const events = await adminEvents(admin);
    expect(events.at(-1)!.details).toMatchObject({ action: 'maintenance', results: [{ action: 'analyze', status: 'ok' }, { action: 'purge_security_events' }, { action: 'rebuild_aggregates' }] });
  });

  it('purges only security events older than the retention period (90 days by default)', async () => {
    const someone = await createUser(t);
    const day = 86_400_000;
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day);
    await t.database.db.insert(securityEvents).values([
      { userId: someone.id, type: 'login_failed', details: { mark: 'old-1' }, createdAt: at(400) },
      { userId: someone.id, type: 'login_failed', details: { mark: 'old-2' }, createdAt: at(91) },
      { userId: someone.id, type: 'login_failed', details: { mark: 'recent-1' }, createdAt: at(89) },
      { userId: someone.id, type: 'login_failed', details: { mark: 'recent-2' }, createdAt: at(0) },
    ]);
    const res = await call(t, admin, { method: 'POST', url: '/api/v1/admin/maintenance', payload: { actions: ['purge_security_events'] } });
    expect(res.statusCode, res.body).toBe(200);
    const [result] = res.json().results;
    expect(result).toMatchObject({ action: 'purge_security_events', status: 'ok', details: { retentionDays: 90 } });
    expect(result.count).toBeGreaterThanOrEqual(2);
    expect(Date.parse(result.details.before)).toBeLessThan(at(89.9).getTime());

    const left = await t.database.db.select({ details: securityEvents.details }).from(securityEvents).where(eq(securityEvents.userId, someone.id));
    expect(left.map((e) => e.details.mark).sort()).toEqual(['recent-1', 'recent-2']);
    const [old] = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(securityEvents).where(sql`${securityEvents.createdAt} < ${result.details.before}::timestamptz`);
    expect(Number(old!.n)).toBe(0);
  });

  it('rebuild_aggregates makes cached analytics results stale', async () => {
    const owner = await createUser(t);
    const account = await createAccount(t, owner);
    const tradeId = await addTrade(t, owner, account, { openAt: '2025-02-04T15:00:00Z', closeAt: '2025-02-04T16:00:00Z', entry: '10', exit: '11' });
    expect((await getJson(t, owner, '/api/v1/analytics/summary')).netPnl).toBe('1.00');
    await t.database.db.update(trades).set({ netPnl: '3', grossPnl: '3' }).where(eq(trades.id, tradeId));
    const res = await call(t, admin, { method: 'POST', url: '/api/v1/admin/maintenance', payload: { actions: ['rebuild_aggregates'] } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().results, res.body).toMatchObject([{ action: 'rebuild_aggregates', status: 'ok' }]);
    expect((await getJson(t, owner, '/api/v1/analytics/summary')).netPnl).toBe('3.00');
  });

  it.each([
    [{ actions: ['vacuum_everything'] }],
    [{ actions: [] }],
    [{ actions: ['analyze', 'analyze'] }],
    [{ actions: 'analyze' }],
    [{ actions: ['analyze'], force: true }],
  ])('answers 400 for the body %j and runs nothing', async (payload) => {
    const before = (await adminEvents(admin)).length;
    const res = await call(t, admin, { method: 'POST', url: '/api/v1/admin/maintenance', payload });
    expect(res.statusCode, res.body).toBe(400);
    expectEnvelope(res.json(), 'validation_failed');
    expect((await adminEvents(admin)).length).toBe(before);
  });
});
