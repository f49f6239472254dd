import { expect } from 'vitest';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { call } from '../../helpers/app.js';

/** Creates an account through the API and answers its id. */
export async function createAccount(t: TestApp, user: TestUser, body: Record<string, unknown> = {}): Promise<string> {
  const res = await call(t, user, { method: 'POST', url: '/api/v1/accounts', payload: { name: 'Main', ...body } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

export interface FillSpec {
  at: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  commission?: string;
  fees?: string;
}

/** Records one execution through POST /executions and answers the response body. */
export async function addExecution(t: TestApp, user: TestUser, accountId: string, symbol: string, fill: FillSpec, extra: Record<string, unknown> = {}) {
  const res = await call(t, user, {
    method: 'POST',
    url: '/api/v1/executions',
    payload: {
      accountId,
      symbol,
      assetClass: 'stock',
      executedAt: fill.at,
      side: fill.side,
      quantity: fill.quantity,
      price: fill.price,
      ...(fill.commission !== undefined ? { commission: fill.commission } : {}),
      ...(fill.fees !== undefined ? { fees: fill.fees } : {}),
      ...extra,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; tradeIds: string[]; instrumentKey: string; multiplier: string };
}

/** Records a closed round trip (buy then sell, or sell then buy) through POST /trades and answers the trade. */
export async function addRoundTrip(
  t: TestApp,
  user: TestUser,
  accountId: string,
  spec: { symbol: string; openAt: string; closeAt: string; side?: 'long' | 'short'; quantity?: string; entry: string; exit: string; assetClass?: string },
) {
  const long = (spec.side ?? 'long') === 'long';
  const quantity = spec.quantity ?? '1';
  const res = await call(t, user, {
    method: 'POST',
    url: '/api/v1/trades',
    payload: {
      accountId,
      symbol: spec.symbol,
      assetClass: spec.assetClass ?? 'stock',
      fills: [
        { executedAt: spec.openAt, side: long ? 'buy' : 'sell', quantity, price: spec.entry },
        { executedAt: spec.closeAt, side: long ? 'sell' : 'buy', quantity, price: spec.exit },
      ],
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json() as { trades: { id: string; netPnl: string }[] };
  expect(body.trades).toHaveLength(1);
  return body.trades[0]!;
}

/** The owner and instrument columns of a row of the 'OWN' stock, for inserting executions or trades directly. */
export const ownRow = (userId: string, accountId: string) => ({ userId, accountId, instrumentKey: 'OWN', symbol: 'OWN', assetClass: 'stock' as const });

/** An executions row of one 'OWN' share at 10, `at` minutes after 2025-03-03 14:30 UTC. */
export function executionRow(userId: string, accountId: string, at: number, side: 'buy' | 'sell' = 'buy') {
  return {
    ...ownRow(userId, accountId),
    executedAt: new Date(Date.UTC(2025, 2, 3, 14, 30) + at * 60_000),
    side,
    quantity: '1',
    price: '10',
    multiplier: '1',
  };
}
