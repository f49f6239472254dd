import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executions, playbooks, tags, tradeTags, trades } from '../../../src/db/schema/index.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from '../../helpers/app.js';
import { addExecution, addRoundTrip, createAccount } from '../executions/ledger-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const ids = (body: { data: { id: string }[] }) => body.data.map((d) => d.id);

async function listAll(user: TestUser, qs: string, limit: number): Promise<{ id: string; netPnl: string; symbol: string; closedAt: string | null }[]> {
  const out = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const res = await call(t, user, { method: 'GET', url: `/api/v1/trades?${qs}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}` });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.data.length).toBeLessThanOrEqual(limit);
    out.push(...body.data);
    cursor = body.page.nextCursor;
    if (!cursor) break;
  }
  return out;
}

describe('GET /trades pagination and sort', () => {
  it('walks 23 trades 5 at a time by -netPnl without duplicates or gaps', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    const expected: { id: string; pnl: number }[] = [];
    for (let i = 0; i < 23; i++) {
      // Net P&L repeats (i mod 7) so the id tie-breaker is exercised.
      const pnl = (i % 7) - 3;
      const day = String(1 + i).padStart(2, '0');
      const trade = await addRoundTrip(t, user, acc, { symbol: `S${i % 3}`, openAt: `2025-01-${day}T15:00:00Z`, closeAt: `2025-01-${day}T16:00:00Z`, entry: '100', exit: String(100 + pnl) });
      expected.push({ id: trade.id, pnl });
    }
    const walked = await listAll(user, 'sort=-netPnl', 5);
    expect(walked).toHaveLength(23);
    expect(new Set(walked.map((w) => w.id)).size).toBe(23);
    const order = [...expected].sort((a, b) => b.pnl - a.pnl || (a.id < b.id ? -1 : 1)).map((e) => e.id);
    expect(walked.map((w) => w.id)).toEqual(order);
  });

  it('pages a multi-field sort with nullable fields (open trades last)', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    for (let i = 0; i < 6; i++) {
      await addRoundTrip(t, user, acc, { symbol: i % 2 ? 'AAA' : 'BBB', openAt: `2025-01-0${i + 1}T15:00:00Z`, closeAt: `2025-01-0${i + 1}T16:00:00Z`, entry: '10', exit: '11' });
    }
    await addExecution(t, user, acc, 'AAA', { at: '2025-01-09T15:00:00Z', side: 'buy', quantity: '1', price: '10' });
    await addExecution(t, user, acc, 'CCC', { at: '2025-01-09T15:00:00Z', side: 'buy', quantity: '1', price: '10' });
    const oneGo = await listAll(user, 'sort=-closedAt,symbol', 500);
    expect(oneGo.map((x) => x.closedAt === null)).toEqual([false, false, false, false, false, false, true, true]);
    expect(oneGo.slice(6).map((x) => x.symbol)).toEqual(['AAA', 'CCC']);
    const paged = await listAll(user, 'sort=-closedAt,symbol', 3);
    expect(paged.map((x) => x.id)).toEqual(oneGo.map((x) => x.id));
    const bySymbol = await listAll(user, 'sort=symbol,holdSeconds', 2);
    expect(bySymbol.map((x) => x.symbol)).toEqual(['AAA', 'AAA', 'AAA', 'AAA', 'BBB', 'BBB', 'BBB', 'CCC']);
  });

  it('rejects a cursor made for another sort, a forged cursor and an unknown sort field', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    for (let i = 0; i < 3; i++) await addRoundTrip(t, user, acc, { symbol: 'X', openAt: `2025-01-0${i + 1}T15:00:00Z`, closeAt: `2025-01-0${i + 1}T16:00:00Z`, entry: '1', exit: '2' });
    const first = (await call(t, user, { method: 'GET', url: '/api/v1/trades?sort=-netPnl&limit=1' })).json();
    const other = await call(t, user, { method: 'GET', url: `/api/v1/trades?sort=openedAt&limit=1&cursor=${first.page.nextCursor}` });
    expect(other.statusCode).toBe(400);
    expectEnvelope(other.json(), 'invalid_cursor');
    const forged = Buffer.from(JSON.stringify({ s: '-netPnl', v: ["1'; drop table trades; --", '00000000-0000-4000-8000-000000000000'] })).toString('base64url');
    const bad = await call(t, user, { method: 'GET', url: `/api/v1/trades?sort=-netPnl&cursor=${forged}` });
    expect(bad.statusCode).toBe(400);
    expectEnvelope(bad.json(), 'invalid_cursor');
    const unknown = await call(t, user, { method: 'GET', url: '/api/v1/trades?sort=price' });
    expect(unknown.statusCode).toBe(400);
    const twice = await call(t, user, { method: 'GET', url: '/api/v1/trades?sort=symbol,-symbol' });
    expect(twice.statusCode).toBe(400);
    expectEnvelope(twice.json(), 'invalid_sort');
  });
});

describe('GET /trades filters', () => {
  it('dates trades by closedAt (openedAt while open) in the user time zone', async () => {
    const user = await createUser(t, { timezone: 'America/New_York' });
    const acc = await createAccount(t, user);
    // New York is UTC−5 in January.
    const a = await addRoundTrip(t, user, acc, { symbol: 'A', openAt: '2025-01-14T15:00:00Z', closeAt: '2025-01-15T04:00:00Z', entry: '1', exit: '2' }); // Jan 14 23:00 local
    const b = await addRoundTrip(t, user, acc, { symbol: 'B', openAt: '2025-01-14T15:00:00Z', closeAt: '2025-01-15T06:00:00Z', entry: '1', exit: '2' }); // Jan 15 01:00
    const c = await addRoundTrip(t, user, acc, { symbol: 'C', openAt: '2025-01-15T15:00:00Z', closeAt: '2025-01-16T04:59:00Z', entry: '1', exit: '2' }); // Jan 15 23:59
    const d = await addRoundTrip(t, user, acc, { symbol: 'D', openAt: '2025-01-15T15:00:00Z', closeAt: '2025-01-16T05:00:00Z', entry: '1', exit: '2' }); // Jan 16 00:00
    const open = await addExecution(t, user, acc, 'E', { at: '2025-01-15T12:00:00Z', side: 'buy', quantity: '1', price: '1' }); // open, Jan 15 07:00
    const list = async (qs: string) => ids((await call(t, user, { method: 'GET', url: `/api/v1/trades?sort=openedAt,symbol&${qs}` })).json()).sort();
    expect(await list('from=2025-01-15&to=2025-01-15')).toEqual([b.id, c.id, open.tradeIds[0]].sort());
    expect(await list('to=2025-01-14')).toEqual([a.id]);
    expect(await list('from=2025-01-16')).toEqual([d.id]);
    expect(await list('from=2025-01-15T06:00:00Z&to=2025-01-16T05:00:00Z')).toEqual([b.id, c.id, open.tradeIds[0]].sort());
    expect(await list('from=2025-01-15T06:00:00%2B00:00&to=2025-01-16T04:59:00Z')).toEqual([b.id, open.tradeIds[0]].sort());
  });

  it('filters by account, symbol, side, status, outcome, asset class, P&L range, tag and playbook', async () => {
    const user = await createUser(t);
    const a1 = await createAccount(t, user);
    const a2 = await createAccount(t, user, { name: 'Futures' });
    const win = await addRoundTrip(t, user, a1, { symbol: 'AAPL', openAt: '2025-01-02T15:00:00Z', closeAt: '2025-01-02T16:00:00Z', entry: '10', exit: '12' });
    const loss = await addRoundTrip(t, user, a1, { symbol: 'MSFT', side: 'short', openAt: '2025-01-03T15:00:00Z', closeAt: '2025-01-03T16:00:00Z', entry: '10', exit: '11' });
    const flat = await addRoundTrip(t, user, a1, { symbol: 'AAPL', openAt: '2025-01-04T15:00:00Z', closeAt: '2025-01-04T16:00:00Z', entry: '10', exit: '10' });
    const fut = await addRoundTrip(t, user, a2, { symbol: 'MESH5', assetClass: 'future', openAt: '2025-01-05T15:00:00Z', closeAt: '2025-01-05T16:00:00Z', entry: '6000', exit: '6010' });
    const open = (await addExecution(t, user, a1, 'NVDA', { at: '2025-01-06T15:00:00Z', side: 'buy', quantity: '1', price: '100', commission: '1' })).tradeIds[0]!;

    const [tag] = await t.database.db.insert(tags).values({ userId: user.id, name: 'breakout' }).returning();
    await t.database.db.insert(tradeTags).values({ tradeId: win.id, tagId: tag!.id });
    const [playbook] = await t.database.db.insert(playbooks).values({ userId: user.id, name: 'ORB' }).returning();
    await t.database.db.update(trades).set({ playbookId: playbook!.id }).where(eq(trades.id, loss.id));

    const list = async (qs: string) => ids((await call(t, user, { method: 'GET', url: `/api/v1/trades?sort=openedAt&${qs}` })).json());
    expect(await list(`accountId=${a2}`)).toEqual([fut.id]);
    expect(await list('symbol=aapl')).toEqual([win.id, flat.id]);
    expect(await list('side=short')).toEqual([loss.id]);
    expect(await list('status=open')).toEqual([open]);
    expect(await list('outcome=win')).toEqual([win.id, fut.id]);
    expect(await list('outcome=loss')).toEqual([loss.id, open]);
    expect(await list('outcome=breakeven')).toEqual([flat.id]);
    expect(await list('assetClass=future')).toEqual([fut.id]);
    expect(await list('minPnl=0&maxPnl=2')).toEqual([win.id, flat.id]);
    expect(await list('maxPnl=-0.5')).toEqual([loss.id, open]);
    expect(await list(`tag=${tag!.id}`)).toEqual([win.id]);
    expect(await list(`playbookId=${playbook!.id}`)).toEqual([loss.id]);

    const tagged = (await call(t, user, { method: 'GET', url: `/api/v1/trades?tag=${tag!.id}` })).json().data[0];
    expect(tagged.tags).toEqual([{ id: tag!.id, name: 'breakout', kind: 'custom', color: null }]);
    expect((await call(t, user, { method: 'GET', url: '/api/v1/trades?minPnl=5&maxPnl=1' })).statusCode).toBe(400);
  });

  it('lists only the caller’s trades and answers 401 without credentials', async () => {
    const owner = await createUser(t);
    const other = await createUser(t);
    await addRoundTrip(t, owner, await createAccount(t, owner), { symbol: 'X', openAt: '2025-01-02T15:00:00Z', closeAt: '2025-01-02T16:00:00Z', entry: '1', exit: '2' });
    expect((await call(t, other, { method: 'GET', url: '/api/v1/trades' })).json().data).toEqual([]);
    const anon = await call(t, null, { method: 'GET', url: '/api/v1/trades' });
    expect(anon.statusCode).toBe(401);
    expectEnvelope(anon.json(), 'unauthenticated');
  });
});

describe('POST /trades (manual)', () => {
  it('creates the executions of all fills and answers the trade with them', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    const res = await call(t, user, {
      method: 'POST',
      url: '/api/v1/trades',
      payload: {
        accountId: acc,
        symbol: 'NQ',
        assetClass: 'future',
        fills: [
          { executedAt: '2025-01-02T14:30:00Z', side: 'sell', quantity: '1', price: '21000', commission: '2.5' },
          { executedAt: '2025-01-02T14:45:00Z', side: 'buy', quantity: '1', price: '20990.25', commission: '2.5' },
        ],
      },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.executionIds).toHaveLength(2);
    expect(body.trades).toHaveLength(1);
    // 9.75 points × $20 − 5 fees
    expect(body.trades[0]).toMatchObject({ side: 'short', status: 'closed', multiplier: '20', grossPnl: '195', netPnl: '190', executionCount: 2 });
    expect(body.trades[0].executions.map((e: { id: string }) => e.id)).toEqual(body.executionIds);
  });

  it('rejects an empty fill list or a bad fill and records nothing', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    const empty = await call(t, user, { method: 'POST', url: '/api/v1/trades', payload: { accountId: acc, symbol: 'X', assetClass: 'stock', fills: [] } });
    expect(empty.statusCode).toBe(400);
    expectEnvelope(empty.json(), 'validation_failed');
    const zero = await call(t, user, {
      method: 'POST',
      url: '/api/v1/trades',
      payload: {
        accountId: acc,
        symbol: 'X',
        assetClass: 'stock',
        fills: [
          { executedAt: '2025-01-02T14:30:00Z', side: 'buy', quantity: '1', price: '1' },
          { executedAt: '2025-01-02T14:31:00Z', side: 'sell', quantity: '0', price: '1' },
        ],
      },
    });
    expect(zero.statusCode).toBe(400);
    expectEnvelope(zero.json(), 'invalid_quantity');
    expect(await t.database.db.select().from(executions).where(eq(executions.userId, user.id))).toEqual([]);
  });

  it("answers 404 for another user's account and records nothing", async () => {
    const owner = await createUser(t);
    const intruder = await createUser(t);
    const acc = await createAccount(t, owner);
    const res = await call(t, intruder, {
      method: 'POST',
      url: '/api/v1/trades',
      payload: { accountId: acc, symbol: 'X', assetClass: 'stock', fills: [{ executedAt: '2025-01-02T14:30:00Z', side: 'buy', quantity: '1', price: '1' }] },
    });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'account_not_found');
    expect(await t.database.db.select().from(executions).where(eq(executions.accountId, acc))).toEqual([]);
  });

  it('answers 401 without credentials', async () => {
    expect((await call(t, null, { method: 'POST', url: '/api/v1/trades', payload: {} })).statusCode).toBe(401);
  });
});

describe('GET, DELETE /trades/:id', () => {
  it('deletes a trade with its executions', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    const trade = await addRoundTrip(t, user, acc, { symbol: 'X', openAt: '2025-01-02T15:00:00Z', closeAt: '2025-01-02T16:00:00Z', entry: '1', exit: '2' });
    const res = await call(t, user, { method: 'DELETE', url: `/api/v1/trades/${trade.id}` });
    expect(res.statusCode).toBe(204);
    expect((await call(t, user, { method: 'GET', url: `/api/v1/trades/${trade.id}` })).statusCode).toBe(404);
    expect(await t.database.db.select().from(executions).where(eq(executions.accountId, acc))).toEqual([]);
  });

  it('deleting a trade that ended in a zero-crossing fill also removes that fill from the next trade', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    const first = await addExecution(t, user, acc, 'X', { at: '2025-01-02T15:00:00Z', side: 'buy', quantity: '1', price: '10' });
    const flip = await addExecution(t, user, acc, 'X', { at: '2025-01-02T16:00:00Z', side: 'sell', quantity: '3', price: '11' });
    const later = await addExecution(t, user, acc, 'X', { at: '2025-01-02T17:00:00Z', side: 'buy', quantity: '1', price: '10.5' });
    expect(later.tradeIds).toEqual([flip.tradeIds[1]]);
    expect((await call(t, user, { method: 'DELETE', url: `/api/v1/trades/${first.tradeIds[0]}` })).statusCode).toBe(204);
    const remaining = (await call(t, user, { method: 'GET', url: '/api/v1/trades' })).json().data;
    // Only the later buy is left: a new long trade opened by it.
    expect(remaining).toHaveLength(1);
    expect(remaining[0]).toMatchObject({ side: 'long', status: 'open', openQuantity: '1', executionCount: 1 });
    expect((await call(t, user, { method: 'GET', url: `/api/v1/executions/${later.id}` })).json().tradeIds).toEqual([remaining[0].id]);
  });

  it("answers 404 for another user's trade and changes nothing", async () => {
    const owner = await createUser(t);
    const intruder = await createUser(t);
    const trade = await addRoundTrip(t, owner, await createAccount(t, owner), { symbol: 'X', openAt: '2025-01-02T15:00:00Z', closeAt: '2025-01-02T16:00:00Z', entry: '1', exit: '2' });
    const get = await call(t, intruder, { method: 'GET', url: `/api/v1/trades/${trade.id}` });
    expect(get.statusCode).toBe(404);
    expectEnvelope(get.json(), 'trade_not_found');
    const del = await call(t, intruder, { method: 'DELETE', url: `/api/v1/trades/${trade.id}` });
    expect(del.statusCode).toBe(404);
    expectEnvelope(del.json(), 'trade_not_found');
    expect((await call(t, owner, { method: 'GET', url: `/api/v1/trades/${trade.id}` })).json()).toMatchObject({ id: trade.id, executionCount: 2 });
  });

  it('answers 401 without credentials', async () => {
    const user = await createUser(t);
    const trade = await addRoundTrip(t, user, await createAccount(t, user), { symbol: 'X', openAt: '2025-01-02T15:00:00Z', closeAt: '2025-01-02T16:00:00Z', entry: '1', exit: '2' });
    expect((await call(t, null, { method: 'GET', url: `/api/v1/trades/${trade.id}` })).statusCode).toBe(401);
    expect((await call(t, null, { method: 'DELETE', url: `/api/v1/trades/${trade.id}` })).statusCode).toBe(401);
    expect((await call(t, user, { method: 'GET', url: `/api/v1/trades/${trade.id}` })).statusCode).toBe(200);
  });
});
