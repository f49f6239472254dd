import { eq, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyAggregateStates, users } from '../../../src/db/schema/index.js';
import type { PackedSegments } from '../../../src/modules/analytics/analytics.domain.js';
import { daySegmentOf, formatDaySegment, parseDaySegments } from '../../../src/modules/analytics/analytics.domain.js';
import type { Scope } from '../../../src/modules/analytics/analytics.repository.js';
import { aggregatesServe, createAnalyticsRepository } from '../../../src/modules/analytics/analytics.repository.js';
import type { TradeFilters } from '../../../src/modules/trades/trades.repository.js';
import { rebuildDailyAggregates } from '../../../src/modules/trades/trades.repository.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser } from '../../helpers/app.js';
import { addTrade, createAccount, getJson } from './analytics-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

/** The user's stored aggregates in a stable order, every column as text. */
async function storedAggregates(userId: string): Promise<Record<string, unknown>[]> {
  const result = await t.database.db.execute(sql`
    select account_id::text, symbol, day::text, trade_count, wins, losses, breakeven, net_pnl::text, gross_pnl::text, fees::text,
           gross_profit::text, gross_loss::text, net_pnl_squares::text, largest_win::text, largest_loss::text,
           hold_count, hold_seconds::text, hold_count_win, hold_seconds_win::text, hold_count_loss, hold_seconds_loss::text
    from daily_aggregates where user_id = ${userId} order by account_id, symbol, day`);
  return (result as unknown as { rows: Record<string, unknown>[] }).rows;
}

/** The user's stored per-day sequence rows (whole days, then per account, then per symbol) in key and day order, every column as text. */
async function storedSequences(userId: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const [table, key] of [
    ['daily_sequences', `''`],
    ['daily_account_sequences', 'account_id::text'],
    ['daily_symbol_sequences', 'symbol'],
  ] as const) {
    rows.push(...(await storedSliceSequences(userId, sql.raw(table), sql.raw(key))));
  }
  return rows;
}

async function storedSliceSequences(userId: string, table: SQL, key: SQL): Promise<Record<string, unknown>[]> {
  const result = await t.database.db.execute(sql`
    select ${key} as key, day::text, trade_count, net_pnl::text, first_us::text, last_us::text, min_prefix::text, min_k, min_us::text, max_drawdown::text,
           drawdown_k, drawdown_us::text, ladder_k::text, ladder_pnl::text, ladder_us::text, lead_outcome, lead_run, trail_outcome, trail_run,
           max_win_run, max_loss_run, wins, losses, breakeven, gross_pnl::text, fees::text, gross_profit::text, gross_loss::text,
           net_pnl_squares::text, largest_win::text, largest_loss::text, hold_count, hold_seconds::text, hold_count_win, hold_seconds_win::text,
           hold_count_loss, hold_seconds_loss::text
    from ${table} where user_id = ${userId} order by key, day`);
  return (result as unknown as { rows: Record<string, unknown>[] }).rows;
}

async function settingsOf(userId: string) {
  const [row] = await t.database.db.select({ timezone: users.timezone, tolerance: users.breakevenTolerance }).from(users).where(eq(users.id, userId));
  return row!;
}

/** Every repository answer that has both an aggregates path and a trades path, for one filter set. */
async function answers(userId: string, filters: TradeFilters) {
  const repo = createAnalyticsRepository(t.database.db);
  const settings = await settingsOf(userId);
  const scope: Scope = { userId, filters, timezone: settings.timezone, breakevenTolerance: settings.tolerance };
  return {
    summary: await repo.summary(scope),
    equity: await repo.equityCurve(scope, 'day'),
    calendarYear: await repo.calendar(scope, { start: '2025-01-01', endExclusive: '2026-01-01' }),
    calendarMonth: await repo.calendar(scope, { start: '2025-02-01', endExclusive: '2025-03-01' }),
  };
}

/** The same answers once from the aggregates and once from the trades (the aggregates marked stale in between). */
async function bothPaths(userId: string, filters: TradeFilters) {
  const fromAggregates = await answers(userId, filters);
  const [state] = await t.database.db.select().from(dailyAggregateStates).where(eq(dailyAggregateStates.userId, userId));
  await t.database.db.update(dailyAggregateStates).set({ timezone: 'Stale/Zone' }).where(eq(dailyAggregateStates.userId, userId));
  const fromTrades = await answers(userId, filters);
  await t.database.db.update(dailyAggregateStates).set({ timezone: state!.timezone }).where(eq(dailyAggregateStates.userId, userId));
  return { fromAggregates, fromTrades };
}

async function deleteTrade(user: TestUser, id: string) {
  const res = await call(t, user, { method: 'DELETE', url: `/api/v1/trades/${id}` });
  expect(res.statusCode, res.body).toBe(204);
}

/** Deletes the trades marked deleteLater (all but the first), then the account, if one is given, with its trades. */
async function deleteSome(user: TestUser, specs: readonly { deleteLater: boolean }[], ids: readonly string[], account: string | null) {
  for (const [i, s] of specs.entries()) if (s.deleteLater && i > 0) await deleteTrade(user, ids[i]!);
  if (account !== null) {
    const res = await call(t, user, { method: 'DELETE', url: `/api/v1/accounts/${account}?confirm=true` });
    expect(res.statusCode, res.body).toBe(204);
  }
}

const tradeArb = fc.record({
  account: fc.integer({ min: 0, max: 1 }),
  symbol: fc.constantFrom('AAPL', 'MSFT'),
  side: fc.constantFrom('long' as const, 'short' as const),
  // Minutes from 2025-02-26 00:00 UTC: crosses a month end, New York evenings fall on the next UTC day.
  openMinute: fc.integer({ min: 0, max: 60 * 24 * 6 }),
  holdMinutes: fc.integer({ min: 0, max: 60 * 24 }),
  entry: fc.integer({ min: 95, max: 105 }),
  exit: fc.integer({ min: 95, max: 105 }),
  quantity: fc.integer({ min: 1, max: 3 }),
  commission: fc.constantFrom('0', '0.25', '1.125'),
  deleteLater: fc.boolean(),
});

describe('daily aggregates', () => {
  it('equal the trades path for every endpoint that has both, and a full rebuild equals the incremental upkeep', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(tradeArb, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('UTC', 'America/New_York'),
        fc.constantFrom('0', '0.5'),
        fc.boolean(),
        // One account: the refresh copies the account slice from the day slice (trades.repository's refreshDaySequences).
        fc.constantFrom(1, 2),
        async (specs, timezone, tolerance, deleteAccount, accountCount) => {
          const user = await createUser(t, { timezone });
          await t.database.db.update(users).set({ breakevenTolerance: tolerance }).where(eq(users.id, user.id));
          const accounts = [await createAccount(t, user, 'A')];
          if (accountCount === 2) accounts.push(await createAccount(t, user, 'B'));
          const start = Date.parse('2025-02-26T00:00:00Z');
          const ids: string[] = [];
          for (const s of specs) {
            // A week apart and held at most a day, so no two round trips of one instrument merge into one trade.
            const open = new Date(start + s.openMinute * 60_000 + ids.length * 7 * 86_400_000);
            const close = new Date(open.getTime() + s.holdMinutes * 60_000 + 1000);
            ids.push(
              await addTrade(t, user, accounts[s.account % accountCount]!, {
                symbol: s.symbol,
                side: s.side,
                openAt: open.toISOString(),
                closeAt: close.toISOString(),
                entry: String(s.entry),
                exit: String(s.exit),
                quantity: String(s.quantity),
                commission: s.commission,
              }),
            );
          }
          await deleteSome(user, specs, ids, deleteAccount && accountCount === 2 ? accounts[1]! : null);

          const incremental = { aggregates: await storedAggregates(user.id), sequences: await storedSequences(user.id) };
          await t.database.db.transaction((tx) => rebuildDailyAggregates(tx, user.id));
          expect({ aggregates: await storedAggregates(user.id), sequences: await storedSequences(user.id) }).toEqual(incremental);

          expect(aggregatesServe({ status: 'closed' })).toBe(true);
          for (const filters of [{}, { accountId: accounts[0] }, { symbol: 'AAPL', from: '2025-02-27', to: '2025-03-20' }]) {
            expect(aggregatesServe(filters)).toBe(true);
            const { fromAggregates, fromTrades } = await bothPaths(user.id, filters);
            expect(fromAggregates, JSON.stringify(filters)).toEqual(fromTrades);
          }
        },
      ),
      { numRuns: 4 },
    );
    // Four runs of a few dozen requests each: far above the default timeout on a loaded machine.
  }, 120_000);

  it('keep per-day sequences equal to their definition over the trades of each day, through edits, deletes and an account delete', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            account: fc.integer({ min: 0, max: 1 }),
            // Close minute from 2025-03-03 20:00 UTC over two days: New York days differ from UTC days, ties happen.
            closeMinute: fc.constantFrom(0, 0, 30, 240, 300, 1500, 1700, 2500),
            symbol: fc.constantFrom('X', 'Y'),
            exit: fc.integer({ min: 97, max: 103 }),
            commission: fc.constantFrom('0', '0.25', '1.125'),
            deleteLater: fc.boolean(),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.constantFrom('UTC', 'America/New_York'),
        fc.constantFrom('0', '0.5'),
        fc.boolean(),
        // One account: the refresh copies the account slice from the day slice (trades.repository's refreshDaySequences).
        fc.constantFrom(1, 2),
        async (specs, timezone, tolerance, deleteAccount, accountCount) => {
          const user = await createUser(t, { timezone });
          await t.database.db.update(users).set({ breakevenTolerance: tolerance }).where(eq(users.id, user.id));
          const accounts = [await createAccount(t, user, 'A')];
          if (accountCount === 2) accounts.push(await createAccount(t, user, 'B'));
          const ids: string[] = [];
          const placed = new Set<string>();
          for (const [i, s] of specs.entries()) {
            const close = Date.parse('2025-03-03T20:00:00Z') + s.closeMinute * 60_000;
            // Round trips of one instrument in one account at the same time would merge into one trade: the later gets its own symbol.
            const account = s.account % accountCount;
            const place = `${account} ${s.symbol} ${s.closeMinute}`;
            const symbol = placed.has(place) ? `S${i}` : s.symbol;
            placed.add(place);
            ids.push(
              await addTrade(t, user, accounts[account]!, {
                symbol,
                openAt: new Date(close - 600_000).toISOString(),
                closeAt: new Date(close).toISOString(),
                entry: '100',
                exit: String(s.exit),
                commission: s.commission,
              }),
            );
          }
          await deleteSome(user, specs, ids, deleteAccount && accountCount === 2 ? accounts[1]! : null);

          const result = await t.database.db.execute(sql`
            select account_id::text as account, symbol, (closed_at at time zone ${timezone})::date::text as day, net_pnl::text as pnl,
                   (extract(epoch from closed_at) * 1000)::float8 as ms
            from trades where user_id = ${user.id} and status = 'closed' order by closed_at, id`);
          const closed = (result as unknown as { rows: { account: string; symbol: string; day: string; pnl: string; ms: number | string }[] }).rows;
          const repo = createAnalyticsRepository(t.database.db);
          // Amounts as numbers, whatever the units' scale (stored numeric text keeps trailing zeros, the definition's does not):
          // net_pnl, min_prefix and max_drawdown are the fields at 1, 4 and 7 of each day's 16 (formatDaySegment's order).
          const asNumbers = (packed: PackedSegments) => ({
            ...packed,
            scale: 0,
            fields: packed.fields.map((x, i) => ([1, 4, 7].includes(i % 16) ? x / 10 ** packed.scale : x)),
            ladderPnl: packed.ladderPnl.map((x) => x / 10 ** packed.scale),
          });
          // Whole days, each account's and each symbol's trades: the stored rows equal the definition over those trades per day.
          const slices: [TradeFilters, (r: (typeof closed)[number]) => boolean][] = [
            [{}, () => true],
            ...accounts.map((a): [TradeFilters, (r: (typeof closed)[number]) => boolean] => [{ accountId: a }, (r) => r.account === a]),
            ...[...new Set(closed.map((r) => r.symbol))].map((x): [TradeFilters, (r: (typeof closed)[number]) => boolean] => [{ symbol: x }, (r) => r.symbol === x]),
          ];
          for (const [filters, belongs] of slices) {
            const byDay = new Map<string, { pnl: string; ms: number }[]>();
            for (const r of closed.filter(belongs)) byDay.set(r.day, [...(byDay.get(r.day) ?? []), { pnl: r.pnl, ms: Number(r.ms) }]);
            const stored = await repo.daySegments({ userId: user.id, filters, timezone, breakevenTolerance: tolerance });
            const expected = parseDaySegments([...byDay.values()].map((trades) => formatDaySegment(daySegmentOf(trades, tolerance))).join('|'));
            expect(stored && asNumbers(stored), JSON.stringify(filters)).toEqual(asNumbers(expected));
          }

          const incremental = await storedSequences(user.id);
          await t.database.db.transaction((tx) => rebuildDailyAggregates(tx, user.id));
          expect(await storedSequences(user.id)).toEqual(incremental);

          for (const filters of [{}, { from: '2025-03-04' }, { accountId: accounts[0] }, { symbol: 'X', to: '2025-03-04' }]) {
            const { fromAggregates, fromTrades } = await bothPaths(user.id, filters);
            expect(fromAggregates.summary, JSON.stringify(filters)).toEqual(fromTrades.summary);
          }
        },
      ),
      { numRuns: 4 },
    );
    // Four runs of a few dozen requests each: far above the default timeout on a loaded machine.
  }, 120_000);

  it('are rebuilt in the same transaction when the time zone or the tolerance changes', async () => {
    const user = await createUser(t, { timezone: 'UTC' });
    const accountId = await createAccount(t, user);
    // 03:30 UTC is the previous evening in New York.
    await addTrade(t, user, accountId, { openAt: '2025-03-04T03:00:00Z', closeAt: '2025-03-04T03:30:00Z', entry: '100', exit: '100.4' });
    await addTrade(t, user, accountId, { openAt: '2025-03-04T15:00:00Z', closeAt: '2025-03-04T15:30:00Z', entry: '100', exit: '103' });
    expect((await storedAggregates(user.id)).map((r) => [r.day, r.trade_count, r.wins, r.breakeven])).toEqual([['2025-03-04', 2, 2, 0]]);

    const patch = async (payload: object) => {
      const res = await call(t, user, { method: 'PATCH', url: '/api/v1/auth/me', payload });
      expect(res.statusCode, res.body).toBe(200);
    };
    await patch({ timezone: 'America/New_York', breakevenTolerance: '0.5' });
    expect((await storedAggregates(user.id)).map((r) => [r.day, r.trade_count, r.wins, r.breakeven])).toEqual([
      ['2025-03-03', 1, 0, 1],
      ['2025-03-04', 1, 1, 0],
    ]);
    const [state] = await t.database.db.select().from(dailyAggregateStates).where(eq(dailyAggregateStates.userId, user.id));
    expect({ timezone: state!.timezone, tolerance: Number(state!.breakevenTolerance) }).toEqual({ timezone: 'America/New_York', tolerance: 0.5 });

    const calendar = await getJson(t, user, '/api/v1/analytics/calendar?year=2025&month=3');
    expect(calendar.days.map((d: { date: string; breakeven: number }) => [d.date, d.breakeven])).toEqual([
      ['2025-03-03', 1],
      ['2025-03-04', 0],
    ]);
  });

  it('of a user with one account have the account slice equal to the day slice, also after a second account', async () => {
    const user = await createUser(t, { timezone: 'America/New_York' });
    const a = await createAccount(t, user, 'A');
    await addTrade(t, user, a, { symbol: 'X', openAt: '2025-03-04T15:00:00Z', closeAt: '2025-03-04T15:30:00Z', entry: '100', exit: '103' });
    await addTrade(t, user, a, { symbol: 'Y', openAt: '2025-03-04T16:00:00Z', closeAt: '2025-03-05T02:00:00Z', entry: '100', exit: '98' });
    await addTrade(t, user, a, { symbol: 'X', openAt: '2025-03-05T14:00:00Z', closeAt: '2025-03-05T15:00:00Z', entry: '100', exit: '100.5' });
    const slice = (table: string, key: string) => storedSliceSequences(user.id, sql.raw(table), sql.raw(key));
    const days = await slice('daily_sequences', `''`);
    expect(days.map((r) => [r.day, r.trade_count])).toEqual([
      ['2025-03-04', 2],
      ['2025-03-05', 1],
    ]);
    expect(await slice('daily_account_sequences', `''`)).toEqual(days);
    expect((await slice('daily_account_sequences', 'account_id::text')).map((r) => r.key)).toEqual([a, a]);

    // A second account's trade on one of the days: that day is computed per account again.
    const b = await createAccount(t, user, 'B');
    await addTrade(t, user, b, { symbol: 'Z', openAt: '2025-03-05T14:00:00Z', closeAt: '2025-03-05T14:30:00Z', entry: '50', exit: '51' });
    const incremental = await storedSequences(user.id);
    expect((await slice('daily_account_sequences', 'account_id::text')).map((r) => [r.key, r.day, r.trade_count])).toEqual(
      [
        [a, '2025-03-04', 2],
        [a, '2025-03-05', 1],
        [b, '2025-03-05', 1],
      ].sort((x, y) => (`${x[0]}${x[1]}` < `${y[0]}${y[1]}` ? -1 : 1)),
    );
    await t.database.db.transaction((tx) => rebuildDailyAggregates(tx, user.id));
    expect(await storedSequences(user.id)).toEqual(incremental);
  });

  it('go with the account that is deleted', async () => {
    const user = await createUser(t);
    const [a, b] = [await createAccount(t, user, 'A'), await createAccount(t, user, 'B')];
    await addTrade(t, user, a, { openAt: '2025-03-04T15:00:00Z', closeAt: '2025-03-04T15:30:00Z', entry: '100', exit: '103' });
    await addTrade(t, user, b, { openAt: '2025-03-04T15:00:00Z', closeAt: '2025-03-04T15:30:00Z', entry: '100', exit: '99' });
    const res = await call(t, user, { method: 'DELETE', url: `/api/v1/accounts/${b}?confirm=true` });
    expect(res.statusCode, res.body).toBe(204);
    expect((await storedAggregates(user.id)).map((r) => [r.account_id, r.trade_count])).toEqual([[a, 1]]);
    const summary = await getJson(t, user, '/api/v1/analytics/summary');
    expect([summary.tradeCount, summary.netPnl]).toEqual([1, '3.00']);
  });

  it('are what analytics reads while they match the settings, and the trades are read otherwise', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    await addTrade(t, user, accountId, { openAt: '2025-03-04T15:00:00Z', closeAt: '2025-03-04T15:30:00Z', entry: '100', exit: '103' });
    // Marked rows show which source answered: whole days read daily_sequences, an account daily_account_sequences,
    // a symbol daily_symbol_sequences, an account and a symbol together daily_aggregates.
    await t.database.db.execute(sql`update daily_aggregates set net_pnl = net_pnl + 2000 where user_id = ${user.id}`);
    await t.database.db.execute(sql`update daily_sequences set net_pnl = net_pnl + 1000 where user_id = ${user.id}`);
    await t.database.db.execute(sql`update daily_account_sequences set net_pnl = net_pnl + 3000 where user_id = ${user.id}`);
    await t.database.db.execute(sql`update daily_symbol_sequences set net_pnl = net_pnl + 4000 where user_id = ${user.id}`);
    const { fromAggregates, fromTrades } = await bothPaths(user.id, {});
    expect(Number(fromAggregates.summary.aggregates.netPnl)).toBe(1003);
    expect(Number(fromTrades.summary.aggregates.netPnl)).toBe(3);
    for (const [filters, marked] of [
      [{ accountId }, 3003],
      [{ symbol: 'AAPL' }, 4003],
      [{ accountId, symbol: 'AAPL' }, 2003],
    ] as const) {
      const both = await bothPaths(user.id, filters);
      expect(Number(both.fromAggregates.summary.aggregates.netPnl), JSON.stringify(filters)).toBe(marked);
      expect(Number(both.fromTrades.summary.aggregates.netPnl)).toBe(3);
    }
    // Users from before the account and symbol sequences read daily_aggregates for those until a rebuild.
    await t.database.db.update(dailyAggregateStates).set({ slicesBuilt: false }).where(eq(dailyAggregateStates.userId, user.id));
    expect(Number((await answers(user.id, { accountId })).summary.aggregates.netPnl)).toBe(2003);
    expect(Number((await answers(user.id, {})).summary.aggregates.netPnl)).toBe(1003);
    // A filter the aggregates cannot answer reads the trades even while they are fresh.
    expect(aggregatesServe({ side: 'long' })).toBe(false);
    expect(Number((await answers(user.id, { side: 'long' })).summary.aggregates.netPnl)).toBe(3);
  });
});
