import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalEntries } from '../../../src/db/schema/index.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from '../../helpers/app.js';
import { addExecution, closedTrade, createAccount } from '../annotations/trade-fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const getDay = (user: TestUser | null, date: string) => call(t, user, { method: 'GET', url: `/api/v1/journal/${date}` });
const putDay = (user: TestUser | null, date: string, payload: unknown) => call(t, user, { method: 'PUT', url: `/api/v1/journal/${date}`, payload: payload as object });
const getMonth = (user: TestUser | null, month: string) => call(t, user, { method: 'GET', url: `/api/v1/journal?month=${month}` });
const storedEntries = (userId: string) => t.database.db.select().from(journalEntries).where(eq(journalEntries.userId, userId));
const storedEntry = async (userId: string, day: string) =>
  (await t.database.db.select().from(journalEntries).where(and(eq(journalEntries.userId, userId), eq(journalEntries.day, day))))[0];

const EMPTY_PNL = { net: '0', gross: '0', fees: '0', tradeCount: 0 };

describe('GET /api/v1/journal/:date', () => {
  it('answers an empty entry for a day with nothing written and no trades', async () => {
    const user = await createUser(t);
    const res = await getDay(user, '2025-03-04');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ date: '2025-03-04', hasEntry: false, content: '', mood: null, createdAt: null, updatedAt: null, trades: [], pnl: EMPTY_PNL });
  });

  it("lists the day's trades, closed and still open, and sums P&L over the closed ones only", async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    // 100 × (11 − 10) = 100 gross, 2 × 1 commission: 98 net.
    const win = await closedTrade(t, user, accountId, { symbol: 'AAA', openedAt: '2025-03-04T14:35:00Z', closedAt: '2025-03-04T15:00:00Z', entry: '10', exit: '11', commission: '1' });
    // 100 × (19.5 − 20) = −50 gross, 2 × 0.5 commission: −51 net.
    const loss = await closedTrade(t, user, accountId, { symbol: 'BBB', openedAt: '2025-03-04T16:00:00Z', closedAt: '2025-03-04T17:00:00Z', entry: '20', exit: '19.5', commission: '0.5' });
    const [open] = await addExecution(t, user, accountId, { symbol: 'CCC', executedAt: '2025-03-04T18:00:00Z', side: 'buy', price: '5', commission: '3' });
    await closedTrade(t, user, accountId, { symbol: 'DDD', openedAt: '2025-03-05T14:35:00Z', closedAt: '2025-03-05T15:00:00Z', entry: '10', exit: '12' });
    const res = await getDay(user, '2025-03-04');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.trades.map((x: { id: string }) => x.id)).toEqual([win, loss, open]);
    expect(body.pnl).toEqual({ net: '47', gross: '50', fees: '3', tradeCount: 2 });
  });

  it('dates a trade by the day it closed in the user timezone: 02:30Z on the 10th is the 9th in New York', async () => {
    const user = await createUser(t, { timezone: 'America/New_York' });
    const accountId = await createAccount(t, user);
    const tradeId = await closedTrade(t, user, accountId, { openedAt: '2025-03-09T20:00:00Z', closedAt: '2025-03-10T02:30:00Z', entry: '10', exit: '10.5' });
    const ninth = (await getDay(user, '2025-03-09')).json();
    expect(ninth.trades.map((x: { id: string }) => x.id)).toEqual([tradeId]);
    expect(ninth.pnl).toEqual({ net: '50', gross: '50', fees: '0', tradeCount: 1 });
    const tenth = (await getDay(user, '2025-03-10')).json();
    expect(tenth.trades).toEqual([]);
    expect(tenth.pnl).toEqual(EMPTY_PNL);
  });

  it('dates the same instants on the 10th for a UTC user', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    await closedTrade(t, user, accountId, { openedAt: '2025-03-09T20:00:00Z', closedAt: '2025-03-10T02:30:00Z', entry: '10', exit: '10.5' });
    expect((await getDay(user, '2025-03-09')).json().pnl.tradeCount).toBe(0);
    expect((await getDay(user, '2025-03-10')).json().pnl.tradeCount).toBe(1);
  });

  it("shows another user their own empty day, never the first user's entry or trades", async () => {
    const [author, reader] = [await createUser(t), await createUser(t)];
    const accountId = await createAccount(t, author);
    await closedTrade(t, author, accountId, { openedAt: '2025-03-04T14:00:00Z', closedAt: '2025-03-04T15:00:00Z', entry: '1', exit: '2' });
    await putDay(author, '2025-03-04', { content: 'private thoughts', mood: 2 });
    const res = await getDay(reader, '2025-03-04');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ date: '2025-03-04', hasEntry: false, content: '', mood: null, createdAt: null, updatedAt: null, trades: [], pnl: EMPTY_PNL });
  });

  it.each(['2025-02-30', '2025-13-01', '2025-3-1', '20250301', 'today'])('answers 400 for the date %s', async (date) => {
    const user = await createUser(t);
    const res = await getDay(user, date);
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'validation_failed');
  });

  it('accepts 29 February of a leap year', async () => {
    const user = await createUser(t);
    expect((await getDay(user, '2024-02-29')).statusCode).toBe(200);
  });

  it('answers 401 without credentials', async () => {
    const res = await getDay(null, '2025-03-04');
    expect(res.statusCode).toBe(401);
    expectEnvelope(res.json(), 'unauthenticated');
  });
});

describe('PUT /api/v1/journal/:date', () => {
  it('creates the entry and answers the day', async () => {
    const user = await createUser(t);
    const res = await putDay(user, '2025-03-04', { content: '# Tuesday\nStayed patient.', mood: 4 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ date: '2025-03-04', hasEntry: true, content: '# Tuesday\nStayed patient.', mood: 4, trades: [], pnl: EMPTY_PNL });
    expect(new Date(res.json().createdAt).getTime()).not.toBeNaN();
    expect((await getDay(user, '2025-03-04')).json()).toEqual(res.json());
  });

  it('replaces the entry on a second PUT, clearing a mood left out, and keeps one row', async () => {
    const user = await createUser(t);
    await putDay(user, '2025-03-04', { content: 'first', mood: 4 });
    const res = await putDay(user, '2025-03-04', { content: 'second' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ content: 'second', mood: null });
    expect(await storedEntries(user.id)).toHaveLength(1);
  });

  it('accepts an empty content', async () => {
    const user = await createUser(t);
    const res = await putDay(user, '2025-03-04', { content: '', mood: 1 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ hasEntry: true, content: '', mood: 1 });
  });

  it('stores SQL-looking content verbatim', async () => {
    const user = await createUser(t);
    const content = "'; update journal_entries set content = 'owned' where ''='";
    expect((await putDay(user, '2025-03-04', { content })).json().content).toBe(content);
    expect((await storedEntry(user.id, '2025-03-04'))!.content).toBe(content);
  });

  it("never touches another user's entry of the same day", async () => {
    const [a, b] = [await createUser(t), await createUser(t)];
    await putDay(a, '2025-03-04', { content: 'mine', mood: 5 });
    await putDay(b, '2025-03-04', { content: 'theirs', mood: 1 });
    expect((await getDay(a, '2025-03-04')).json()).toMatchObject({ content: 'mine', mood: 5 });
    expect((await getDay(b, '2025-03-04')).json()).toMatchObject({ content: 'theirs', mood: 1 });
  });

  it.each([
    ['mood 0', { content: 'x', mood: 0 }],
    ['mood 6', { content: 'x', mood: 6 }],
    ['no content', { mood: 3 }],
    ['content over 100,000 characters', { content: 'x'.repeat(100_001) }],
    ['an unknown field', { content: 'x', date: '2025-01-01' }],
  ])('rejects %s with 400 and stores nothing', async (_label, payload) => {
    const user = await createUser(t);
    const res = await putDay(user, '2025-03-04', payload);
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'validation_failed');
    expect(await storedEntries(user.id)).toHaveLength(0);
  });

  it('rejects an impossible date with 400 and stores nothing', async () => {
    const user = await createUser(t);
    const res = await putDay(user, '2025-02-30', { content: 'x' });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'validation_failed');
    expect(await storedEntries(user.id)).toHaveLength(0);
  });

  it('answers 401 without credentials and stores nothing', async () => {
    const res = await putDay(null, '2025-03-04', { content: 'x' });
    expect(res.statusCode).toBe(401);
    expectEnvelope(res.json(), 'unauthenticated');
  });
});

describe('DELETE /api/v1/journal/:date', () => {
  it('deletes the entry with 204; the day then reads empty', async () => {
    const user = await createUser(t);
    await putDay(user, '2025-03-04', { content: 'x', mood: 3 });
    const res = await call(t, user, { method: 'DELETE', url: '/api/v1/journal/2025-03-04' });
    expect(res.statusCode).toBe(204);
    expect(await storedEntries(user.id)).toHaveLength(0);
    expect((await getDay(user, '2025-03-04')).json()).toMatchObject({ hasEntry: false, content: '', mood: null });
  });

  it('answers 404 journal_entry_not_found for a day without an entry', async () => {
    const user = await createUser(t);
    const res = await call(t, user, { method: 'DELETE', url: '/api/v1/journal/2025-03-04' });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'journal_entry_not_found');
  });

  it("answers 404 to another user and keeps the author's entry", async () => {
    const [author, intruder] = [await createUser(t), await createUser(t)];
    await putDay(author, '2025-03-04', { content: 'keep me' });
    const res = await call(t, intruder, { method: 'DELETE', url: '/api/v1/journal/2025-03-04' });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'journal_entry_not_found');
    expect((await storedEntry(author.id, '2025-03-04'))!.content).toBe('keep me');
  });

  it('answers 400 for a bad date and 401 without credentials', async () => {
    const user = await createUser(t);
    const bad = await call(t, user, { method: 'DELETE', url: '/api/v1/journal/2025-02-30' });
    expect(bad.statusCode).toBe(400);
    expectEnvelope(bad.json(), 'validation_failed');
    const anon = await call(t, null, { method: 'DELETE', url: '/api/v1/journal/2025-03-04' });
    expect(anon.statusCode).toBe(401);
  });
});

describe('GET /api/v1/journal?month=', () => {
  it('lists the days of the month with an entry or closed trades, in date order, with mood, net P&L and count', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    await closedTrade(t, user, accountId, { symbol: 'AAA', openedAt: '2025-03-04T14:00:00Z', closedAt: '2025-03-04T15:00:00Z', entry: '10', exit: '11' });
    await closedTrade(t, user, accountId, { symbol: 'BBB', openedAt: '2025-03-04T16:00:00Z', closedAt: '2025-03-04T17:00:00Z', entry: '10', exit: '9', commission: '1' });
    await closedTrade(t, user, accountId, { symbol: 'CCC', openedAt: '2025-03-20T14:00:00Z', closedAt: '2025-03-20T15:00:00Z', entry: '10', exit: '10.25' });
    // An open trade is not counted anywhere; trades of other months are not listed.
    await addExecution(t, user, accountId, { symbol: 'DDD', executedAt: '2025-03-21T14:00:00Z', side: 'buy', price: '1' });
    await closedTrade(t, user, accountId, { symbol: 'EEE', openedAt: '2025-04-01T14:00:00Z', closedAt: '2025-04-01T15:00:00Z', entry: '10', exit: '11' });
    await putDay(user, '2025-03-04', { content: 'busy', mood: 3 });
    await putDay(user, '2025-03-15', { content: 'weekend review' });
    await putDay(user, '2025-02-28', { content: 'other month', mood: 1 });
    const res = await getMonth(user, '2025-03');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      month: '2025-03',
      days: [
        // 100 − (100 + 2) = −2
        { date: '2025-03-04', hasEntry: true, mood: 3, netPnl: '-2', tradeCount: 2 },
        { date: '2025-03-15', hasEntry: true, mood: null, netPnl: '0', tradeCount: 0 },
        { date: '2025-03-20', hasEntry: false, mood: null, netPnl: '25', tradeCount: 1 },
      ],
    });
  });

  it("uses the user's timezone for the month's edges", async () => {
    const user = await createUser(t, { timezone: 'America/New_York' });
    const accountId = await createAccount(t, user);
    // 2025-03-01T03:00Z is still February 28 in New York; 2025-04-01T02:00Z is still March 31.
    await closedTrade(t, user, accountId, { symbol: 'AAA', openedAt: '2025-03-01T02:00:00Z', closedAt: '2025-03-01T03:00:00Z', entry: '10', exit: '11' });
    await closedTrade(t, user, accountId, { symbol: 'BBB', openedAt: '2025-04-01T01:00:00Z', closedAt: '2025-04-01T02:00:00Z', entry: '10', exit: '12' });
    const march = (await getMonth(user, '2025-03')).json().days;
    expect(march).toEqual([{ date: '2025-03-31', hasEntry: false, mood: null, netPnl: '200', tradeCount: 1 }]);
    const february = (await getMonth(user, '2025-02')).json().days;
    expect(february).toEqual([{ date: '2025-02-28', hasEntry: false, mood: null, netPnl: '100', tradeCount: 1 }]);
  });

  it("lists only the user's own days", async () => {
    const [a, b] = [await createUser(t), await createUser(t)];
    await putDay(a, '2025-03-04', { content: 'a' });
    const accountId = await createAccount(t, a);
    await closedTrade(t, a, accountId, { openedAt: '2025-03-05T14:00:00Z', closedAt: '2025-03-05T15:00:00Z', entry: '1', exit: '2' });
    expect((await getMonth(b, '2025-03')).json()).toEqual({ month: '2025-03', days: [] });
  });

  it.each(['2025-13', '2025-3', '2025-03-01', 'march'])('answers 400 for month=%s', async (month) => {
    const user = await createUser(t);
    const res = await getMonth(user, month);
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'validation_failed');
  });

  it('answers 400 without a month and 401 without credentials', async () => {
    const user = await createUser(t);
    const missing = await call(t, user, { method: 'GET', url: '/api/v1/journal' });
    expect(missing.statusCode).toBe(400);
    expectEnvelope(missing.json(), 'validation_failed');
    expect((await getMonth(null, '2025-03')).statusCode).toBe(401);
  });
});
