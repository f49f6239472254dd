import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trades } from '../../../src/db/schema/index.js';
import { openCache } from '../../../src/platform/cache/cache.js';
import type { Cache } from '../../../src/platform/cache/cache.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, testConfig, usingPostgres, usingRedis } from '../../helpers/app.js';
import { addExecution, addRoundTrip, createAccount } from '../executions/ledger-helpers.js';

// Two apps ("processes") that share the cache: one Redis (separate connections) in server mode,
// one in-process cache object otherwise. Only on PostgreSQL do they share a database too; the
// embedded mode's writes then go through the reading app itself.
let cache: Cache;
let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  cache = await openCache(testConfig());
  a = await buildTestApp({}, usingRedis() ? {} : { cache });
  b = await buildTestApp({}, usingRedis() ? {} : { cache });
});
afterAll(async () => {
  await a.close();
  await b.close();
  await cache.close();
});

async function list(on: TestApp, user: TestUser, query = 'sort=openedAt') {
  const res = await call(on, user, { method: 'GET', url: `/api/v1/trades?${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return { body: res.body, trades: (res.json() as { data: { id: string; notes: string; rating: number | null }[] }).data };
}

describe(`trades list cache (${usingRedis() ? 'Redis' : 'memory'} backend)`, () => {
  it('serves a page again without reading the database, and reads it fresh after a write', async () => {
    const user = await createUser(a);
    const acc = await createAccount(a, user);
    const trade = await addRoundTrip(a, user, acc, { symbol: 'AAPL', openAt: '2025-03-03T15:00:00Z', closeAt: '2025-03-03T16:00:00Z', entry: '10', exit: '11' });
    const first = await list(a, user);
    // Behind the service's back (no data-change notice): a cached page cannot see this.
    await a.database.db.update(trades).set({ notes: 'written behind the cache' }).where(eq(trades.id, trade.id));
    expect((await list(a, user)).body).toBe(first.body);

    const patched = await call(a, user, { method: 'PATCH', url: `/api/v1/trades/${trade.id}`, payload: { rating: 3 } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect((await list(a, user)).trades).toMatchObject([{ id: trade.id, rating: 3, notes: 'written behind the cache' }]);
  });

  it("drops another process's cached pages after a write there, and after a settings change", async () => {
    const writer = usingPostgres() ? b : a;
    const user = await createUser(a);
    const acc = await createAccount(a, user);
    await addRoundTrip(a, user, acc, { symbol: 'AAPL', openAt: '2025-03-03T15:00:00Z', closeAt: '2025-03-03T23:30:00Z', entry: '10', exit: '11' });
    expect((await list(a, user)).trades).toHaveLength(1);
    expect((await list(a, user, 'from=2025-03-03&to=2025-03-03')).trades).toHaveLength(1);

    await addExecution(writer, user, acc, 'MSFT', { at: '2025-03-04T15:00:00Z', side: 'buy', quantity: '1', price: '100' });
    expect((await list(a, user)).trades).toHaveLength(2);

    // 23:30 UTC on the 3rd is the 4th in Tokyo: the same day filter now finds nothing on the 3rd.
    const patch = await call(writer, user, { method: 'PATCH', url: '/api/v1/auth/me', payload: { timezone: 'Asia/Tokyo' } });
    expect(patch.statusCode, patch.body).toBe(200);
    expect((await list(a, user, 'from=2025-03-03&to=2025-03-03')).trades).toHaveLength(0);
  });

  it("never answers one user's cached page to another", async () => {
    const owner = await createUser(a);
    const other = await createUser(a);
    await addRoundTrip(a, owner, await createAccount(a, owner), { symbol: 'X', openAt: '2025-03-03T15:00:00Z', closeAt: '2025-03-03T16:00:00Z', entry: '1', exit: '2' });
    expect((await list(a, owner)).trades).toHaveLength(1);
    expect((await list(a, other)).trades).toEqual([]);
  });
});
