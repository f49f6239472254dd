import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { users } from '../../../src/db/schema/index.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { call } from '../../helpers/app.js';

export async function createAccount(t: TestApp, user: TestUser, name = 'Main'): Promise<string> {
  const res = await call(t, user, { method: 'POST', url: '/api/v1/accounts', payload: { name } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

export interface RoundTrip {
  symbol?: string;
  side?: 'long' | 'short';
  openAt: string;
  closeAt: string;
  entry: string;
  exit: string;
  quantity?: string;
  /** Commission on each of the two fills. */
  commission?: string;
  assetClass?: 'stock' | 'future';
}

/** A closed round trip through POST /trades (the manual-trade route); answers the trade's id. */
export async function addTrade(t: TestApp, user: TestUser, accountId: string, spec: RoundTrip): Promise<string> {
  const long = (spec.side ?? 'long') === 'long';
  const quantity = spec.quantity ?? '1';
  const commission = spec.commission === undefined ? {} : { commission: spec.commission };
  const res = await call(t, user, {
    method: 'POST',
    url: '/api/v1/trades',
    payload: {
      accountId,
      symbol: spec.symbol ?? 'AAPL',
      assetClass: spec.assetClass ?? 'stock',
      fills: [
        { executedAt: spec.openAt, side: long ? 'buy' : 'sell', quantity, price: spec.entry, ...commission },
        { executedAt: spec.closeAt, side: long ? 'sell' : 'buy', quantity, price: spec.exit, ...commission },
      ],
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const trades = res.json().trades as { id: string; status: string }[];
  expect(trades).toHaveLength(1);
  expect(trades[0]!.status).toBe('closed');
  return trades[0]!.id;
}

/** Sets the tolerance straight in the database (the settings route belongs to another module); the cache key carries it. */
export async function setBreakevenTolerance(t: TestApp, user: TestUser, tolerance: string) {
  await t.database.db.update(users).set({ breakevenTolerance: tolerance }).where(eq(users.id, user.id));
}

export async function getJson(t: TestApp, user: TestUser, url: string) {
  const res = await call(t, user, { method: 'GET', url });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/**
 * Five trades, hand-computed (UTC unless the user says otherwise):
 *   T1 AAPL 03-03 14:00→14:30  +12 gross, 2 fees → +10   cum 10  peak 10
 *   T2 AAPL 03-03 15:00→16:00  −5                         cum 5
 *   T3 MSFT 03-04 14:00→14:10  −10                        cum −5  (trough: drawdown 15)
 *   T4 MSFT 03-05 14:00→15:00  +20                        cum 15  (recovered, new peak)
 *   T5 TSLA 03-06 14:00→14:20  0 (breakeven)              cum 15
 */
export async function fiveTrades(t: TestApp, user: TestUser): Promise<{ accountId: string; ids: string[] }> {
  const accountId = await createAccount(t, user);
  const ids = [
    await addTrade(t, user, accountId, { openAt: '2025-03-03T14:00:00Z', closeAt: '2025-03-03T14:30:00Z', entry: '100', exit: '112', commission: '1' }),
    await addTrade(t, user, accountId, { openAt: '2025-03-03T15:00:00Z', closeAt: '2025-03-03T16:00:00Z', entry: '100', exit: '95' }),
    await addTrade(t, user, accountId, { symbol: 'MSFT', openAt: '2025-03-04T14:00:00Z', closeAt: '2025-03-04T14:10:00Z', entry: '100', exit: '90' }),
    await addTrade(t, user, accountId, { symbol: 'MSFT', openAt: '2025-03-05T14:00:00Z', closeAt: '2025-03-05T15:00:00Z', entry: '100', exit: '120' }),
    await addTrade(t, user, accountId, { symbol: 'TSLA', openAt: '2025-03-06T14:00:00Z', closeAt: '2025-03-06T14:20:00Z', entry: '50', exit: '50' }),
  ];
  return { accountId, ids };
}
