import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCache } from '../../../src/platform/cache/cache.js';
import type { Cache } from '../../../src/platform/cache/cache.js';
import { createAnalyticsRepository } from '../../../src/modules/analytics/analytics.repository.js';
import type { AnalyticsRepository } from '../../../src/modules/analytics/analytics.repository.js';
import { createAnalyticsService, createStateReader } from '../../../src/modules/analytics/analytics.service.js';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, call, createUser, usingRedis } from '../../helpers/app.js';
import { addTrade, createAccount, getJson } from './analytics-helpers.js';

let t: TestApp;
let cache: Cache;
beforeAll(async () => {
  t = await buildTestApp();
  cache = await openCache(t.config);
});
afterAll(async () => {
  await cache.close();
  await t.close();
});

/** The real repository with its summary calls counted. */
function countingRepository(on: TestApp = t): { repository: AnalyticsRepository; calls: () => number } {
  const real = createAnalyticsRepository(on.database.db);
  let n = 0;
  return {
    repository: {
      ...real,
      summary: (...args: Parameters<AnalyticsRepository['summary']>) => {
        n++;
        return real.summary(...args);
      },
    },
    calls: () => n,
  };
}

describe(`analytics cache (${usingRedis() ? 'Redis' : 'memory'} backend)`, () => {
  it('shows a trade change in the very next summary', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    await addTrade(t, user, accountId, { openAt: '2025-05-01T14:00:00Z', closeAt: '2025-05-01T15:00:00Z', entry: '10', exit: '12' });
    const before = await getJson(t, user, '/api/v1/analytics/summary');
    expect(before).toMatchObject({ tradeCount: 1, netPnl: '2.00' });
    // Served from the cache now; then an execution opens and another closes a trade.
    expect(await getJson(t, user, '/api/v1/analytics/summary')).toEqual(before);
    for (const [side, price, at] of [
      ['buy', '20', '2025-05-02T14:00:00Z'],
      ['sell', '17', '2025-05-02T15:00:00Z'],
    ] as const) {
      const res = await call(t, user, {
        method: 'POST',
        url: '/api/v1/executions',
        payload: { accountId, symbol: 'MSFT', assetClass: 'stock', executedAt: at, side, quantity: '1', price },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const after = await getJson(t, user, '/api/v1/analytics/summary');
    expect(after).toMatchObject({ tradeCount: 2, netPnl: '-1.00', losses: 1 });
  });

  it('computes once for concurrent misses of one key and serves hits without computing', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    await addTrade(t, user, accountId, { openAt: '2025-05-01T14:00:00Z', closeAt: '2025-05-01T15:00:00Z', entry: '10', exit: '12' });
    const { repository, calls } = countingRepository();
    const service = createAnalyticsService({
      analyticsRepository: repository,
      readRepository: repository,
      playbooksService: { getPlaybook: async () => Promise.reject(new Error('not used')) },
      cache,
      ttlSeconds: 60,
    });
    const answers = await Promise.all(Array.from({ length: 20 }, () => service.summary(user.id, {})));
    expect(new Set(answers).size).toBe(1);
    expect(calls()).toBe(1);
    await service.summary(user.id, {});
    expect(calls()).toBe(1);
    // The same filters written differently share the entry: symbol is normalised.
    await service.summary(user.id, { symbol: 'aapl' });
    await service.summary(user.id, { symbol: 'AAPL ' });
    expect(calls()).toBe(2);
  });

  it('drops another process’s cached answers after a write or a settings change, with no database read on a hit', async () => {
    // "Process B" is a second app; "process A" a service of its own. They share only the cache:
    // one Redis (separate connections) in server mode, one in-process cache object otherwise.
    const b = await buildTestApp({}, usingRedis() ? {} : { cache });
    try {
      const user = await createUser(b);
      const accountId = await createAccount(b, user);
      await addTrade(b, user, accountId, { openAt: '2025-05-01T14:00:00Z', closeAt: '2025-05-01T15:00:00Z', entry: '10', exit: '12' });
      const { repository, calls } = countingRepository(b);
      let stateReads = 0;
      const a = createAnalyticsService({
        analyticsRepository: { ...repository, userState: (id) => (stateReads++, repository.userState(id)) },
        readRepository: repository,
        playbooksService: { getPlaybook: async () => Promise.reject(new Error('not used')) },
        cache,
        ttlSeconds: 60,
      });
      expect(JSON.parse(await a.summary(user.id, {}))).toMatchObject({ tradeCount: 1 });
      const reads = stateReads;
      expect(JSON.parse(await a.summary(user.id, {}))).toMatchObject({ tradeCount: 1 });
      expect(stateReads).toBe(reads);

      await addTrade(b, user, accountId, { openAt: '2025-05-02T14:00:00Z', closeAt: '2025-05-02T15:00:00Z', entry: '10', exit: '9' });
      expect(JSON.parse(await a.summary(user.id, {}))).toMatchObject({ tradeCount: 2, netPnl: '1.00' });

      const computed = calls();
      const patch = await call(b, user, { method: 'PATCH', url: '/api/v1/auth/me', payload: { breakevenTolerance: '5' } });
      expect(patch.statusCode, patch.body).toBe(200);
      expect(JSON.parse(await a.summary(user.id, {}))).toMatchObject({ tradeCount: 2, breakeven: 2 });
      expect(calls()).toBe(computed + 1);
    } finally {
      await b.close();
    }
  });

  it('keys entries by user: another user never gets a cached answer', async () => {
    const owner = await createUser(t);
    const other = await createUser(t);
    const accountId = await createAccount(t, owner);
    await addTrade(t, owner, accountId, { openAt: '2025-05-01T14:00:00Z', closeAt: '2025-05-01T15:00:00Z', entry: '10', exit: '12' });
    expect((await getJson(t, owner, '/api/v1/analytics/summary')).tradeCount).toBe(1);
    expect((await getJson(t, other, '/api/v1/analytics/summary')).tradeCount).toBe(0);
  });
});

describe('generation reads', () => {
  it('shares one lookup among callers that arrive while it is queued, and never answers from a lookup that started before the caller', async () => {
    const started: number[] = [];
    let value = 0;
    const release: (() => void)[] = [];
    const read = createStateReader(async () => {
      started.push(value);
      const seen = value;
      await new Promise<void>((resolve) => release.push(resolve));
      return { generation: seen, timezone: 'UTC', breakevenTolerance: '0' };
    });
    const first = read('u');
    value = 1; // a write commits while the first lookup runs
    const second = read('u');
    const third = read('u');
    release.shift()!();
    expect((await first)!.generation).toBe(0);
    await new Promise((r) => setTimeout(r, 0));
    release.shift()!();
    expect((await second)!.generation).toBe(1);
    expect((await third)!.generation).toBe(1);
    expect(started).toEqual([0, 1]);
  });
});
