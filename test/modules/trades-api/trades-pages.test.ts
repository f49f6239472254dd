import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser } from '../../helpers/app.js';
import { addExecution, addRoundTrip, createAccount } from '../executions/ledger-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

async function walk(user: TestUser, query: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const res = await call(t, user, { method: 'GET', url: `/api/v1/trades?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}` });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { data: { id: string }[]; page: { nextCursor: string | null } };
    ids.push(...body.data.map((d) => d.id));
    cursor = body.page.nextCursor;
    if (!cursor) return ids;
  }
}

describe('GET /trades keyset pages', () => {
  it('pages of 2 add up to the one-page answer in every sort, with ties on the first key and a date filter', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    // Three trades opened at each of three instants (ties on openedAt), P&L repeating (ties on netPnl), plus open trades.
    for (let day = 1; day <= 3; day++) {
      for (const [i, symbol] of ['AAA', 'BBB', 'CCC'].entries()) {
        await addRoundTrip(t, user, acc, {
          // A symbol per trade, so overlapping round trips stay separate trades.
          symbol: `${symbol}${day}`,
          openAt: `2025-03-0${day}T15:00:00Z`,
          closeAt: `2025-03-0${day + i}T16:00:00Z`,
          entry: '100',
          exit: String(100 + ((day + i) % 2)),
        });
      }
    }
    await addExecution(t, user, acc, 'DDD', { at: '2025-03-02T15:00:00Z', side: 'buy', quantity: '1', price: '10' });
    await addExecution(t, user, acc, 'EEE', { at: '2025-03-04T15:00:00Z', side: 'sell', quantity: '1', price: '10' });
    for (const sort of ['-openedAt', 'openedAt', '-netPnl', 'netPnl', 'symbol,-openedAt', '-closedAt', 'holdSeconds', '-quantity']) {
      for (const filter of ['', '&from=2025-03-02&to=2025-03-03', '&to=2025-03-02', '&symbol=BBB2&to=2025-03-03']) {
        const query = `sort=${sort}${filter}`;
        const all = await walk(user, query, 500);
        expect(await walk(user, query, 2), query).toEqual(all);
        expect(new Set(all).size, query).toBe(all.length);
      }
    }
    expect(await walk(user, 'sort=-openedAt', 500)).toHaveLength(11);
    // Activity in the range: closed within it, or (open trades) opened within it.
    expect(await walk(user, 'sort=-openedAt&from=2025-03-02&to=2025-03-03', 500)).toHaveLength(6);
  });
});
