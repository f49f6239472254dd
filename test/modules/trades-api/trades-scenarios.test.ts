import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trades } from '../../../src/db/schema/index.js';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, call, createUser } from '../../helpers/app.js';
import { addExecution, createAccount } from '../executions/ledger-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const tradeRow = async (id: string) => (await t.database.db.select().from(trades).where(eq(trades.id, id)))[0];

describe('trades derived from executions', () => {
  it('scale-in / scale-out long: FIFO P&L, averages, fees', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    const fills = [
      { at: '2025-02-03T14:30:00Z', side: 'buy', quantity: '100', price: '10', commission: '1' },
      { at: '2025-02-03T14:40:00Z', side: 'buy', quantity: '100', price: '12', commission: '1' },
      { at: '2025-02-03T15:00:00Z', side: 'sell', quantity: '50', price: '13', commission: '0.5' },
      { at: '2025-02-03T15:30:00Z', side: 'sell', quantity: '150', price: '14', commission: '1.5', fees: '0.25' },
    ] as const;
    const ids = [];
    for (const f of fills) ids.push(await addExecution(t, user, acc, 'AAPL', f));
    expect(new Set(ids.flatMap((e) => e.tradeIds)).size).toBe(1);
    const res = await call(t, user, { method: 'GET', url: `/api/v1/trades/${ids[0]!.tradeIds[0]}` });
    // FIFO: 50 × (13 − 10) + 50 × (14 − 10) + 100 × (14 − 12) = 150 + 200 + 200
    expect(res.json()).toMatchObject({
      side: 'long',
      status: 'closed',
      quantity: '200',
      openQuantity: '0',
      avgEntry: '11',
      avgExit: '13.75',
      grossPnl: '550',
      fees: '4.25',
      netPnl: '545.75',
      costBasis: '0',
      holdSeconds: 3600,
      executionCount: 4,
      openedAt: '2025-02-03T14:30:00.000Z',
      closedAt: '2025-02-03T15:30:00.000Z',
    });
    expect(res.json().executions.map((e: { id: string; share: { role: string } }) => [e.id, e.share.role])).toEqual([
      [ids[0]!.id, 'open'],
      [ids[1]!.id, 'open'],
      [ids[2]!.id, 'close'],
      [ids[3]!.id, 'close'],
    ]);
  });

  it('a fill that crosses zero closes one trade and opens the opposite one, fees pro rata', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    const open = await addExecution(t, user, acc, 'ESH5', { at: '2025-02-03T14:30:00Z', side: 'buy', quantity: '2', price: '6000', commission: '4' }, { assetClass: 'future' });
    const flip = await addExecution(t, user, acc, 'ESH5', { at: '2025-02-03T15:00:00Z', side: 'sell', quantity: '5', price: '6010', commission: '10' }, { assetClass: 'future' });
    expect(flip.tradeIds).toHaveLength(2);
    expect(flip.tradeIds[0]).toBe(open.tradeIds[0]);
    const first = (await call(t, user, { method: 'GET', url: `/api/v1/trades/${flip.tradeIds[0]}` })).json();
    const second = (await call(t, user, { method: 'GET', url: `/api/v1/trades/${flip.tradeIds[1]}` })).json();
    // 2 contracts × 10 points × $50; fees 4 + 10 × 2/5
    expect(first).toMatchObject({ side: 'long', status: 'closed', grossPnl: '1000', fees: '8', netPnl: '992', multiplier: '50' });
    expect(second).toMatchObject({ side: 'short', status: 'open', openQuantity: '3', avgEntry: '6010', fees: '6', netPnl: '-6', costBasis: '901500' });
    expect(second.executions).toEqual([expect.objectContaining({ id: flip.id, share: { quantity: '3', fees: '6', role: 'open' } })]);
  });

  it('annotations survive a rebuild while the first execution is unchanged', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    const open = await addExecution(t, user, acc, 'AAPL', { at: '2025-02-03T14:30:00Z', side: 'buy', quantity: '10', price: '100' });
    const tradeId = open.tradeIds[0]!;
    await t.database.db.update(trades).set({ notes: 'waited for the pullback', stopPrice: '95', rating: 4 }).where(eq(trades.id, tradeId));
    const close = await addExecution(t, user, acc, 'AAPL', { at: '2025-02-03T15:30:00Z', side: 'sell', quantity: '10', price: '110' });
    expect(close.tradeIds).toEqual([tradeId]);
    const trade = (await call(t, user, { method: 'GET', url: `/api/v1/trades/${tradeId}` })).json();
    // risk = |100 − 95| × 10 × 1 = 50; net 100 → 2R
    expect(trade).toMatchObject({ id: tradeId, status: 'closed', notes: 'waited for the pullback', stopPrice: '95', rating: 4, rMultiple: 2 });
  });

  it('initialRisk wins over the stop for rMultiple, rounded to 4 places', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    const e = await addExecution(t, user, acc, 'AAPL', { at: '2025-02-03T14:30:00Z', side: 'buy', quantity: '10', price: '100' });
    await addExecution(t, user, acc, 'AAPL', { at: '2025-02-03T15:30:00Z', side: 'sell', quantity: '10', price: '110' });
    await t.database.db.update(trades).set({ initialRisk: '30', stopPrice: '95' }).where(eq(trades.id, e.tradeIds[0]!));
    expect((await call(t, user, { method: 'GET', url: `/api/v1/trades/${e.tradeIds[0]}` })).json().rMultiple).toBe(3.3333);
  });

  it('a new first execution makes a new trade; the old row (and its notes) goes', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    const open = await addExecution(t, user, acc, 'AAPL', { at: '2025-02-03T14:30:00Z', side: 'buy', quantity: '10', price: '100' });
    const earlier = await addExecution(t, user, acc, 'AAPL', { at: '2025-02-03T14:00:00Z', side: 'buy', quantity: '5', price: '99' });
    expect(earlier.tradeIds).toHaveLength(1);
    expect(earlier.tradeIds[0]).not.toBe(open.tradeIds[0]);
    expect(await tradeRow(open.tradeIds[0]!)).toBeUndefined();
    expect((await call(t, user, { method: 'GET', url: `/api/v1/trades/${earlier.tradeIds[0]}` })).json()).toMatchObject({ openQuantity: '15', executionCount: 2 });
  });

  it('executions of another instrument are not rebuilt', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    const msft = await addExecution(t, user, acc, 'MSFT', { at: '2025-02-03T14:30:00Z', side: 'buy', quantity: '10', price: '400' });
    const before = await tradeRow(msft.tradeIds[0]!);
    await addExecution(t, user, acc, 'AAPL', { at: '2025-02-03T14:00:00Z', side: 'buy', quantity: '5', price: '99' });
    await addExecution(t, user, acc, 'AAPL', { at: '2025-02-03T15:00:00Z', side: 'sell', quantity: '5', price: '100' });
    const other = await createAccount(t, user, { name: 'Other' });
    await addExecution(t, user, other, 'MSFT', { at: '2025-02-03T14:00:00Z', side: 'buy', quantity: '1', price: '399' });
    const after = await tradeRow(msft.tradeIds[0]!);
    expect(after?.id).toBe(before!.id);
    expect(after?.updatedAt.getTime()).toBe(before!.updatedAt.getTime());
  });
});
