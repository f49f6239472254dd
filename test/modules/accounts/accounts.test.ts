import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../../src/db/schema/index.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from '../../helpers/app.js';
import { addExecution, createAccount } from '../executions/ledger-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

async function dataGeneration(user: TestUser): Promise<number> {
  const [row] = await t.database.db.select({ g: users.dataGeneration }).from(users).where(eq(users.id, user.id));
  return Number(row!.g);
}

describe('POST /accounts', () => {
  it('creates an account with the documented defaults', async () => {
    const user = await createUser(t);
    const before = await dataGeneration(user);
    const res = await call(t, user, { method: 'POST', url: '/api/v1/accounts', payload: { name: '  Swing  ' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'Swing', broker: 'manual', brokerAccountId: null, currency: 'USD', timezone: null, startingBalance: null });
    expect(await dataGeneration(user)).toBe(before + 1);
  });

  it('keeps broker, currency, time zone and a normalised starting balance', async () => {
    const user = await createUser(t);
    const payload = { name: 'IB', broker: 'ibkr', brokerAccountId: 'U123', currency: 'EUR', timezone: 'Europe/Berlin', startingBalance: '10000.50' };
    const res = await call(t, user, { method: 'POST', url: '/api/v1/accounts', payload });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ ...payload, startingBalance: '10000.5' });
  });

  it.each([
    [{ name: 'x', currency: 'XYZ' }, 'invalid_currency'],
    [{ name: 'x', currency: 'usd' }, 'validation_failed'],
    [{ name: 'x', timezone: 'Mars/Olympus' }, 'invalid_timezone'],
    [{ name: 'x', startingBalance: '1e5' }, 'validation_failed'],
    [{ name: '   ' }, 'validation_failed'],
    [{ name: 'x', owner: 'me' }, 'validation_failed'],
  ])('rejects %j with %s and creates nothing', async (payload, code) => {
    const user = await createUser(t);
    const res = await call(t, user, { method: 'POST', url: '/api/v1/accounts', payload });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), code);
    const list = await call(t, user, { method: 'GET', url: '/api/v1/accounts' });
    expect(list.json().data).toHaveLength(0);
  });

  it('refuses a second account with the same broker account id (409)', async () => {
    const user = await createUser(t);
    await createAccount(t, user, { broker: 'ibkr', brokerAccountId: 'U1' });
    const res = await call(t, user, { method: 'POST', url: '/api/v1/accounts', payload: { name: 'Again', broker: 'ibkr', brokerAccountId: 'U1' } });
    expect(res.statusCode).toBe(409);
    expectEnvelope(res.json(), 'duplicate_broker_account');
    // Another user may use the same broker account number.
    await createAccount(t, await createUser(t), { broker: 'ibkr', brokerAccountId: 'U1' });
  });

  it('answers 401 without credentials', async () => {
    const res = await call(t, null, { method: 'POST', url: '/api/v1/accounts', payload: { name: 'x' } });
    expect(res.statusCode).toBe(401);
    expectEnvelope(res.json(), 'unauthenticated');
  });
});

describe('GET /accounts', () => {
  it('walks all pages oldest first without duplicates, and only shows own accounts', async () => {
    const user = await createUser(t);
    const other = await createUser(t);
    await createAccount(t, other, { name: 'not mine' });
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push(await createAccount(t, user, { name: `A${i}` }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/accounts?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await call(t, user, { method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.page.limit).toBe(2);
      seen.push(...body.data.map((a: { id: string }) => a.id));
      cursor = body.page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(created);
  });

  it('rejects a malformed cursor', async () => {
    const user = await createUser(t);
    const res = await call(t, user, { method: 'GET', url: '/api/v1/accounts?cursor=not-a-cursor' });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'invalid_cursor');
  });

  it('answers 401 without credentials', async () => {
    expect((await call(t, null, { method: 'GET', url: '/api/v1/accounts' })).statusCode).toBe(401);
  });
});

describe('GET, PATCH /accounts/:id', () => {
  it('gets and changes an account', async () => {
    const user = await createUser(t);
    const id = await createAccount(t, user, { timezone: 'Asia/Tokyo' });
    const res = await call(t, user, { method: 'PATCH', url: `/api/v1/accounts/${id}`, payload: { name: 'Renamed', timezone: null, currency: 'GBP' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, name: 'Renamed', timezone: null, currency: 'GBP' });
    const got = await call(t, user, { method: 'GET', url: `/api/v1/accounts/${id}` });
    expect(got.json()).toEqual(res.json());
  });

  it('rejects an empty or invalid change and keeps the account', async () => {
    const user = await createUser(t);
    const id = await createAccount(t, user);
    const empty = await call(t, user, { method: 'PATCH', url: `/api/v1/accounts/${id}`, payload: {} });
    expect(empty.statusCode).toBe(400);
    const bad = await call(t, user, { method: 'PATCH', url: `/api/v1/accounts/${id}`, payload: { timezone: 'Nowhere/City' } });
    expect(bad.statusCode).toBe(400);
    expectEnvelope(bad.json(), 'invalid_timezone');
    expect((await call(t, user, { method: 'GET', url: `/api/v1/accounts/${id}` })).json().timezone).toBeNull();
  });

  it("answers 404 for another user's account and leaves it unchanged", async () => {
    const owner = await createUser(t);
    const intruder = await createUser(t);
    const id = await createAccount(t, owner, { name: 'Mine' });
    const get = await call(t, intruder, { method: 'GET', url: `/api/v1/accounts/${id}` });
    expect(get.statusCode).toBe(404);
    expectEnvelope(get.json(), 'account_not_found');
    const patch = await call(t, intruder, { method: 'PATCH', url: `/api/v1/accounts/${id}`, payload: { name: 'Stolen' } });
    expect(patch.statusCode).toBe(404);
    expectEnvelope(patch.json(), 'account_not_found');
    expect((await call(t, owner, { method: 'GET', url: `/api/v1/accounts/${id}` })).json().name).toBe('Mine');
  });

  it('answers 404 for a missing account and 400 for a malformed id', async () => {
    const user = await createUser(t);
    expect((await call(t, user, { method: 'GET', url: '/api/v1/accounts/00000000-0000-4000-8000-000000000000' })).statusCode).toBe(404);
    expect((await call(t, user, { method: 'GET', url: '/api/v1/accounts/42' })).statusCode).toBe(400);
  });

  it('answers 401 without credentials', async () => {
    const user = await createUser(t);
    const id = await createAccount(t, user);
    expect((await call(t, null, { method: 'GET', url: `/api/v1/accounts/${id}` })).statusCode).toBe(401);
    expect((await call(t, null, { method: 'PATCH', url: `/api/v1/accounts/${id}`, payload: { name: 'x' } })).statusCode).toBe(401);
  });
});

describe('DELETE /accounts/:id', () => {
  it('deletes an account without executions', async () => {
    const user = await createUser(t);
    const id = await createAccount(t, user);
    const res = await call(t, user, { method: 'DELETE', url: `/api/v1/accounts/${id}` });
    expect(res.statusCode).toBe(204);
    expect((await call(t, user, { method: 'GET', url: `/api/v1/accounts/${id}` })).statusCode).toBe(404);
  });

  it('refuses to delete an account with executions unless confirmed, then removes its executions and trades', async () => {
    const user = await createUser(t);
    const id = await createAccount(t, user);
    const keep = await createAccount(t, user, { name: 'Keep' });
    const e1 = await addExecution(t, user, id, 'AAPL', { at: '2025-01-02T15:00:00Z', side: 'buy', quantity: '10', price: '100' });
    await addExecution(t, user, id, 'AAPL', { at: '2025-01-02T16:00:00Z', side: 'sell', quantity: '10', price: '101' });
    const kept = await addExecution(t, user, keep, 'AAPL', { at: '2025-01-02T15:00:00Z', side: 'buy', quantity: '1', price: '100' });

    const refused = await call(t, user, { method: 'DELETE', url: `/api/v1/accounts/${id}` });
    expect(refused.statusCode).toBe(409);
    expectEnvelope(refused.json(), 'account_has_executions');
    expect(refused.json().details).toEqual({ executionCount: 2 });
    expect((await call(t, user, { method: 'GET', url: `/api/v1/trades/${e1.tradeIds[0]}` })).statusCode).toBe(200);

    const before = await dataGeneration(user);
    const res = await call(t, user, { method: 'DELETE', url: `/api/v1/accounts/${id}?confirm=true` });
    expect(res.statusCode).toBe(204);
    expect(await dataGeneration(user)).toBe(before + 1);
    expect((await call(t, user, { method: 'GET', url: `/api/v1/executions/${e1.id}` })).statusCode).toBe(404);
    expect((await call(t, user, { method: 'GET', url: `/api/v1/trades/${e1.tradeIds[0]}` })).statusCode).toBe(404);
    const trades = await call(t, user, { method: 'GET', url: '/api/v1/trades' });
    expect(trades.json().data.map((tr: { id: string }) => tr.id)).toEqual(kept.tradeIds);
  });

  it("answers 404 for another user's account, even with confirm, and deletes nothing", async () => {
    const owner = await createUser(t);
    const intruder = await createUser(t);
    const id = await createAccount(t, owner);
    const e = await addExecution(t, owner, id, 'MSFT', { at: '2025-01-02T15:00:00Z', side: 'buy', quantity: '1', price: '400' });
    const res = await call(t, intruder, { method: 'DELETE', url: `/api/v1/accounts/${id}?confirm=true` });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'account_not_found');
    expect((await call(t, owner, { method: 'GET', url: `/api/v1/accounts/${id}` })).statusCode).toBe(200);
    expect((await call(t, owner, { method: 'GET', url: `/api/v1/executions/${e.id}` })).statusCode).toBe(200);
  });

  it('answers 401 without credentials', async () => {
    const user = await createUser(t);
    const id = await createAccount(t, user);
    expect((await call(t, null, { method: 'DELETE', url: `/api/v1/accounts/${id}` })).statusCode).toBe(401);
    expect((await call(t, user, { method: 'GET', url: `/api/v1/accounts/${id}` })).statusCode).toBe(200);
  });
});
