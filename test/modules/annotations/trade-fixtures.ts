import { expect } from 'vitest';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { call } from '../../helpers/app.js';

/** Trades come from executions through the public routes, as a user's would. */
export async function createAccount(t: TestApp, user: TestUser, name = 'Main'): Promise<string> {
  const res = await call(t, user, { method: 'POST', url: '/api/v1/accounts', payload: { name } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

export interface Fill {
  executedAt: string;
  side: 'buy' | 'sell';
  quantity?: string;
  price: string;
  commission?: string;
  symbol?: string;
}

/** Posts one execution and answers the ids of the trades it belongs to. */
export async function addExecution(t: TestApp, user: TestUser, accountId: string, fill: Fill): Promise<string[]> {
  const { symbol = 'AAPL', quantity = '100', ...rest } = fill;
  const res = await call(t, user, {
    method: 'POST',
    url: '/api/v1/executions',
    payload: { accountId, symbol, assetClass: 'stock', quantity, ...rest },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().tradeIds;
}

/** A round trip: buy then sell the same quantity; answers the trade id. */
export async function closedTrade(
  t: TestApp,
  user: TestUser,
  accountId: string,
  options: { symbol?: string; openedAt: string; closedAt: string; entry: string; exit: string; quantity?: string; commission?: string },
): Promise<string> {
  const common = { symbol: options.symbol, quantity: options.quantity, commission: options.commission };
  const [opened] = await addExecution(t, user, accountId, { ...common, executedAt: options.openedAt, side: 'buy', price: options.entry });
  const [closed] = await addExecution(t, user, accountId, { ...common, executedAt: options.closedAt, side: 'sell', price: options.exit });
  expect(closed).toBe(opened);
  return closed!;
}

/** A user's first account with one closed AAPL trade; answers the trade id. */
export async function someTrade(t: TestApp, user: TestUser): Promise<{ accountId: string; tradeId: string }> {
  const accountId = await createAccount(t, user);
  const tradeId = await closedTrade(t, user, accountId, { openedAt: '2025-03-03T15:00:00Z', closedAt: '2025-03-03T16:00:00Z', entry: '10', exit: '11' });
  return { accountId, tradeId };
}
