import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser } from '../../helpers/app.js';
import { createAccount } from '../../modules/executions/ledger-helpers.js';
import { tradesenseCsv, upload, waitForImport } from '../../modules/imports/import-helpers.js';
import type { Client, LiveMessage } from './realtime-helpers.js';
import { connect, listen, openSse } from './realtime-helpers.js';

let t: TestApp;
let baseUrl: string;

beforeAll(async () => {
  t = await buildTestApp();
  baseUrl = await listen(t.app);
});
afterAll(() => t.close());

async function ready(user: TestUser): Promise<Client> {
  const client = connect(baseUrl, { token: user.token });
  await client.next((m) => m.type === 'ready', 'ready');
  return client;
}

const ofType = (type: string, match: (data: Record<string, unknown>) => boolean = () => true) => (m: LiveMessage) => m.type === type && match(m.data);
const hasTrade = (id: string) => (data: Record<string, unknown>) => (data.tradeIds as string[]).includes(id);

function manualTrade(accountId: string, symbol: string) {
  return {
    accountId,
    symbol,
    assetClass: 'stock',
    fills: [
      { executedAt: '2025-03-03T15:00:00Z', side: 'buy', quantity: '10', price: '100' },
      { executedAt: '2025-03-03T16:00:00Z', side: 'sell', quantity: '10', price: '101' },
    ],
  };
}

describe('events after API writes', () => {
  it('announces a manual trade, its annotation and its deletion, each with analytics.invalidated', async () => {
    const user = await createUser(t);
    const account = await createAccount(t, user);
    const client = await ready(user);

    const created = await call(t, user, { method: 'POST', url: '/api/v1/trades', payload: manualTrade(account, 'AAPL') });
    expect(created.statusCode, created.body).toBe(201);
    const tradeId = created.json().trades[0].id as string;
    const createdEvent = await client.next(ofType('trade.created', hasTrade(tradeId)), 'trade.created');
    expect(createdEvent.data).toEqual({ tradeIds: [tradeId], count: 1, bulk: false });
    expect(Number.isNaN(Date.parse(createdEvent.time))).toBe(false);
    await client.next(ofType('analytics.invalidated'), 'analytics.invalidated');

    const patched = await call(t, user, { method: 'PATCH', url: `/api/v1/trades/${tradeId}`, payload: { notes: 'held through lunch', rating: 4 } });
    expect(patched.statusCode, patched.body).toBe(200);
    await client.next(ofType('trade.updated', hasTrade(tradeId)), 'trade.updated');

    const deleted = await call(t, user, { method: 'DELETE', url: `/api/v1/trades/${tradeId}` });
    expect(deleted.statusCode, deleted.body).toBe(204);
    await client.next(ofType('trade.deleted', hasTrade(tradeId)), 'trade.deleted');

    const types = client.messages.map((m) => m.type);
    expect(types.filter((type) => type === 'analytics.invalidated')).toHaveLength(3);
    expect(new Set(client.messages.map((m) => m.id)).size).toBe(client.messages.length);
    client.socket.close();
  });

  it('announces the trades an account takes with it when deleted', async () => {
    const user = await createUser(t);
    const account = await createAccount(t, user);
    const created = await call(t, user, { method: 'POST', url: '/api/v1/trades', payload: manualTrade(account, 'MSFT') });
    expect(created.statusCode, created.body).toBe(201);
    const tradeId = created.json().trades[0].id as string;
    const client = await ready(user);

    const deleted = await call(t, user, { method: 'DELETE', url: `/api/v1/accounts/${account}?confirm=true` });
    expect(deleted.statusCode, deleted.body).toBe(204);
    const event = await client.next(ofType('trade.deleted', hasTrade(tradeId)), 'trade.deleted');
    expect(event.data).toEqual({ tradeIds: [tradeId], count: 1, bulk: false });
    await client.next(ofType('analytics.invalidated'), 'analytics.invalidated');
    client.socket.close();
  });

  it('announces nothing for a write that fails', async () => {
    const user = await createUser(t);
    const client = await ready(user);
    const missingAccount = await call(t, user, { method: 'POST', url: '/api/v1/trades', payload: manualTrade('00000000-0000-4000-8000-000000000000', 'AAPL') });
    expect(missingAccount.statusCode).toBe(404);
    // A later event proves the failed write's events would have arrived by now.
    await call(t, user, { method: 'PUT', url: '/api/v1/journal/2025-03-03', payload: { content: 'marker' } });
    await client.next(ofType('journal.updated'), 'journal.updated');
    expect(client.messages.map((m) => m.type)).toEqual(['ready', 'journal.updated']);
    client.socket.close();
  });

  it('announces journal writes and deletions with the day', async () => {
    const user = await createUser(t);
    const client = await ready(user);
    const put = await call(t, user, { method: 'PUT', url: '/api/v1/journal/2025-03-04', payload: { content: 'patient day', mood: 4 } });
    expect(put.statusCode, put.body).toBe(200);
    expect((await client.next(ofType('journal.updated'), 'journal.updated')).data).toEqual({ date: '2025-03-04', deleted: false });
    const del = await call(t, user, { method: 'DELETE', url: '/api/v1/journal/2025-03-04' });
    expect(del.statusCode, del.body).toBe(204);
    await client.next(ofType('journal.updated', (d) => d.deleted === true), 'journal.updated (deleted)');
    client.socket.close();
  });

  it('announces an import: progress, its trades in a batch, then completed', async () => {
    const user = await createUser(t);
    const account = await createAccount(t, user);
    const client = await ready(user);
    const rows = [];
    for (let i = 0; i < 20; i++) {
      rows.push(['', `2025-03-05T14:${String(10 + i).padStart(2, '0')}:00Z`, `S${i}`, 'stock', 'buy', '1', '10', '0', '0', `b-${i}`]);
      rows.push(['', `2025-03-05T15:${String(10 + i).padStart(2, '0')}:00Z`, `S${i}`, 'stock', 'sell', '1', '11', '0', '0', `s-${i}`]);
    }
    const res = await upload(t, user, { accountId: account }, { content: tradesenseCsv(rows) });
    expect(res.statusCode, res.body).toBe(202);
    const importId = res.json().id as string;
    const completed = await client.next(ofType('import.completed', (d) => d.importId === importId), 'import.completed');
    expect(completed.data).toMatchObject({ importId, status: 'done', executionsAdded: 40, executionsParsed: 40, duplicatesSkipped: 0 });
    const progress = client.messages.filter(ofType('import.progress', (d) => d.importId === importId));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)!.data).toMatchObject({ status: 'writing', executionsParsed: 40 });
    const announced = client.messages.filter(ofType('trade.created')).flatMap((m) => m.data.tradeIds as string[]);
    expect(announced).toHaveLength(20);
    // The trades are announced before the import is: a client refetching on completed sees them.
    const order = client.messages.map((m) => m.type);
    expect(order.indexOf('trade.created')).toBeLessThan(order.indexOf('import.completed'));
    expect((await waitForImport(t, user, importId)).status).toBe('done');
    client.socket.close();
  });

  it('announces a failed import', async () => {
    const user = await createUser(t);
    const account = await createAccount(t, user);
    const client = await ready(user);
    const malformed = tradesenseCsv([['', '2024-01-08T09:31:00Z', '"MSFT', 'stock', 'buy', '1', '1', '0', '0', '']]);
    const res = await upload(t, user, { accountId: account, broker: 'tradesense' }, { content: malformed });
    expect(res.statusCode, res.body).toBe(202);
    const importId = res.json().id as string;
    const failed = await client.next(ofType('import.failed', (d) => d.importId === importId), 'import.failed');
    expect(failed.data).toMatchObject({ importId, status: 'failed', code: 'malformed_csv' });
    client.socket.close();
  });
});

describe('isolation', () => {
  it('never sends one user\'s events to another user\'s sockets', async () => {
    const owner = await createUser(t);
    const other = await createUser(t);
    const account = await createAccount(t, owner);
    const mine = await ready(owner);
    const theirs = [await ready(other), await ready(other)];

    const created = await call(t, owner, { method: 'POST', url: '/api/v1/trades', payload: manualTrade(account, 'MSFT') });
    const tradeId = created.json().trades[0].id as string;
    await call(t, owner, { method: 'PATCH', url: `/api/v1/trades/${tradeId}`, payload: { notes: 'mine' } });
    await call(t, owner, { method: 'PUT', url: '/api/v1/journal/2025-03-06', payload: { content: 'owner' } });
    await mine.next(ofType('journal.updated'), 'owner journal.updated');

    // The other user's own write arrives, and it is the only thing that arrives.
    await call(t, other, { method: 'PUT', url: '/api/v1/journal/2025-03-07', payload: { content: 'other' } });
    for (const socket of theirs) {
      await socket.next(ofType('journal.updated'), 'other journal.updated');
      expect(socket.messages.map((m) => m.type)).toEqual(['ready', 'journal.updated']);
      expect(socket.messages[1]!.data).toEqual({ date: '2025-03-07', deleted: false });
      socket.socket.close();
    }
    expect(mine.messages.some((m) => m.data.date === '2025-03-07')).toBe(false);
    mine.socket.close();
  });
});

describe('Server-Sent Events', () => {
  it('streams the same events as the WebSocket', async () => {
    const user = await createUser(t);
    const account = await createAccount(t, user);
    const socket = await ready(user);
    const stream = await openSse(baseUrl, user.token);
    expect(stream.status).toBe(200);
    expect((await stream.next((e) => e.event === 'ready', 'ready')).data.data).toMatchObject({ userId: user.id });

    const created = await call(t, user, { method: 'POST', url: '/api/v1/trades', payload: manualTrade(account, 'NVDA') });
    const tradeId = created.json().trades[0].id as string;
    const viaSse = await stream.next((e) => e.event === 'trade.created', 'trade.created');
    const viaWs = await socket.next(ofType('trade.created'), 'trade.created');
    expect(viaSse.data).toEqual(viaWs);
    expect(viaSse.data.data).toEqual({ tradeIds: [tradeId], count: 1, bulk: false });
    await stream.next((e) => e.event === 'analytics.invalidated', 'analytics.invalidated');
    stream.close();
    socket.socket.close();
  });

  it('answers 401 without credentials', async () => {
    const stream = await openSse(baseUrl, null);
    expect(stream.status).toBe(401);
  });
});
