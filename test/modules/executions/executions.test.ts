import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executions, users } from '../../../src/db/schema/index.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from '../../helpers/app.js';
import { addExecution, createAccount } from './ledger-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const base = { symbol: 'AAPL', assetClass: 'stock', executedAt: '2025-01-02T09:30:00-05:00', side: 'buy', quantity: '10', price: '150.25' };

async function countExecutions(user: TestUser): Promise<number> {
  return (await t.database.db.select({ id: executions.id }).from(executions).where(eq(executions.userId, user.id))).length;
}

async function dataGeneration(user: TestUser): Promise<number> {
  const [row] = await t.database.db.select({ g: users.dataGeneration }).from(users).where(eq(users.id, user.id));
  return Number(row!.g);
}

describe('POST /executions', () => {
  it('records an execution with defaults and answers the trade it opened', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user, { currency: 'EUR' });
    const before = await dataGeneration(user);
    const res = await call(t, user, { method: 'POST', url: '/api/v1/executions', payload: { ...base, accountId, symbol: ' aapl ' } });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      accountId,
      symbol: 'AAPL',
      instrumentKey: 'AAPL',
      executedAt: '2025-01-02T14:30:00.000Z',
      quantity: '10',
      price: '150.25',
      commission: '0',
      fees: '0',
      multiplier: '1',
      currency: 'EUR',
      brokerExecId: null,
      importId: null,
    });
    expect(body.tradeIds).toHaveLength(1);
    const trade = await call(t, user, { method: 'GET', url: `/api/v1/trades/${body.tradeIds[0]}` });
    expect(trade.json()).toMatchObject({ status: 'open', side: 'long', openQuantity: '10', avgEntry: '150.25', currency: 'EUR' });
    expect(await dataGeneration(user)).toBe(before + 1);
  });

  it('resolves the multiplier: futures by root, options 100, a given one wins', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const es = await addExecution(t, user, accountId, 'ESZ5', { at: '2025-01-02T15:00:00Z', side: 'buy', quantity: '1', price: '6000' }, { assetClass: 'future' });
    expect(es.multiplier).toBe('50');
    const opt = await addExecution(
      t,
      user,
      accountId,
      'AAPL 250117C150',
      { at: '2025-01-02T15:00:00Z', side: 'buy', quantity: '1', price: '2.5' },
      { assetClass: 'option', underlying: 'AAPL', expiry: '2025-01-17', strike: '150', optionRight: 'call' },
    );
    expect(opt.multiplier).toBe('100');
    expect(opt.instrumentKey).toBe('AAPL 2025-01-17 150 C');
    const given = await addExecution(t, user, accountId, 'XYZ', { at: '2025-01-02T15:00:00Z', side: 'buy', quantity: '1', price: '1' }, { assetClass: 'future', multiplier: '12.5' });
    expect(given.multiplier).toBe('12.5');
  });

  it.each([
    [{ quantity: '0' }, 'invalid_quantity'],
    [{ quantity: '-1' }, 'validation_failed'],
    [{ price: '-0.01' }, 'validation_failed'],
    [{ quantity: '1.12345678901' }, 'validation_failed'],
    [{ commission: '0.00000000001' }, 'validation_failed'],
    [{ executedAt: '2025-01-02T09:30:00' }, 'validation_failed'],
    [{ assetClass: 'bond' }, 'validation_failed'],
    [{ side: 'short' }, 'validation_failed'],
    [{ expiry: '2025-02-30' }, 'validation_failed'],
    [{ importId: '00000000-0000-4000-8000-000000000000' }, 'validation_failed'],
    [{ multiplier: '0' }, 'invalid_instrument'],
  ])('rejects %j with %s and records nothing', async (change, code) => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const res = await call(t, user, { method: 'POST', url: '/api/v1/executions', payload: { ...base, accountId, ...change } });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), code);
    expect(await countExecutions(user)).toBe(0);
  });

  it('accepts 10 decimal places', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const res = await call(t, user, { method: 'POST', url: '/api/v1/executions', payload: { ...base, accountId, quantity: '0.0000000001', price: '1.1234567890' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ quantity: '0.0000000001', price: '1.123456789' });
  });

  it('refuses a broker execution id the account already has (409), but not in another account', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const other = await createAccount(t, user, { name: 'Other' });
    await addExecution(t, user, accountId, 'AAPL', { at: '2025-01-02T15:00:00Z', side: 'buy', quantity: '1', price: '1' }, { brokerExecId: 'X-1' });
    const dup = await call(t, user, { method: 'POST', url: '/api/v1/executions', payload: { ...base, accountId, brokerExecId: 'X-1' } });
    expect(dup.statusCode).toBe(409);
    expectEnvelope(dup.json(), 'duplicate_execution');
    expect(await countExecutions(user)).toBe(1);
    await addExecution(t, user, other, 'AAPL', { at: '2025-01-02T15:00:00Z', side: 'buy', quantity: '1', price: '1' }, { brokerExecId: 'X-1' });
  });

  it("answers 404 for another user's account and records nothing", async () => {
    const owner = await createUser(t);
    const intruder = await createUser(t);
    const accountId = await createAccount(t, owner);
    const res = await call(t, intruder, { method: 'POST', url: '/api/v1/executions', payload: { ...base, accountId } });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'account_not_found');
    expect(await countExecutions(owner)).toBe(0);
    expect(await countExecutions(intruder)).toBe(0);
  });

  it('answers 401 without credentials', async () => {
    const res = await call(t, null, { method: 'POST', url: '/api/v1/executions', payload: base });
    expect(res.statusCode).toBe(401);
    expectEnvelope(res.json(), 'unauthenticated');
  });
});

describe('GET /executions', () => {
  it('lists newest first, keeps input order at equal instants, and walks all pages', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const at = `2025-01-0${2 + Math.floor(i / 2)}T15:00:00Z`;
      ids.push((await addExecution(t, user, accountId, 'AAPL', { at, side: 'buy', quantity: '1', price: `${100 + i}` })).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(t, user, { method: 'GET', url: `/api/v1/executions?limit=3${cursor ? `&cursor=${cursor}` : ''}` });
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().data.map((e: { id: string }) => e.id));
      cursor = res.json().page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by account, symbol, side and executedAt range (a day is a day in the user time zone)', async () => {
    const user = await createUser(t, { timezone: 'America/New_York' });
    const a1 = await createAccount(t, user);
    const a2 = await createAccount(t, user, { name: 'Two' });
    const late = await addExecution(t, user, a1, 'AAPL', { at: '2025-01-15T04:30:00Z', side: 'buy', quantity: '1', price: '1' }); // Jan 14, 23:30 in New York
    const day = await addExecution(t, user, a1, 'AAPL', { at: '2025-01-15T15:00:00Z', side: 'sell', quantity: '1', price: '1' });
    const msft = await addExecution(t, user, a2, 'MSFT', { at: '2025-01-15T16:00:00Z', side: 'buy', quantity: '1', price: '1' });
    const list = async (qs: string) => (await call(t, user, { method: 'GET', url: `/api/v1/executions?${qs}` })).json().data.map((e: { id: string }) => e.id);
    expect(await list(`accountId=${a2}`)).toEqual([msft.id]);
    expect(await list('symbol=aapl')).toEqual([day.id, late.id]);
    expect(await list('side=sell')).toEqual([day.id]);
    expect(await list('from=2025-01-15&to=2025-01-15')).toEqual([msft.id, day.id]);
    expect(await list('to=2025-01-14')).toEqual([late.id]);
    expect(await list('from=2025-01-15T04:30:00Z&to=2025-01-15T16:00:00Z')).toEqual([day.id, late.id]);
  });

  it('never lists another user’s executions', async () => {
    const owner = await createUser(t);
    const other = await createUser(t);
    await addExecution(t, owner, await createAccount(t, owner), 'AAPL', { at: '2025-01-02T15:00:00Z', side: 'buy', quantity: '1', price: '1' });
    expect((await call(t, other, { method: 'GET', url: '/api/v1/executions' })).json().data).toEqual([]);
  });

  it('rejects a malformed cursor', async () => {
    const user = await createUser(t);
    const res = await call(t, user, { method: 'GET', url: `/api/v1/executions?cursor=${Buffer.from('["x",1]').toString('base64url')}` });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'invalid_cursor');
  });

  it('answers 401 without credentials', async () => {
    expect((await call(t, null, { method: 'GET', url: '/api/v1/executions' })).statusCode).toBe(401);
  });
});

describe('GET, DELETE /executions/:id', () => {
  it('gets an execution with the trades it belongs to', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const e = await addExecution(t, user, accountId, 'AAPL', { at: '2025-01-02T15:00:00Z', side: 'buy', quantity: '1', price: '1' });
    const res = await call(t, user, { method: 'GET', url: `/api/v1/executions/${e.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: e.id, tradeIds: e.tradeIds });
  });

  it('deleting an execution rebuilds its trade', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const open = await addExecution(t, user, accountId, 'AAPL', { at: '2025-01-02T15:00:00Z', side: 'buy', quantity: '10', price: '100' });
    const close = await addExecution(t, user, accountId, 'AAPL', { at: '2025-01-02T16:00:00Z', side: 'sell', quantity: '10', price: '110' });
    expect(close.tradeIds).toEqual(open.tradeIds);
    const tradeUrl = `/api/v1/trades/${open.tradeIds[0]}`;
    expect((await call(t, user, { method: 'GET', url: tradeUrl })).json()).toMatchObject({ status: 'closed', grossPnl: '100' });
    const before = await dataGeneration(user);
    const res = await call(t, user, { method: 'DELETE', url: `/api/v1/executions/${close.id}` });
    expect(res.statusCode).toBe(204);
    expect(await dataGeneration(user)).toBe(before + 1);
    expect((await call(t, user, { method: 'GET', url: tradeUrl })).json()).toMatchObject({ status: 'open', grossPnl: '0', closedAt: null, executionCount: 1 });
    await call(t, user, { method: 'DELETE', url: `/api/v1/executions/${open.id}` });
    expect((await call(t, user, { method: 'GET', url: tradeUrl })).statusCode).toBe(404);
  });

  it("answers 404 for another user's execution and leaves it in place", async () => {
    const owner = await createUser(t);
    const intruder = await createUser(t);
    const e = await addExecution(t, owner, await createAccount(t, owner), 'AAPL', { at: '2025-01-02T15:00:00Z', side: 'buy', quantity: '1', price: '1' });
    const get = await call(t, intruder, { method: 'GET', url: `/api/v1/executions/${e.id}` });
    expect(get.statusCode).toBe(404);
    expectEnvelope(get.json(), 'execution_not_found');
    const del = await call(t, intruder, { method: 'DELETE', url: `/api/v1/executions/${e.id}` });
    expect(del.statusCode).toBe(404);
    expectEnvelope(del.json(), 'execution_not_found');
    expect((await call(t, owner, { method: 'GET', url: `/api/v1/executions/${e.id}` })).statusCode).toBe(200);
    expect((await call(t, owner, { method: 'GET', url: `/api/v1/trades/${e.tradeIds[0]}` })).statusCode).toBe(200);
  });

  it('answers 401 without credentials', async () => {
    const user = await createUser(t);
    const e = await addExecution(t, user, await createAccount(t, user), 'AAPL', { at: '2025-01-02T15:00:00Z', side: 'buy', quantity: '1', price: '1' });
    expect((await call(t, null, { method: 'GET', url: `/api/v1/executions/${e.id}` })).statusCode).toBe(401);
    expect((await call(t, null, { method: 'DELETE', url: `/api/v1/executions/${e.id}` })).statusCode).toBe(401);
    expect((await call(t, user, { method: 'GET', url: `/api/v1/executions/${e.id}` })).statusCode).toBe(200);
  });
});
