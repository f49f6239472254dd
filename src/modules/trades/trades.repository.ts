import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { accounts, dailyAccountSequences, dailyAggregateStates, dailyAggregates, dailySequences, dailySymbolSequences, executions, tags, tradeExecutions, tradeRuleChecks, tradeTags, trades, users } from '../../db/schema/index.js';
import type { Db, Executor, Tx } from '../../platform/db/database.js';
import { arrayQuery } from '../../platform/db/database.js';
import { arrayParam } from '../../platform/db/array-literal.js';
import { timeRange } from '../executions/executions.repository.js';
import type { ListSettings, ListedTrade, TradeListQuery } from './trades.list-statement.js';
import { listStatement, listedTrade } from './trades.list-statement.js';
import type { SortField } from './trades.schemas.js';
import { userDataChanged } from '../../platform/db/data-changes.js';
import { uuidV7 } from '../../lib/ids.js';
import type { TradeFill } from './trades.domain.js';

export interface InstrumentRef {
  accountId: string;
  instrumentKey: string;
}

/** An execution as the rebuild needs it. */
export interface LedgerExecution {
  id: string;
  seq: number;
  accountId: string;
  instrumentKey: string;
  executedAt: Date;
  symbol: string;
  assetClass: 'stock' | 'option' | 'future' | 'forex' | 'crypto';
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  commission: string;
  fees: string;
  multiplier: string;
  currency: string;
}

/** The derived columns of one trade row; the annotation columns are never written by a rebuild. */
export interface DerivedTradeRow {
  account_id: string;
  instrument_key: string;
  symbol: string;
  asset_class: string;
  side: 'long' | 'short';
  status: 'open' | 'closed';
  opened_at: string;
  closed_at: string | null;
  quantity: string;
  open_quantity: string;
  avg_entry: string;
  avg_exit: string | null;
  gross_pnl: string;
  fees: string;
  net_pnl: string;
  cost_basis: string;
  hold_seconds: number | null;
  multiplier: string;
  currency: string;
  first_execution_id: string;
  execution_count: number;
  /** Fingerprint of the columns above and of the trade's fills: equal fingerprints, nothing to write. */
  derived_hash: string;
}

/** Fill links as columns (one entry per link in each array), the shape the statement unnests. */
export interface LinkColumns {
  tradeIds: string[];
  executionIds: string[];
  quantities: string[];
  fees: string[];
  roles: ('open' | 'close')[];
}

export interface TradeRow {
  id: string;
  accountId: string;
  symbol: string;
  instrumentKey: string;
  assetClass: 'stock' | 'option' | 'future' | 'forex' | 'crypto';
  side: 'long' | 'short';
  status: 'open' | 'closed';
  openedAt: Date;
  closedAt: Date | null;
  quantity: string;
  openQuantity: string;
  avgEntry: string;
  avgExit: string | null;
  grossPnl: string;
  fees: string;
  netPnl: string;
  costBasis: string;
  holdSeconds: number | null;
  multiplier: string;
  currency: string;
  executionCount: number;
  notes: string;
  playbookId: string | null;
  stopPrice: string | null;
  initialRisk: string | null;
  rating: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TradeTagRow {
  tradeId: string;
  id: string;
  name: string;
  kind: 'setup' | 'mistake' | 'custom';
  color: string | null;
}

export interface TradeFilters {
  from?: string;
  to?: string;
  accountId?: string;
  symbol?: string;
  side?: 'long' | 'short';
  status?: 'open' | 'closed';
  outcome?: 'win' | 'loss' | 'breakeven';
  tag?: string;
  playbookId?: string;
  assetClass?: string;
  minPnl?: string;
  maxPnl?: string;
}

export interface SortKey {
  field: SortField;
  descending: boolean;
}

const tradeColumns = {
  id: trades.id,
  accountId: trades.accountId,
  symbol: trades.symbol,
  instrumentKey: trades.instrumentKey,
  assetClass: trades.assetClass,
  side: trades.side,
  status: trades.status,
  openedAt: trades.openedAt,
  closedAt: trades.closedAt,
  quantity: trades.quantity,
  openQuantity: trades.openQuantity,
  avgEntry: trades.avgEntry,
  avgExit: trades.avgExit,
  grossPnl: trades.grossPnl,
  fees: trades.fees,
  netPnl: trades.netPnl,
  costBasis: trades.costBasis,
  holdSeconds: trades.holdSeconds,
  multiplier: trades.multiplier,
  currency: trades.currency,
  executionCount: trades.executionCount,
  notes: trades.notes,
  playbookId: trades.playbookId,
  stopPrice: trades.stopPrice,
  initialRisk: trades.initialRisk,
  rating: trades.rating,
  createdAt: trades.createdAt,
  updatedAt: trades.updatedAt,
};

/** The columns a rebuild writes, in the order of DerivedTradeRow. */
const DERIVED_COLUMNS: readonly (keyof DerivedTradeRow)[] = [
  'account_id',
  'instrument_key',
  'symbol',
  'asset_class',
  'side',
  'status',
  'opened_at',
  'closed_at',
  'quantity',
  'open_quantity',
  'avg_entry',
  'avg_exit',
  'gross_pnl',
  'fees',
  'net_pnl',
  'cost_basis',
  'hold_seconds',
  'multiplier',
  'currency',
  'first_execution_id',
  'execution_count',
  'derived_hash',
];

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/** The WHERE conditions of the shared trade filters (trade lists and analytics), always scoped to the user. */
export function tradeFilterConditions(userId: string, filters: TradeFilters, timezone: string, breakevenTolerance: string): SQL[] {
  const conditions: SQL[] = [eq(trades.userId, userId)];
  if (filters.accountId) conditions.push(eq(trades.accountId, filters.accountId));
  if (filters.symbol) conditions.push(eq(trades.symbol, filters.symbol));
  if (filters.side) conditions.push(eq(trades.side, filters.side));
  if (filters.status) conditions.push(eq(trades.status, filters.status));
  if (filters.assetClass) conditions.push(sql`${trades.assetClass} = ${filters.assetClass}`);
  if (filters.playbookId) conditions.push(eq(trades.playbookId, filters.playbookId));
  if (filters.tag) {
    conditions.push(sql`exists (select 1 from ${tradeTags} where ${tradeTags.tradeId} = ${trades.id} and ${tradeTags.tagId} = ${filters.tag})`);
  }
  if (filters.minPnl !== undefined) conditions.push(sql`${trades.netPnl} >= ${filters.minPnl}::numeric`);
  if (filters.maxPnl !== undefined) conditions.push(sql`${trades.netPnl} <= ${filters.maxPnl}::numeric`);
  const tolerance = breakevenTolerance;
  if (filters.outcome === 'win') conditions.push(sql`${trades.netPnl} > ${tolerance}::numeric`);
  if (filters.outcome === 'loss') conditions.push(sql`${trades.netPnl} < -(${tolerance}::numeric)`);
  if (filters.outcome === 'breakeven') conditions.push(sql`abs(${trades.netPnl}) <= ${tolerance}::numeric`);
  conditions.push(...timeRange(sql`coalesce(${trades.closedAt}, ${trades.openedAt})`, filters, timezone));
  return conditions;
}

/** A closed trade's place in the daily aggregates: its (account, symbol) and close time, before or after a change. */
export interface AggregateKey {
  accountId: string;
  symbol: string;
  /** ISO 8601 in UTC (`…Z`), to the microsecond for stored trades. */
  closedAt: string;
}

/** The sums daily_aggregates and daily_sequences share, in the order `DAY_SUMS` selects them. */
const SUM_COLUMNS = [
  'trade_count',
  'wins',
  'losses',
  'breakeven',
  'net_pnl',
  'gross_pnl',
  'fees',
  'gross_profit',
  'gross_loss',
  'net_pnl_squares',
  'largest_win',
  'largest_loss',
  'hold_count',
  'hold_seconds',
  'hold_count_win',
  'hold_seconds_win',
  'hold_count_loss',
  'hold_seconds_loss',
];

/** SUM_COLUMNS over a group of rows with net_pnl, gross_pnl, fees, hold_seconds and o (1 win, −1 loss, 0 breakeven). */
const DAY_SUMS = sql.raw(`
  count(*)::int as trade_count, (count(*) filter (where o = 1))::int as wins,
  (count(*) filter (where o = -1))::int as losses, (count(*) filter (where o = 0))::int as breakeven,
  sum(net_pnl) as net_pnl, sum(gross_pnl) as gross_pnl, sum(fees) as fees,
  coalesce(sum(net_pnl) filter (where o = 1), 0) as gross_profit, coalesce(sum(net_pnl) filter (where o = -1), 0) as gross_loss,
  sum(net_pnl * net_pnl) as net_pnl_squares, max(net_pnl) filter (where o = 1) as largest_win, min(net_pnl) filter (where o = -1) as largest_loss,
  count(hold_seconds)::int as hold_count, coalesce(sum(hold_seconds), 0)::bigint as hold_seconds,
  (count(hold_seconds) filter (where o = 1))::int as hold_count_win, coalesce(sum(hold_seconds) filter (where o = 1), 0)::bigint as hold_seconds_win,
  (count(hold_seconds) filter (where o = -1))::int as hold_count_loss, coalesce(sum(hold_seconds) filter (where o = -1), 0)::bigint as hold_seconds_loss`);

/** The daily_aggregates columns, in the order `dailyGroups` selects them. */
export const AGGREGATE_COLUMNS = sql.raw(['user_id', 'account_id', 'symbol', 'day', ...SUM_COLUMNS].join(', '));

/**
 * The closed trades matching `where` summed per (user, account, symbol, local day): the rows of
 * daily_aggregates, in AGGREGATE_COLUMNS order. `from` names the trades table (and may join
 * users, which `timezone` and `tolerance` may then reference). The stored aggregates and the
 * analytics fallback over trades both come from this one definition, so they cannot drift.
 */
export function dailyGroups(options: { from?: SQL; where: SQL; timezone: SQL; tolerance: SQL }): SQL {
  const from = options.from ?? sql`${trades}`;
  return sql`
    select user_id, account_id, symbol, day, ${DAY_SUMS}
    from (
      select ${trades.userId} as user_id, ${trades.accountId} as account_id, ${trades.symbol} as symbol,
             (${trades.closedAt} at time zone ${options.timezone})::date as day,
             ${trades.netPnl} as net_pnl, ${trades.grossPnl} as gross_pnl, ${trades.fees} as fees, ${trades.holdSeconds} as hold_seconds,
             case when ${trades.netPnl} > ${options.tolerance} then 1 when ${trades.netPnl} < -(${options.tolerance}) then -1 else 0 end as o
      from ${from}
      where ${trades.status} = 'closed' and ${options.where}
    ) t
    group by user_id, account_id, symbol, day`;
}

/**
 * Whose trades a per-day sequence row covers: all of the user's trades of the day
 * (daily_sequences), one account's (daily_account_sequences) or one symbol's (daily_symbol_sequences).
 */
export type SequenceSlice = 'day' | 'account' | 'symbol';

/** The table of each slice. */
export const SEQUENCE_TABLES = { day: dailySequences, account: dailyAccountSequences, symbol: dailySymbolSequences } as const;

/** The key columns of each slice's rows, between user_id and day. */
const SLICE_KEYS: Record<SequenceSlice, string[]> = { day: [], account: ['account_id'], symbol: ['symbol'] };

/** The per-day sequence columns after the sums, before the segment texts (the schema documents each). */
const SEQUENCE_FIELDS = [
  'first_us',
  'last_us',
  'min_prefix',
  'min_k',
  'min_us',
  'max_drawdown',
  'drawdown_k',
  'drawdown_us',
  'ladder_k',
  'ladder_pnl',
  'ladder_us',
  'lead_outcome',
  'lead_run',
  'trail_outcome',
  'trail_run',
  'max_win_run',
  'max_loss_run',
];

/** A slice's columns but the segment texts, in the order `daySequences` selects them. */
const sequenceFields = (slice: SequenceSlice) => ['user_id', ...SLICE_KEYS[slice], 'day', ...SUM_COLUMNS, ...SEQUENCE_FIELDS].join(', ');

/** The columns every slice has after its key columns, in `sequenceColumns` order. */
const SEQUENCE_DAY_COLUMNS = ['day', ...SUM_COLUMNS, ...SEQUENCE_FIELDS, 'segment', 'segment_ladder'].join(', ');

/** A slice's columns, in the order `daySequences` selects them. */
export const sequenceColumns = (slice: SequenceSlice) => sql.raw(['user_id', ...SLICE_KEYS[slice], SEQUENCE_DAY_COLUMNS].join(', '));

/**
 * The closed trades matching `where` per (user, local day), or per (user, account, day) or
 * (user, symbol, day) as `slice` says: their sums (as `dailyGroups`) and, in close order (ties by
 * id), the summary of their sequence, as rows of the slice's table (`sequenceColumns` order; the
 * schema documents each column). Every window runs in that one order (one sort): k and the
 * prefix sum s_k, the running maximum r_k−1 = max(0, s_1 … s_k−1) before each trade, and the
 * runs of equal outcomes — a run starts where the outcome differs from the trade before, and
 * k − (the k where its run started) + 1 is the trade's length of run so far, whose maximum over a
 * run is the run's length. The last two columns are the summary's texts of the others (`segment`,
 * `segment_ladder`: `formatDaySegment`'s format, times in milliseconds). `from`, `timezone` and
 * `tolerance` as in `dailyGroups`. With `userId` (the one user `where` selects), the partitions
 * leave user_id out: the second window level cannot see that `where` fixes it, and sorted all the
 * trades again for it (about a tenth of the statement at 500,000 trades).
 */
export function daySequences(options: { slice: SequenceSlice; from?: SQL; where: SQL; timezone: SQL; tolerance: SQL; userId?: string }): SQL {
  const from = options.from ?? sql`${trades}`;
  const keys = [...SLICE_KEYS[options.slice], 'day'];
  const part = sql.raw((options.userId === undefined ? ['user_id', ...keys] : keys).join(', '));
  const user = options.userId === undefined ? sql`` : sql`${options.userId}::uuid as user_id, `;
  const ms = (us: string) => `floor(${us} / 1000.0)::bigint`;
  return sql`
    select ${sql.raw(sequenceFields(options.slice))}, concat_ws(';', trade_count, net_pnl, ${sql.raw(ms('first_us'))}, ${sql.raw(ms('last_us'))}, min_prefix, min_k, ${sql.raw(ms('min_us'))},
             max_drawdown, drawdown_k, ${sql.raw(ms('drawdown_us'))}, lead_outcome, lead_run, trail_outcome, trail_run, max_win_run, max_loss_run) as segment,
           concat_ws(';', ladder_k_text, ladder_pnl_text, ladder_ms_text) as segment_ladder
    from (
    select ${user}${part}, ${DAY_SUMS}, min(us) as first_us, max(us) as last_us,
           min(s) as min_prefix, min(k) filter (where s = min_s)::int as min_k, min(us) filter (where s = min_s) as min_us,
           max(dd) as max_drawdown, min(k) filter (where dd = max_dd)::int as drawdown_k, min(us) filter (where dd = max_dd) as drawdown_us,
           coalesce(array_agg(k order by k) filter (where s >= r_prev), '{}')::int[] as ladder_k,
           coalesce(array_agg(s order by k) filter (where s >= r_prev), '{}')::numeric[] as ladder_pnl,
           coalesce(array_agg(us order by k) filter (where s >= r_prev), '{}')::bigint[] as ladder_us,
           min(o) filter (where k = 1)::smallint as lead_outcome,
           (case when min(o) filter (where k = 1) <> 0 then coalesce(min(k) filter (where run_k = k and k > 1) - 1, count(*)) else 0 end)::int as lead_run,
           min(o) filter (where k = n)::smallint as trail_outcome,
           (case when min(o) filter (where k = n) <> 0 then count(*) - max(run_k) + 1 else 0 end)::int as trail_run,
           coalesce(max(k - run_k + 1) filter (where o = 1), 0)::int as max_win_run, coalesce(max(k - run_k + 1) filter (where o = -1), 0)::int as max_loss_run,
           coalesce(string_agg(k::text, ',' order by k) filter (where s >= r_prev), '') as ladder_k_text,
           coalesce(string_agg(s::text, ',' order by k) filter (where s >= r_prev), '') as ladder_pnl_text,
           coalesce(string_agg(${sql.raw(ms('us'))}::text, ',' order by k) filter (where s >= r_prev), '') as ladder_ms_text
    from (
      select b.*, greatest(r_prev, s) - s as dd, min(s) over d as min_s, max(greatest(r_prev, s) - s) over d as max_dd, count(*) over d as n
      from (
        select a.*, greatest(0::numeric, max(s) over (w rows between unbounded preceding and 1 preceding)) as r_prev,
               max(case when k = 1 or o <> prev_o then k end) over (w rows between unbounded preceding and current row) as run_k
        from (
          select t.*, row_number() over w as k, sum(net_pnl) over (w rows between unbounded preceding and current row) as s,
                 lag(o) over w as prev_o
          from (
            select ${trades.userId} as user_id, ${trades.accountId} as account_id, ${trades.symbol} as symbol,
                   (${trades.closedAt} at time zone ${options.timezone})::date as day, ${trades.closedAt} as closed_at,
                   (date_part('epoch', ${trades.closedAt}) * 1000000)::bigint as us,
                   ${trades.id} as id, ${trades.netPnl} as net_pnl, ${trades.grossPnl} as gross_pnl, ${trades.fees} as fees,
                   ${trades.holdSeconds} as hold_seconds,
                   case when ${trades.netPnl} > ${options.tolerance} then 1 when ${trades.netPnl} < -(${options.tolerance}) then -1 else 0 end as o
            from ${from}
            where ${trades.status} = 'closed' and ${options.where}
          ) t
          window w as (partition by ${part} order by closed_at, id)
        ) a
        window w as (partition by ${part} order by closed_at, id)
      ) b
      window d as (partition by ${part})
    ) q
    group by ${part}
    ) g`;
}

const SLICES: readonly SequenceSlice[] = ['day', 'account', 'symbol'];

/** The user's row lock that every writer of the user's daily aggregates takes before touching them (docs/trades.md, "Lock order"). */
export async function lockUserRow(tx: Executor, userId: string): Promise<void> {
  await tx.execute(sql`select count(*) from (select 1 from ${users} where ${users.id} = ${userId} for no key update) locked`);
}

/**
 * Recomputes every daily aggregate of one user (or of all users) from the trades, and records
 * the settings they were made with. The consistency check and the repair after a settings
 * change; the trades rebuild keeps them up to date incrementally (`refreshDailyAggregates`).
 * Locks the users' rows first (in id order), so a trade write of the same user waits for it (or
 * it for that), and touches only the rows of the users it locked: a user created meanwhile keeps
 * the rows its own writes refresh.
 */
export async function rebuildDailyAggregates(tx: Executor, userId?: string): Promise<void> {
  const locked = await tx.execute(sql`
    select coalesce(array_agg(id)::text, '{}') as ids
    from (select ${users.id} as id from ${users} where ${userId === undefined ? sql`true` : sql`${users.id} = ${userId}`} order by ${users.id} for no key update) l`);
  const ids = rowsOf<{ ids: string }>(locked)[0]!.ids;
  // One user's statements keep their plain equality (and the plans that go with it).
  const ofUser = (column: SQL) => (userId === undefined ? sql`${column} = any(${ids}::uuid[])` : sql`${column} = ${userId}`);
  await tx.execute(sql`delete from ${dailyAggregates} where ${ofUser(sql`${dailyAggregates.userId}`)}`);
  await tx.execute(sql`
    insert into ${dailyAggregates} (${AGGREGATE_COLUMNS})
    ${dailyGroups({
      from: sql`${trades} join ${users} u on u.id = ${trades.userId}`,
      where: ofUser(sql`${trades.userId}`),
      timezone: sql`u.timezone`,
      tolerance: sql`u.breakeven_tolerance`,
    })}`);
  for (const slice of SLICES) {
    const table = SEQUENCE_TABLES[slice];
    await tx.execute(sql`delete from ${table} where ${ofUser(sql`${table.userId}`)}`);
    await tx.execute(sql`
      insert into ${table} (${sequenceColumns(slice)})
      ${daySequences({
        slice,
        from: sql`${trades} join ${users} u on u.id = ${trades.userId}`,
        where: ofUser(sql`${trades.userId}`),
        timezone: sql`u.timezone`,
        tolerance: sql`u.breakeven_tolerance`,
        userId,
      })}`);
  }
  await tx.execute(sql`
    insert into ${dailyAggregateStates} (user_id, timezone, breakeven_tolerance, built_at, sequences_built, slices_built)
    select id, timezone, breakeven_tolerance, now(), true, true from ${users} where ${ofUser(sql`${users.id}`)}
    on conflict (user_id) do update set timezone = excluded.timezone, breakeven_tolerance = excluded.breakeven_tolerance, built_at = excluded.built_at,
      sequences_built = true, slices_built = true`);
}

/**
 * Recomputes one user's per-day sequence rows of these local days (daily_sequences, and the
 * account and symbol slices) from the trades (a day, account or symbol without closed trades
 * that day loses its row). The caller holds the user's row lock.
 */
async function refreshDaySequences(tx: Executor, userId: string, daysQuery: SQL): Promise<void> {
  const settings = sql`(select timezone from ${users} where id = ${userId})`;
  // The days once, before any table changes (`daysQuery` may compare the tables being refreshed).
  // With one account, every trade of the user is in it: its account slice is the day slice (refreshed first). Asked in the same round trip.
  const listed = await tx.execute(sql`
    select coalesce(array_agg(distinct day)::text, '{}') as days,
           (select case when count(*) = 1 then min(${accounts.id}::text) end from ${accounts} where ${accounts.userId} = ${userId}) as single
    from (${daysQuery}) k`);
  const { days: dayList, single } = rowsOf<{ days: string; single: string | null }>(listed)[0]!;
  if (dayList === '{}') return;
  const days = sql`select unnest(${dayList}::date[]) as day`;
  for (const slice of SLICES) {
    const table = SEQUENCE_TABLES[slice];
    await tx.execute(sql`
      with k as (${days})
      delete from ${table} s using k where s.user_id = ${userId} and s.day = k.day`);
    if (slice === 'account' && single) {
      await tx.execute(sql`
        with k as (${days})
        insert into ${table} (${sequenceColumns(slice)})
        select user_id, ${single}::uuid, ${sql.raw(SEQUENCE_DAY_COLUMNS)}
        from ${dailySequences} s join k using (day) where s.user_id = ${userId}`);
      continue;
    }
    await tx.execute(sql`
      with k as (${days})
      insert into ${table} (${sequenceColumns(slice)})
      ${daySequences({
        slice,
        where: sql`${trades.userId} = ${userId}
          and ${trades.closedAt} >= ((select min(day) from k)::timestamp at time zone ${settings})
          and ${trades.closedAt} < ((select max(day) + 1 from k)::timestamp at time zone ${settings})
          and (${trades.closedAt} at time zone ${settings})::date in (select day from k)`,
        timezone: settings,
        tolerance: sql`(select breakeven_tolerance from ${users} where id = ${userId})`,
        userId,
      })}`);
  }
}

/**
 * After trades left without the trades rebuild (an account deleted with its trades, whose
 * daily_aggregates went by cascade): recomputes the user's daily_sequences of every day whose
 * trade count no longer equals the day's daily_aggregates, so both stay equal to the trades.
 */
export async function repairDailySequences(tx: Executor, userId: string): Promise<void> {
  await lockUserRow(tx, userId);
  await refreshDaySequences(
    tx,
    userId,
    sql`
      select coalesce(s.day, a.day) as day
      from (select day, trade_count from ${dailySequences} where user_id = ${userId}) s
      full join (select day, sum(trade_count)::int as trade_count from ${dailyAggregates} where user_id = ${userId} group by day) a on a.day = s.day
      where s.trade_count is distinct from a.trade_count`,
  );
}

/** A stored trade as a rebuild compares it: its id, fingerprint and place in the daily aggregates. */
export interface StoredTrade {
  id: string;
  first_execution_id: string;
  derived_hash: string | null;
  status: string;
  account_id: string;
  symbol: string;
  closed_at: string | null;
}

/** Stored trades by first execution id. */
export type StoredTrades = Map<string, StoredTrade>;

/** What syncTrades did: the ids it created, updated and deleted, and the aggregate places of the closed trades it changed. */
export interface SyncedTrades {
  created: string[];
  updated: string[];
  deleted: string[];
  touched: AggregateKey[];
}

const DERIVED = sql.raw(DERIVED_COLUMNS.join(', '));

/** How arrayParam writes each derived column: text quoted, uuids, decimals, times and integers bare (a new column must say which). */
const COLUMN_KINDS: Record<keyof DerivedTradeRow, 'plain' | 'text'> = {
  account_id: 'plain',
  instrument_key: 'text',
  symbol: 'text',
  asset_class: 'text',
  side: 'text',
  status: 'text',
  opened_at: 'plain',
  closed_at: 'plain',
  quantity: 'plain',
  open_quantity: 'plain',
  avg_entry: 'plain',
  avg_exit: 'plain',
  gross_pnl: 'plain',
  fees: 'plain',
  net_pnl: 'plain',
  cost_basis: 'plain',
  hold_seconds: 'plain',
  multiplier: 'plain',
  currency: 'text',
  first_execution_id: 'plain',
  execution_count: 'plain',
  derived_hash: 'text',
};

/** The fill links as array parameters, in the order of trade_executions' (trade_id, execution_id, quantity, fees, role). */
function linkArrays(links: LinkColumns): SQL {
  return sql`${arrayParam(links.tradeIds, 'plain')}::uuid[], ${arrayParam(links.executionIds, 'plain')}::uuid[], ${arrayParam(links.quantities, 'plain')}::numeric[],
    ${arrayParam(links.fees, 'plain')}::numeric[], ${arrayParam(links.roles, 'text')}::text[]`;
}

/** The temporary tables of holdBackNewTrades. */
const HELD_BACK = { trades: sql.raw('pg_temp.rebuild_new_trades'), links: sql.raw('pg_temp.rebuild_new_links') };

/** The derived columns of `rows` as typed array parameters, in DERIVED_COLUMNS order, for `unnest(…) as w(…, ${DERIVED})`. */
function derivedArrays(rows: readonly DerivedTradeRow[]): SQL {
  const col = <K extends keyof DerivedTradeRow>(key: K) => arrayParam(rows.map((r) => r[key]), COLUMN_KINDS[key]);
  return sql`${col('account_id')}::uuid[], ${col('instrument_key')}::text[], ${col('symbol')}::text[],
    ${col('asset_class')}::text[], ${col('side')}::text[], ${col('status')}::text[], ${col('opened_at')}::timestamptz[],
    ${col('closed_at')}::timestamptz[], ${col('quantity')}::numeric[], ${col('open_quantity')}::numeric[], ${col('avg_entry')}::numeric[],
    ${col('avg_exit')}::numeric[], ${col('gross_pnl')}::numeric[], ${col('fees')}::numeric[], ${col('net_pnl')}::numeric[],
    ${col('cost_basis')}::numeric[], ${col('hold_seconds')}::bigint[], ${col('multiplier')}::numeric[], ${col('currency')}::text[],
    ${col('first_execution_id')}::uuid[], ${col('execution_count')}::int[], ${col('derived_hash')}::text[]`;
}

/** The fill links of these trades as columns. */
function linkColumns(trades: readonly { tradeId: string; fills: readonly TradeFill[] }[]): LinkColumns {
  const links: LinkColumns = { tradeIds: [], executionIds: [], quantities: [], fees: [], roles: [] };
  for (const { tradeId, fills } of trades) {
    for (const fill of fills) {
      links.tradeIds.push(tradeId);
      links.executionIds.push(fill.executionId);
      links.quantities.push(fill.quantity);
      links.fees.push(fill.fees);
      links.roles.push(fill.role);
    }
  }
  return links;
}

/**
 * Makes the fill links of these (rewritten) trades equal to `links` in one statement: deletes
 * the links of `tradeIds` that are not wanted, inserts missing ones, and updates those whose share differs.
 */
async function syncLinks(tx: Tx, tradeIds: readonly string[], links: LinkColumns): Promise<void> {
  await tx.execute(sql`
    with w as (
      select * from unnest(${linkArrays(links)}) as w(trade_id, execution_id, quantity, fees, role)
    ),
    stored as (
      -- One primary-key probe per trade (OFFSET 0 keeps the lateral subquery from being
      -- flattened into a join the planner could answer with a scan of the whole table).
      select te.* from unnest(${sql.param(tradeIds)}::uuid[]) as k(id)
      cross join lateral (
        select x.ctid as row_id, x.trade_id, x.execution_id, x.quantity, x.fees, x.role
        from ${tradeExecutions} x where x.trade_id = k.id offset 0
      ) te
    ),
    removed as (
      delete from ${tradeExecutions} te
      where te.ctid = any(array(select row_id from stored where (trade_id, execution_id) not in (select trade_id, execution_id from w)))
    )
    insert into ${tradeExecutions} (trade_id, execution_id, quantity, fees, role)
    select * from (select trade_id, execution_id, quantity, fees, role from w except select trade_id, execution_id, quantity, fees, role from stored) d
    on conflict (trade_id, execution_id) do update set quantity = excluded.quantity, fees = excluded.fees, role = excluded.role`);
}

export function createTradesRepository(db: Db) {
  const runArrays = arrayQuery(db);
  return {
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },

    /**
     * Transaction-scoped advisory locks on each (account, instrument), taken in a fixed order
     * so two rebuilds of overlapping sets cannot deadlock.
     */
    async lockInstruments(refs: readonly InstrumentRef[], tx: Tx): Promise<void> {
      if (refs.length === 0) return;
      const keys = JSON.stringify([...new Set(refs.map((r) => `${r.accountId}:${r.instrumentKey}`))].sort());
      await tx.execute(sql`
        select count(*) from (
          select pg_advisory_xact_lock(hashtextextended(k, 0))
          from (select k from jsonb_array_elements_text(${keys}::jsonb) as a(k) order by k) ordered
        ) locked`);
    },

    /**
     * How many executions each of these instruments holds (counts[i] is refs[i]'s; 0 for an
     * instrument of another user's account): what a rebuild packs its rounds by. The owner is
     * checked on the account, not per execution (executions.user_id is its account's, migration
     * 0011), so each count can be an index-only range scan of executions_instrument_idx.
     */
    async countExecutions(userId: string, refs: readonly InstrumentRef[], tx: Executor = db): Promise<number[]> {
      if (refs.length === 0) return [];
      const result = await tx.execute(sql`
        select p.i::int as i,
               (select count(*) from ${executions} x where x.account_id = p.account_id and x.instrument_key = p.instrument_key)::float8 as n
        from unnest(${sql.param(refs.map((r) => r.accountId))}::uuid[], ${sql.param(refs.map((r) => r.instrumentKey))}::text[])
          with ordinality as p(account_id, instrument_key, i)
        join ${accounts} a on a.id = p.account_id and a.user_id = ${userId}`);
      const counts = refs.map(() => 0);
      for (const r of rowsOf<{ i: number; n: number }>(result)) counts[Number(r.i) - 1] = Number(r.n);
      return counts;
    },

    /**
     * The executions of these instruments; each instrument's in (executed_at, seq) order. One
     * index range scan per instrument (executions_instrument_idx), no sort of the whole set.
     */
    async loadExecutions(userId: string, refs: readonly InstrumentRef[], tx: Executor = db): Promise<LedgerExecution[]> {
      if (refs.length === 0) return [];
      const result = await tx.execute(sql`
        select p.i::int as i, e.id::text as id, e.seq::float8 as seq,
               (extract(epoch from e.executed_at) * 1000)::float8 as executed_ms,
               e.symbol, e.asset_class, e.side, e.quantity::text as quantity, e.price::text as price,
               e.commission::text as commission, e.fees::text as fees, e.multiplier::text as multiplier, e.currency
        from unnest(${sql.param(refs.map((r) => r.accountId))}::uuid[], ${sql.param(refs.map((r) => r.instrumentKey))}::text[])
          with ordinality as p(account_id, instrument_key, i)
        cross join lateral (
          select * from ${executions} x
          where x.account_id = p.account_id and x.instrument_key = p.instrument_key and x.user_id = ${userId}
          order by x.executed_at, x.seq
        ) e`);
      return rowsOf<Record<string, string | number>>(result).map((r) => {
        const ref = refs[Number(r.i) - 1]!;
        return {
          id: String(r.id),
          seq: Number(r.seq),
          accountId: ref.accountId,
          instrumentKey: ref.instrumentKey,
          executedAt: new Date(Math.floor(Number(r.executed_ms))),
          symbol: String(r.symbol),
          assetClass: r.asset_class as LedgerExecution['assetClass'],
          side: r.side as LedgerExecution['side'],
          quantity: String(r.quantity),
          price: String(r.price),
          commission: String(r.commission),
          fees: String(r.fees),
          multiplier: String(r.multiplier),
          currency: String(r.currency),
        };
      });
    },

    /**
     * What syncTrades compares with: (id, fingerprint, aggregate place) of the stored trades of
     * these instruments by first execution, one trades_instrument_idx range per instrument. A
     * rebuild starts this read before it derives, so the database answers while JavaScript works.
     */
    async storedTrades(userId: string, refs: readonly InstrumentRef[], tx: Tx): Promise<StoredTrades> {
      if (refs.length === 0) return new Map();
      const storedResult = await tx.execute(sql`
        select t.id::text as id, t.first_execution_id::text as first_execution_id, t.derived_hash, t.status,
               t.account_id::text as account_id, t.symbol,
               to_char(t.closed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as closed_at
        from unnest(${sql.param(refs.map((r) => r.accountId))}::uuid[], ${sql.param(refs.map((r) => r.instrumentKey))}::text[]) as r(account_id, instrument_key)
        cross join lateral (
          select x.id, x.first_execution_id, x.derived_hash, x.status, x.account_id, x.symbol, x.closed_at
          from ${trades} x
          where x.account_id = r.account_id and x.instrument_key = r.instrument_key and x.user_id = ${userId} offset 0
        ) t`);
      return new Map(rowsOf<StoredTrade>(storedResult).map((r) => [r.first_execution_id, r]));
    },

    /**
     * Makes the stored trades of some instruments (`stored`: their storedTrades read, taken in
     * this transaction after the instruments were locked; consumed) and their fill links equal to
     * `rows` and `fills` (fills[i] are rows[i]'s), keyed by first execution: deletes the trades
     * whose first execution no longer opens a trade (their fill, tag and rule-check links go with
     * them), inserts the new ones with their links (ids made here, so one plain insert of both
     * and nothing read back), and rewrites the derived columns (never the annotation columns) and
     * the links of those whose fingerprint (`derived_hash`: derived columns and fills) differs
     * from the stored one. Unchanged rows are not written or locked, so their updated_at stays.
     * A new row cannot collide with a stored trade: every trade of these instruments is in
     * `stored`, and the caller holds their locks. Answers the ids created, rewritten and deleted
     * (for real-time events), and where the closed trades it
     * deleted, inserted or changed sit in the daily aggregates, before and after the change
     * (`touched`, for refreshDailyAggregates). With `defer`, the new trades and their links go
     * into this transaction's held-back tables instead (holdBackNewTrades; insertHeldBackTrades
     * writes them).
     */
    async syncTrades(
      userId: string,
      rows: readonly DerivedTradeRow[],
      fills: readonly (readonly TradeFill[])[],
      stored: StoredTrades,
      tx: Tx,
      options: { defer?: boolean } = {},
    ): Promise<SyncedTrades> {
      const synced: SyncedTrades = { created: [], updated: [], deleted: [], touched: [] };
      const ids: string[] = [];
      const placeOf = (r: { account_id: string; symbol: string; closed_at: string | null }): AggregateKey => ({ accountId: r.account_id, symbol: r.symbol, closedAt: String(r.closed_at) });

      const added: number[] = [];
      const changed: number[] = [];
      rows.forEach((row, i) => {
        const old = stored.get(row.first_execution_id);
        if (old === undefined) {
          ids[i] = uuidV7();
          synced.created.push(ids[i]);
          added.push(i);
        } else {
          stored.delete(row.first_execution_id);
          ids[i] = old.id;
          if (old.derived_hash === row.derived_hash) return;
          if (old.status === 'closed') synced.touched.push(placeOf(old));
          synced.updated.push(old.id);
          changed.push(i);
        }
        if (row.status === 'closed') synced.touched.push(placeOf(row));
      });
      // What is left of the stored rows opens no trade any more.
      const stale = [...stored.values()];
      if (stale.length > 0) {
        await tx.execute(sql`delete from ${trades} where id = any(${sql.param(stale.map((r) => r.id))}::uuid[])`);
        for (const r of stale) {
          synced.deleted.push(r.id);
          if (r.status === 'closed') synced.touched.push(placeOf(r));
        }
      }
      const linksOf = (indexes: readonly number[]) => linkColumns(indexes.map((i) => ({ tradeId: ids[i]!, fills: fills[i]! })));
      if (added.length > 0) {
        const links = linksOf(added);
        const into = options.defer ? HELD_BACK : { trades: sql`${trades}`, links: sql`${tradeExecutions}` };
        await tx.execute(sql`
          with inserted as (
            insert into ${into.trades} (user_id, id, ${DERIVED})
            select ${userId}::uuid, w.* from unnest(${arrayParam(added.map((i) => ids[i]!), 'plain')}::uuid[], ${derivedArrays(added.map((i) => rows[i]!))}) as w(id, ${DERIVED})
          )
          insert into ${into.links} (trade_id, execution_id, quantity, fees, role)
          select * from unnest(${linkArrays(links)})`);
      }
      if (changed.length > 0) {
        await tx.execute(sql`
          update ${trades} t set
            symbol = w.symbol, asset_class = w.asset_class, side = w.side, status = w.status,
            opened_at = w.opened_at, closed_at = w.closed_at, quantity = w.quantity,
            open_quantity = w.open_quantity, avg_entry = w.avg_entry, avg_exit = w.avg_exit,
            gross_pnl = w.gross_pnl, fees = w.fees, net_pnl = w.net_pnl, cost_basis = w.cost_basis,
            hold_seconds = w.hold_seconds, multiplier = w.multiplier, currency = w.currency,
            execution_count = w.execution_count, derived_hash = w.derived_hash, updated_at = now()
          from unnest(${arrayParam(changed.map((i) => ids[i]!), 'plain')}::uuid[], ${derivedArrays(changed.map((i) => rows[i]!))}) as w(id, ${DERIVED})
          where t.id = w.id`);
        await syncLinks(tx, synced.updated, linksOf(changed));
      }
      return synced;
    },

    /**
     * Temporary tables (dropped at commit) that hold back the new trades and fill links of a rebuild
     * of many rounds (syncTrades with `defer`) until insertHeldBackTrades. Each round's trades span
     * the whole time range of its instruments, so inserting them round by round sweeps the
     * time-ordered trades indexes once per round, reading and dirtying far more pages than
     * shared_buffers holds; one insert in time order appends to them instead.
     */
    async holdBackNewTrades(tx: Tx): Promise<void> {
      await tx.execute(sql`create temp table if not exists rebuild_new_trades on commit drop as select user_id, id, ${DERIVED} from ${trades} with no data`);
      await tx.execute(sql`create temp table if not exists rebuild_new_links on commit drop as select trade_id, execution_id, quantity, fees, role from ${tradeExecutions} with no data`);
    },

    /** Inserts the trades and links held back since holdBackNewTrades (trades in time order, links in trade order) and empties the holding tables. */
    async insertHeldBackTrades(tx: Tx): Promise<void> {
      await tx.execute(sql`
        insert into ${trades} (user_id, id, ${DERIVED})
        select user_id, id, ${DERIVED} from ${HELD_BACK.trades} order by opened_at, id`);
      await tx.execute(sql`
        insert into ${tradeExecutions} (trade_id, execution_id, quantity, fees, role)
        select trade_id, execution_id, quantity, fees, role from ${HELD_BACK.links} order by trade_id, execution_id`);
      await tx.execute(sql`truncate ${HELD_BACK.trades}, ${HELD_BACK.links}`);
    },

    /**
     * Recomputes the daily aggregates of the (account, symbol, local day) groups these closed
     * trades sat in or sit in now, from the trades, set-based: one delete and one insert of
     * those groups only. Takes the user's row lock first (as the data-generation bump does), so a
     * settings change that rebuilds the aggregates is ordered before or after this, never between.
     * A user without a settings record gets one (every trade write since the aggregates existed
     * went through here or through rebuildDailyAggregates); a stale record is left for a rebuild.
     */
    async refreshDailyAggregates(userId: string, touched: readonly AggregateKey[], tx: Tx): Promise<void> {
      await lockUserRow(tx, userId);
      await tx.execute(sql`
        insert into ${dailyAggregateStates} (user_id, timezone, breakeven_tolerance, sequences_built, slices_built)
        select id, timezone, breakeven_tolerance, true, true from ${users} where id = ${userId}
        on conflict (user_id) do nothing`);
      if (touched.length === 0) return;
      const keys = sql`
        select distinct k.account_id, k.symbol, (k.closed_at at time zone u.timezone)::date as day
        from unnest(${arrayParam(touched.map((t) => t.accountId), 'plain')}::uuid[], ${arrayParam(touched.map((t) => t.symbol), 'text')}::text[],
                    ${arrayParam(touched.map((t) => t.closedAt), 'plain')}::timestamptz[]) as k(account_id, symbol, closed_at)
        cross join (select timezone from ${users} where id = ${userId}) u`;
      await tx.execute(sql`
        delete from ${dailyAggregates} a using (${keys}) k
        where a.user_id = ${userId} and a.account_id = k.account_id and a.symbol = k.symbol and a.day = k.day`);
      // The close-time range of the touched days bounds the scan of the user's trades (trades_user_closed_idx).
      const settings = sql`(select timezone from ${users} where id = ${userId})`;
      await tx.execute(sql`
        with k as (${keys})
        insert into ${dailyAggregates} (${AGGREGATE_COLUMNS})
        ${dailyGroups({
          where: sql`${trades.userId} = ${userId}
            and ${trades.closedAt} >= ((select min(day) from k)::timestamp at time zone ${settings})
            and ${trades.closedAt} < ((select max(day) + 1 from k)::timestamp at time zone ${settings})
            and (${trades.accountId}, ${trades.symbol}, (${trades.closedAt} at time zone ${settings})::date) in (select account_id, symbol, day from k)`,
          timezone: settings,
          tolerance: sql`(select breakeven_tolerance from ${users} where id = ${userId})`,
        })}`);
      await refreshDaySequences(tx, userId, sql`select distinct day from (${keys}) k`);
    },

    /** Analytics caches key on this counter; every write to the user's trading data bumps it. */
    async bumpDataGeneration(userId: string, tx: Executor = db): Promise<void> {
      await tx
        .update(users)
        .set({ dataGeneration: sql`${users.dataGeneration} + 1` })
        .where(eq(users.id, userId));
      await userDataChanged(tx, userId);
    },

    async findById(userId: string, id: string, tx: Executor = db): Promise<TradeRow | undefined> {
      const [row] = await tx.select(tradeColumns).from(trades).where(and(eq(trades.userId, userId), eq(trades.id, id)));
      return row;
    },

    async findByIds(userId: string, ids: readonly string[], tx: Executor = db): Promise<TradeRow[]> {
      if (ids.length === 0) return [];
      return tx
        .select(tradeColumns)
        .from(trades)
        .where(and(eq(trades.userId, userId), inArray(trades.id, [...ids])))
        .orderBy(asc(trades.openedAt), asc(trades.id));
    },

    /**
     * One page in the order of `sort` (then id), in one statement compiled once per filter shape
     * (trades.list-statement.ts): the trades formatted as the API returns them, with their tags,
     * and each row's sort values as PostgreSQL prints them, so the next cursor compares at full precision.
     */
    async list(userId: string, query: TradeListQuery): Promise<ListedTrade[]> {
      const statement = listStatement(query);
      let settings: ListSettings | undefined;
      if (statement.needsSettings) {
        const [row] = await runArrays({ name: 'trades_list_settings', text: 'select timezone, breakeven_tolerance::text from users where id = $1::uuid', values: [userId] });
        settings = row ? { timezone: row[0] as string, breakevenTolerance: row[1] as string } : { timezone: 'UTC', breakevenTolerance: '0' };
      }
      const rows = await runArrays({ name: statement.name, text: statement.text, values: statement.values(userId, query, settings) });
      const keyCount = query.sort.length + 1;
      return rows.map((row) => listedTrade(row, keyCount));
    },

    async tagsOf(userId: string, tradeIds: readonly string[], tx: Executor = db): Promise<TradeTagRow[]> {
      if (tradeIds.length === 0) return [];
      return tx
        .select({ tradeId: tradeTags.tradeId, id: tags.id, name: tags.name, kind: tags.kind, color: tags.color })
        .from(tradeTags)
        .innerJoin(tags, eq(tags.id, tradeTags.tagId))
        .where(and(eq(tags.userId, userId), inArray(tradeTags.tradeId, [...tradeIds])))
        .orderBy(sql`lower(${tags.name})`, tags.id);
    },

    async ruleChecksOf(tradeId: string, tx: Executor = db): Promise<{ ruleId: string; followed: boolean }[]> {
      return tx
        .select({ ruleId: tradeRuleChecks.ruleId, followed: tradeRuleChecks.followed })
        .from(tradeRuleChecks)
        .where(eq(tradeRuleChecks.tradeId, tradeId))
        .orderBy(tradeRuleChecks.ruleId);
    },

    /** The trade's fills: each execution with this trade's share of it, in time order. */
    async fillsOf(userId: string, tradeId: string, tx: Executor = db) {
      return tx
        .select({
          id: executions.id,
          accountId: executions.accountId,
          executedAt: executions.executedAt,
          symbol: executions.symbol,
          instrumentKey: executions.instrumentKey,
          assetClass: executions.assetClass,
          side: executions.side,
          quantity: executions.quantity,
          price: executions.price,
          commission: executions.commission,
          fees: executions.fees,
          multiplier: executions.multiplier,
          currency: executions.currency,
          brokerExecId: executions.brokerExecId,
          underlying: executions.underlying,
          expiry: executions.expiry,
          strike: executions.strike,
          optionRight: executions.optionRight,
          importId: executions.importId,
          createdAt: executions.createdAt,
          shareQuantity: tradeExecutions.quantity,
          shareFees: tradeExecutions.fees,
          shareRole: tradeExecutions.role,
        })
        .from(tradeExecutions)
        .innerJoin(executions, eq(executions.id, tradeExecutions.executionId))
        .where(and(eq(tradeExecutions.tradeId, tradeId), eq(executions.userId, userId)))
        .orderBy(asc(executions.executedAt), asc(executions.seq));
    },

    /** Which trades each execution belongs to, trades in openedAt order. */
    async tradeIdsOfExecutions(userId: string, executionIds: readonly string[], tx: Executor = db): Promise<{ executionId: string; tradeId: string }[]> {
      if (executionIds.length === 0) return [];
      return tx
        .select({ executionId: tradeExecutions.executionId, tradeId: tradeExecutions.tradeId })
        .from(tradeExecutions)
        .innerJoin(trades, eq(trades.id, tradeExecutions.tradeId))
        .where(and(eq(trades.userId, userId), inArray(tradeExecutions.executionId, [...executionIds])))
        .orderBy(asc(trades.openedAt), asc(trades.id));
    },
  };
}

export type TradesRepository = ReturnType<typeof createTradesRepository>;
