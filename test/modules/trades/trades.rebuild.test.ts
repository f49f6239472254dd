import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, executions, trades } from '../../../src/db/schema/index.js';
import { createAccountsRepository } from '../../../src/modules/accounts/accounts.repository.js';
import { createAccountsService } from '../../../src/modules/accounts/accounts.service.js';
import { createExecutionsRepository } from '../../../src/modules/executions/executions.repository.js';
import { deriveTrades } from '../../../src/modules/trades/trades.domain.js';
import type { InstrumentRef, TradesRepository } from '../../../src/modules/trades/trades.repository.js';
import { createTradesRepository, rebuildDailyAggregates } from '../../../src/modules/trades/trades.repository.js';
import { createTradesService } from '../../../src/modules/trades/trades.service.js';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, createUser } from '../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

function services(tradesRepository: TradesRepository = createTradesRepository(t.database.db), roundExecutions?: number, aggregatePlacesFlush?: number, deriveSliceMs?: number) {
  const accountsService = createAccountsService({ accountsRepository: createAccountsRepository(t.database.db) });
  return createTradesService({ tradesRepository, executionsRepository: createExecutionsRepository(t.database.db), accountsService, roundExecutions, aggregatePlacesFlush, deriveSliceMs });
}

/** `count` executions of one symbol in the account: a round-trip-heavy sequence (scale-ins, partial exits, flips). */
async function insertFills(userId: string, accountId: string, symbol: string, count: number): Promise<void> {
  const sides = ['buy', 'buy', 'sell', 'sell', 'sell', 'buy', 'buy', 'sell'] as const;
  // Flat again after every 8 fills, the 4th crossing zero: three trades per 8 executions.
  const quantities = ['10', '5', '8', '12', '4', '9', '3', '3'];
  const rows = Array.from({ length: count }, (_, i) => ({
    userId,
    accountId,
    instrumentKey: symbol,
    symbol,
    assetClass: 'stock' as const,
    executedAt: new Date(Date.UTC(2025, 1, 3, 14, 30) + i * 60_000),
    side: sides[i % sides.length]!,
    quantity: quantities[i % quantities.length]!,
    price: (100 + ((i * 7) % 13) / 4).toFixed(2),
    commission: '0.35',
    fees: i % 3 === 0 ? '0.01' : '0',
    multiplier: '1',
  }));
  // Below the 65,535 bind parameters of one statement.
  for (let start = 0; start < rows.length; start += 2_000) await t.database.db.insert(executions).values(rows.slice(start, start + 2_000));
}

/** A user with one account and `count` executions of one symbol. */
async function ledger(symbol = 'AAPL', count = 40): Promise<{ userId: string; ref: InstrumentRef }> {
  const user = await createUser(t);
  const [account] = await t.database.db.insert(accounts).values({ userId: user.id, name: 'Main' }).returning({ id: accounts.id });
  await insertFills(user.id, account!.id, symbol, count);
  return { userId: user.id, ref: { accountId: account!.id, instrumentKey: symbol } };
}

/** Every derived column of the user's trades and links, with xmin: the transaction that last wrote each row. */
async function snapshot(userId: string) {
  const tradeRows = await t.database.db.execute(sql`
    select t.xmin::text as xmin, t.first_execution_id::text as first, t.status, t.quantity::text as quantity, t.fees::text as fees,
           t.net_pnl::text as net_pnl, t.avg_entry::text as avg_entry, t.avg_exit::text as avg_exit, t.cost_basis::text as cost_basis,
           t.execution_count, t.updated_at::text as updated_at
    from trades t where t.user_id = ${userId} order by t.opened_at, t.first_execution_id`);
  const linkRows = await t.database.db.execute(sql`
    select te.xmin::text as xmin, t.first_execution_id::text as first, te.execution_id::text as execution_id, te.quantity::text as quantity,
           te.fees::text as fees, te.role
    from trade_executions te join trades t on t.id = te.trade_id where t.user_id = ${userId}
    order by t.first_execution_id, te.execution_id`);
  return { trades: (tradeRows as unknown as { rows: Record<string, unknown>[] }).rows, links: (linkRows as unknown as { rows: Record<string, unknown>[] }).rows };
}

const withoutXmin = (rows: Record<string, unknown>[]) => rows.map(({ xmin: _xmin, updated_at: _updatedAt, ...rest }) => rest);

describe('rebuildInstruments', () => {
  it('stores exactly what deriveTrades derives, trade for trade and fill for fill', async () => {
    const { userId, ref } = await ledger();
    await services().rebuildInstruments(userId, [ref]);
    const stored = await snapshot(userId);
    const rows = await t.database.db.select().from(executions).where(eq(executions.userId, userId));
    const derived = deriveTrades(rows.map((r) => ({ ...r, seq: Number(r.seq) })));
    expect(stored.trades.map((r) => [r.first, r.status, r.quantity, r.fees, r.net_pnl, r.avg_entry, r.avg_exit, r.cost_basis, Number(r.execution_count)])).toEqual(
      derived.map((d) => [d.firstExecutionId, d.status, d.quantity, d.fees, d.netPnl, d.avgEntry, d.avgExit, d.costBasis, d.executionCount]),
    );
    const links = derived.flatMap((d) => d.fills.map((f) => ({ first: d.firstExecutionId, execution_id: f.executionId, quantity: f.quantity, fees: f.fees, role: f.role })));
    const byKey = (l: Record<string, unknown>) => `${String(l.first)}:${String(l.execution_id)}`;
    expect(withoutXmin(stored.links).sort((a, b) => byKey(a).localeCompare(byKey(b)))).toEqual(links.sort((a, b) => byKey(a).localeCompare(byKey(b))));
  });

  it('writes nothing when nothing changed: no trade row and no link row is rewritten', async () => {
    const { userId, ref } = await ledger();
    await services().rebuildInstruments(userId, [ref]);
    const before = await snapshot(userId);
    expect(before.trades.length).toBeGreaterThan(3);
    const result = await services().rebuildInstruments(userId, [ref]);
    expect(result).toEqual({ instruments: 1, trades: before.trades.length });
    expect(await snapshot(userId)).toEqual(before);
  });

  it('a changed fee rewrites only the trade it belongs to and that fill link', async () => {
    const { userId, ref } = await ledger();
    await services().rebuildInstruments(userId, [ref]);
    const before = await snapshot(userId);
    // A closing fill that did not cross zero, so it belongs to one trade only.
    const target = before.links.find((l) => l.role === 'close' && before.links.filter((o) => o.execution_id === l.execution_id).length === 1)!;
    await t.database.db.update(executions).set({ commission: '2.35' }).where(eq(executions.id, String(target.execution_id)));
    await services().rebuildInstruments(userId, [ref]);
    const after = await snapshot(userId);
    const changedTrades = after.trades.filter((r, i) => r.xmin !== before.trades[i]!.xmin).map((r) => r.first);
    expect(changedTrades).toEqual([target.first]);
    const changedTrade = after.trades.find((r) => r.first === target.first)!;
    const beforeTrade = before.trades.find((r) => r.first === target.first)!;
    // The commission went up by 2 (0.35 → 2.35), all of it this trade's.
    expect(Number(changedTrade.fees) - Number(beforeTrade.fees)).toBeCloseTo(2, 8);
    expect(changedTrade.updated_at).not.toBe(beforeTrade.updated_at);
    const changedLinks = after.links.filter((l, i) => l.xmin !== before.links[i]!.xmin).map((l) => l.execution_id);
    expect(changedLinks).toEqual([target.execution_id]);
  });

  it('a deleted first execution removes its trade (and its links) and the rest is re-derived', async () => {
    const { userId, ref } = await ledger('MSFT', 12);
    await services().rebuildInstruments(userId, [ref]);
    const before = await snapshot(userId);
    const first = String(before.trades[0]!.first);
    await t.database.db.delete(executions).where(eq(executions.id, first));
    await services().rebuildInstruments(userId, [ref]);
    const after = await snapshot(userId);
    expect(after.trades.map((r) => r.first)).not.toContain(first);
    expect(after.links.map((l) => l.execution_id)).not.toContain(first);
    const rows = await t.database.db.select().from(executions).where(eq(executions.userId, userId));
    expect(after.trades.map((r) => r.first)).toEqual(deriveTrades(rows.map((r) => ({ ...r, seq: Number(r.seq) }))).map((d) => d.firstExecutionId));
  });

  it('one rebuild that creates, rewrites and deletes trades at once stores what deriveTrades derives and announces each change once', async () => {
    const user = await createUser(t);
    const [account] = await t.database.db.insert(accounts).values({ userId: user.id, name: 'Main' }).returning({ id: accounts.id });
    const ref = { accountId: account!.id, instrumentKey: 'META' };
    // Round trip k: buy then sell 10 at minutes 2k and 2k + 1.
    const roundTrips = (from: number, count: number) =>
      Array.from({ length: count * 2 }, (_, i) => ({
        userId: user.id,
        accountId: ref.accountId,
        instrumentKey: 'META',
        symbol: 'META',
        assetClass: 'stock' as const,
        executedAt: new Date(Date.UTC(2025, 1, 3, 14, 30) + (from * 2 + i) * 60_000),
        side: i % 2 === 0 ? ('buy' as const) : ('sell' as const),
        quantity: '10',
        price: (200 + from + i).toFixed(2),
        commission: '0.35',
        multiplier: '1',
      }));
    const inserted = await t.database.db.insert(executions).values(roundTrips(0, 6)).returning({ id: executions.id });
    const published: { type: string; data: Record<string, unknown> }[] = [];
    const service = createTradesService({
      tradesRepository: createTradesRepository(t.database.db),
      executionsRepository: createExecutionsRepository(t.database.db),
      accountsService: createAccountsService({ accountsRepository: createAccountsRepository(t.database.db) }),
      events: { publish: (_user, type, data) => published.push({ type, data }) },
    });
    await service.rebuildInstruments(user.id, [ref]);
    const idOf = async (first: string) => {
      const result = await t.database.db.execute(sql`select id::text as id from trades where first_execution_id = ${first}::uuid`);
      return (result as unknown as { rows: { id: string }[] }).rows[0]?.id;
    };
    const staleId = await idOf(inserted[2]!.id);
    const rewrittenId = await idOf(inserted[8]!.id);
    // Stale: the second round trip is gone. Rewritten: the fifth one's sell costs more. New: two round trips at the end.
    await t.database.db.delete(executions).where(inArray(executions.id, [inserted[2]!.id, inserted[3]!.id]));
    await t.database.db.update(executions).set({ commission: '1.35' }).where(eq(executions.id, inserted[9]!.id));
    const added = await t.database.db.insert(executions).values(roundTrips(6, 2)).returning({ id: executions.id });
    published.length = 0;
    expect(await service.rebuildInstruments(user.id, [ref])).toEqual({ instruments: 1, trades: 7 });

    const after = await snapshot(user.id);
    const rows = await t.database.db.select().from(executions).where(eq(executions.userId, user.id));
    const derived = deriveTrades(rows.map((r) => ({ ...r, seq: Number(r.seq) })));
    expect(after.trades.map((r) => [r.first, r.status, r.quantity, r.fees, r.net_pnl, r.avg_entry, r.avg_exit, r.cost_basis, Number(r.execution_count)])).toEqual(
      derived.map((d) => [d.firstExecutionId, d.status, d.quantity, d.fees, d.netPnl, d.avgEntry, d.avgExit, d.costBasis, d.executionCount]),
    );
    const links = derived.flatMap((d) => d.fills.map((f) => ({ first: d.firstExecutionId, execution_id: f.executionId, quantity: f.quantity, fees: f.fees, role: f.role })));
    const byKey = (l: Record<string, unknown>) => `${String(l.first)}:${String(l.execution_id)}`;
    expect(withoutXmin(after.links).sort((a, b) => byKey(a).localeCompare(byKey(b)))).toEqual(links.sort((a, b) => byKey(a).localeCompare(byKey(b))));

    const idsOf = (type: string) => published.filter((e) => e.type === type).flatMap((e) => e.data.tradeIds as string[]);
    expect(idsOf('trade.created').sort()).toEqual((await Promise.all([idOf(added[0]!.id), idOf(added[2]!.id)])).sort());
    expect(idsOf('trade.updated')).toEqual([rewrittenId]);
    expect(idsOf('trade.deleted')).toEqual([staleId]);
    expect(await idOf(inserted[2]!.id)).toBeUndefined();
  });

  it('an instrument whose executions are all gone keeps no trades', async () => {
    const { userId, ref } = await ledger('NVDA', 6);
    await services().rebuildInstruments(userId, [ref]);
    expect((await snapshot(userId)).trades.length).toBeGreaterThan(0);
    await t.database.db.delete(executions).where(eq(executions.userId, userId));
    expect(await services().rebuildInstruments(userId, [ref])).toEqual({ instruments: 1, trades: 0 });
    expect(await snapshot(userId)).toEqual({ trades: [], links: [] });
  });

  it('fill links (no foreign keys) go with their executions, trades, account and user: none is left pointing at a deleted row', async () => {
    const linksOf = async (userId: string) => {
      const result = await t.database.db.execute(sql`
        select te.trade_id::text as trade_id, te.execution_id::text as execution_id from trade_executions te
        where te.execution_id in (select id from executions where user_id = ${userId}) or te.trade_id in (select id from trades where user_id = ${userId})`);
      return (result as unknown as { rows: { trade_id: string; execution_id: string }[] }).rows;
    };
    const surviving = async (links: readonly { trade_id: string; execution_id: string }[]) => {
      if (links.length === 0) return 0;
      const result = await t.database.db.execute(sql`
        select count(*)::int as n from trade_executions
        where trade_id = any(${sql.param(links.map((l) => l.trade_id))}::uuid[]) or execution_id = any(${sql.param(links.map((l) => l.execution_id))}::uuid[])`);
      return Number((result as unknown as { rows: { n: number }[] }).rows[0]!.n);
    };

    // Executions deleted without a rebuild: their links go at once, the others stay.
    const one = await ledger('INTC', 10);
    await services().rebuildInstruments(one.userId, [one.ref]);
    const all = await linksOf(one.userId);
    const gone = all[0]!.execution_id;
    await t.database.db.delete(executions).where(eq(executions.id, gone));
    const left = await linksOf(one.userId);
    expect(left.map((l) => l.execution_id)).not.toContain(gone);
    expect(left).toHaveLength(all.filter((l) => l.execution_id !== gone).length);

    // An account deleted (executions and trades cascade): none of its links remain.
    const two = await ledger('ORCL', 10);
    await services().rebuildInstruments(two.userId, [two.ref]);
    const ofAccount = await linksOf(two.userId);
    expect(ofAccount.length).toBeGreaterThan(0);
    await t.database.db.delete(accounts).where(eq(accounts.id, two.ref.accountId));
    expect(await surviving(ofAccount)).toBe(0);

    // A user deleted: the same.
    const three = await ledger('CSCO', 10);
    await services().rebuildInstruments(three.userId, [three.ref]);
    const ofUser = await linksOf(three.userId);
    expect(ofUser.length).toBeGreaterThan(0);
    await t.database.db.execute(sql`delete from users where id = ${three.userId}`);
    expect(await surviving(ofUser)).toBe(0);
  });

  it.each([
    { sliceMs: 0, pauses: 'after every trade' },
    { sliceMs: Number.POSITIVE_INFINITY, pauses: 'only before the write' },
  ])('lets the event loop turn while it derives: with deriveSliceMs $sliceMs, $pauses', async ({ sliceMs }) => {
    const { userId, ref } = await ledger('TURN', 800);
    const repository = createTradesRepository(t.database.db);
    // Turns of the event loop between the derive's start (storedTrades) and its write (syncTrades). The stored
    // trades are read before the derive starts, so no query is in flight while it runs: every turn is a pause of its own.
    let turns = 0;
    let spinning = true;
    const spin = () => {
      turns += 1;
      if (spinning) setImmediate(spin);
    };
    let stored: ReturnType<TradesRepository['storedTrades']> | undefined;
    let startedAt = 0;
    let whileDeriving = -1;
    const counting: TradesRepository = {
      ...repository,
      async loadExecutions(id, refs, tx) {
        const loaded = await repository.loadExecutions(id, refs, tx);
        stored = repository.storedTrades(id, refs, tx as Parameters<TradesRepository['storedTrades']>[2]);
        await stored;
        return loaded;
      },
      storedTrades() {
        startedAt = turns;
        return stored!;
      },
      syncTrades(...args) {
        whileDeriving = turns - startedAt;
        return repository.syncTrades(...args);
      },
    };
    spin();
    try {
      await services(counting, undefined, undefined, sliceMs).rebuildInstruments(userId, [ref]);
    } finally {
      spinning = false;
    }
    const derived = (await t.database.db.select({ id: trades.id }).from(trades).where(eq(trades.userId, userId))).length;
    expect(derived).toBe(300);
    if (sliceMs === 0) expect(whileDeriving).toBeGreaterThanOrEqual(derived);
    else expect(whileDeriving).toBeLessThanOrEqual(2);
  });

  it('never runs two queries at once on a transaction (one client runs one query at a time)', async () => {
    const { userId, ref } = await ledger('AMD', 8);
    const repository = createTradesRepository(t.database.db);
    let inFlight = 0;
    let most = 0;
    const watched = Object.fromEntries(
      Object.entries(repository).map(([name, method]) => [
        name,
        name === 'transaction'
          ? method
          : async (...args: unknown[]) => {
              const onTx = args.some((a) => a !== null && typeof a === 'object' && 'execute' in a);
              if (onTx) most = Math.max(most, ++inFlight);
              try {
                return await (method as (...a: unknown[]) => Promise<unknown>)(...args);
              } finally {
                if (onTx) inFlight -= 1;
              }
            },
      ]),
    ) as TradesRepository;
    const service = services(watched);
    await service.rebuildInstruments(userId, [ref]);
    const [account] = await t.database.db.select({ id: accounts.id }).from(accounts).where(eq(accounts.userId, userId));
    await service.createManualTrade(userId, {
      accountId: account!.id,
      symbol: 'AMD',
      assetClass: 'stock',
      fills: [
        { executedAt: '2025-03-03T14:30:00Z', side: 'buy', quantity: '1', price: '100' },
        { executedAt: '2025-03-03T15:30:00Z', side: 'sell', quantity: '1', price: '101' },
      ],
    } as Parameters<typeof service.createManualTrade>[1]);
    expect(most).toBe(1);
  });
});

describe('rebuild rounds', () => {
  /** The repository, recording the instruments and the number of executions of each loadExecutions call (the real statements still run). */
  function recordingLoads() {
    const repository = createTradesRepository(t.database.db);
    const loads: { instruments: string[]; executions: number }[] = [];
    const recording: TradesRepository = {
      ...repository,
      async loadExecutions(userId, refs, tx) {
        const loaded = await repository.loadExecutions(userId, refs, tx);
        loads.push({ instruments: refs.map((r) => r.instrumentKey), executions: loaded.length });
        return loaded;
      },
    };
    return { recording, loads };
  }

  it('packs the instruments into rounds of at most 5,000 stored executions, a larger instrument alone, and stores the trades one round would', async () => {
    const user = await createUser(t);
    const [account] = await t.database.db.insert(accounts).values({ userId: user.id, name: 'Main' }).returning({ id: accounts.id });
    const sizes = { AAA: 1_500, BBB: 1_500, CCC: 1_500, DDD: 5_200, EEE: 10, FFF: 10 };
    for (const [symbol, count] of Object.entries(sizes)) await insertFills(user.id, account!.id, symbol, count);
    // Out of order and with a repeat: the rounds follow the instruments' order, each instrument once.
    const refs = ['FFF', 'DDD', 'AAA', 'EEE', 'CCC', 'BBB', 'AAA'].map((instrumentKey) => ({ accountId: account!.id, instrumentKey }));

    const { recording, loads } = recordingLoads();
    const result = await services(recording).rebuildInstruments(user.id, refs);
    expect(loads).toEqual([
      { instruments: ['AAA', 'BBB', 'CCC'], executions: 4_500 },
      { instruments: ['DDD'], executions: 5_200 },
      { instruments: ['EEE', 'FFF'], executions: 20 },
    ]);
    const rounds = await snapshot(user.id);
    expect(result).toEqual({ instruments: 6, trades: rounds.trades.length });

    // The instrument above the bound, rebuilt alone, holds exactly what deriveTrades derives from all its executions.
    const big = await t.database.db.select().from(executions).where(and(eq(executions.userId, user.id), eq(executions.instrumentKey, 'DDD')));
    const bigFirsts = new Set(big.map((r) => r.id));
    const derived = deriveTrades(big.map((r) => ({ ...r, seq: Number(r.seq) })));
    expect(derived.length).toBeGreaterThan(100);
    expect(rounds.trades.filter((r) => bigFirsts.has(String(r.first))).map((r) => [r.first, r.status, r.quantity, r.fees, r.net_pnl, Number(r.execution_count)])).toEqual(
      derived.map((d) => [d.firstExecutionId, d.status, d.quantity, d.fees, d.netPnl, d.executionCount]),
    );

    // The same instruments derived afresh in one round of all their executions: the same trades and links.
    await t.database.db.execute(sql`delete from trades where user_id = ${user.id}`);
    const single = recordingLoads();
    await services(single.recording, Number.POSITIVE_INFINITY).rebuildInstruments(user.id, refs);
    expect(single.loads).toEqual([{ instruments: ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF'], executions: 9_720 }]);
    const oneRound = await snapshot(user.id);
    expect(withoutXmin(oneRound.trades)).toEqual(withoutXmin(rounds.trades));
    expect(withoutXmin(oneRound.links)).toEqual(withoutXmin(rounds.links));
  }, 120_000);

  it('holds the new trades of several rounds back and inserts them before every aggregates refresh, twice in one transaction too', async () => {
    const user = await createUser(t);
    const [account] = await t.database.db.insert(accounts).values({ userId: user.id, name: 'Main' }).returning({ id: accounts.id });
    for (const symbol of ['AAA', 'BBB', 'CCC']) await insertFills(user.id, account!.id, symbol, 400);
    const refs = ['AAA', 'BBB', 'CCC'].map((instrumentKey) => ({ accountId: account!.id, instrumentKey }));
    const { recording, loads } = recordingLoads();
    const daySequences = async () =>
      (
        (await t.database.db.execute(sql`
          select 'day' as slice, day::text, trade_count, net_pnl::text, segment, segment_ladder from daily_sequences where user_id = ${user.id}
          union all select account_id::text, day::text, trade_count, net_pnl::text, segment, segment_ladder from daily_account_sequences where user_id = ${user.id}
          union all select symbol, day::text, trade_count, net_pnl::text, segment, segment_ladder from daily_symbol_sequences where user_id = ${user.id}
          order by 1, 2`)) as unknown as { rows: Record<string, unknown>[] }
      ).rows;

    // Rounds of one instrument, the aggregates refreshed after each: the second refresh reads trades held back in the first round's turn.
    const service = services(recording, 400, 1);
    await t.database.db.transaction(async (tx) => {
      await service.rebuildInstruments(user.id, refs, tx);
      // The holding tables of the first rebuild are empty and reused by the second.
      await tx.execute(sql`delete from trades where user_id = ${user.id}`);
      await service.rebuildInstruments(user.id, refs, tx);
    });
    expect(loads.map((l) => l.instruments)).toEqual([['AAA'], ['BBB'], ['CCC'], ['AAA'], ['BBB'], ['CCC']]);
    const held = await snapshot(user.id);
    expect(held.trades).toHaveLength(3 * 150);
    expect(new Set(held.links.map((l) => l.execution_id)).size).toBe(1_200);
    const incremental = await daySequences();
    expect(incremental.length).toBeGreaterThan(0);

    // The same trades derived in one round (nothing held back), and the aggregates computed afresh from the trades.
    await t.database.db.execute(sql`delete from trades where user_id = ${user.id}`);
    await services(createTradesRepository(t.database.db), Number.POSITIVE_INFINITY).rebuildInstruments(user.id, refs);
    const direct = await snapshot(user.id);
    expect(withoutXmin(direct.trades)).toEqual(withoutXmin(held.trades));
    expect(withoutXmin(direct.links)).toEqual(withoutXmin(held.links));
    await t.database.db.transaction((tx) => rebuildDailyAggregates(tx, user.id));
    expect(await daySequences()).toEqual(incremental);
  });

  it('counts only what the rebuild would load: another user\'s instrument adds nothing to a round', async () => {
    const mine = await ledger('MINE', 3_000);
    const theirs = await ledger('THEIRS', 3_000);
    const { recording, loads } = recordingLoads();
    await services(recording).rebuildInstruments(mine.userId, [mine.ref, theirs.ref]);
    expect(loads.map((l) => l.executions)).toEqual([3_000]);
    expect(loads[0]!.instruments.sort()).toEqual(['MINE', 'THEIRS']);
    expect(await t.database.db.execute(sql`select count(*)::int as n from trades where user_id = ${theirs.userId}`)).toMatchObject({ rows: [{ n: 0 }] });
  }, 60_000);
});
