import { eq, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { accounts, dailyAggregateStates, dailyAggregates, playbooks, tags, tradeRuleChecks, tradeTags, trades, users } from '../../db/schema/index.js';
import type { Db, Executor } from '../../platform/db/database.js';
import { timeRange } from '../executions/executions.repository.js';
import type { TradeFilters } from '../trades/trades.repository.js';
import type { SequenceSlice } from '../trades/trades.repository.js';
import { AGGREGATE_COLUMNS, SEQUENCE_TABLES, dailyGroups, tradeFilterConditions } from '../trades/trades.repository.js';
import type { BreakdownDimension, PackedSegments, SummaryAggregates } from './analytics.domain.js';
import { BOOTSTRAP_MAX_TRADES, HOLD_TIME_BUCKETS, mergePackedSegments, parseDaySegments, sequenceAggregates } from './analytics.domain.js';

/** The user's settings that analytics depend on, read with the data generation in one primary-key lookup. */
export interface UserState {
  generation: number;
  timezone: string;
  breakevenTolerance: string;
}

export interface Scope {
  userId: string;
  filters: TradeFilters;
  timezone: string;
  breakevenTolerance: string;
}

export interface Sample {
  /** Comma-separated float P&L in trade order, and one '1'/'0' win flag per trade; null above BOOTSTRAP_MAX_TRADES. */
  values: string | null;
  flags: string | null;
  mean: number | null;
  stdev: number | null;
}

export interface GroupRow extends Sample {
  key: string | null;
  label: string | null;
  tradeCount: number;
  wins: number;
  losses: number;
  breakeven: number;
  netPnl: string;
  grossProfit: string;
  grossLoss: string;
  rCount: number;
  rMean: number | null;
}

export interface EquityPoint {
  tradeId: string | null;
  atMs: number | null;
  day: string;
  pnl: string;
  cumulative: string;
  drawdown: string;
  tradeCount: number;
}

export interface CalendarRow {
  kind: 'day' | 'week' | 'month' | 'total';
  key: string | null;
  pnl: string;
  tradeCount: number;
  wins: number;
  losses: number;
  breakeven: number;
}

export interface RunRow {
  kind: 'win' | 'loss';
  length: number;
  startMs: number;
  endMs: number;
  pnl: string;
  isTop: boolean;
  isLongest: boolean;
  isCurrent: boolean;
}

export interface RuleSideRow {
  ruleId: string;
  followed: boolean;
  tradeCount: number;
  wins: number;
  losses: number;
  netPnl: string;
}

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const ms = (column: SQL) => sql`floor(extract(epoch from ${column}) * 1000)::float8`;

/** Risk in money: initial risk, else |entry − stop| × quantity × multiplier; null when neither (or zero). */
const RISK = sql`case when ${trades.initialRisk} is not null then nullif(abs(${trades.initialRisk}), 0)
  when ${trades.stopPrice} is not null then nullif(abs(${trades.avgEntry} - ${trades.stopPrice}) * ${trades.quantity} * ${trades.multiplier}, 0) end`;

const HOLD_BUCKET = sql.raw(
  `case ${HOLD_TIME_BUCKETS.filter((b) => b.upper !== null)
    .map((b) => `when "trades"."hold_seconds" < ${b.upper} then '${b.key}'`)
    .join(' ')} else '${HOLD_TIME_BUCKETS.at(-1)!.key}' end`,
);

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Whether the daily aggregates can answer these filters: only whole local days, account and
 * symbol select closed trades by something a (account, symbol, day) group carries.
 */
export function aggregatesServe(filters: TradeFilters): boolean {
  return (
    filters.side === undefined &&
    filters.outcome === undefined &&
    filters.tag === undefined &&
    filters.playbookId === undefined &&
    filters.assetClass === undefined &&
    filters.minPnl === undefined &&
    filters.maxPnl === undefined &&
    (filters.status === undefined || filters.status === 'closed') &&
    (filters.from === undefined || DAY.test(filters.from)) &&
    (filters.to === undefined || DAY.test(filters.to))
  );
}

/**
 * Which per-day sequences can answer these filters: those of whole days, of one account or of one
 * symbol, when the aggregates can; null with both an account and a symbol (no slice holds that
 * sequence).
 */
export function sequenceSlice(filters: TradeFilters): SequenceSlice | null {
  if (!aggregatesServe(filters)) return null;
  if (filters.accountId === undefined) return filters.symbol === undefined ? 'day' : 'symbol';
  return filters.symbol === undefined ? 'account' : null;
}

const splitList = (value: unknown, separator = ','): string[] => (value === null || value === undefined || value === '' ? [] : String(value).split(separator));
const microsToMs = (us: string) => Math.floor(Number(us) / 1000);

/** Where a request's day groups are read from (see `source` in the repository): a slice's per-day sequences, the aggregates or the trades. */
type Source = SequenceSlice | 'aggregates' | 'trades';

const isSlice = (from: Source): from is SequenceSlice => from !== 'aggregates' && from !== 'trades';

/** The slice's per-day sequence rows of the request: the user's, of its account or symbol, of the requested whole days. */
function dayRowsWhere(scope: Scope, slice: SequenceSlice): SQL {
  const f = scope.filters;
  const conditions: SQL[] = [sql`user_id = ${scope.userId}`];
  if (slice === 'account') conditions.push(sql`account_id = ${f.accountId}`);
  if (slice === 'symbol') conditions.push(sql`symbol = ${f.symbol}`);
  if (f.from !== undefined) conditions.push(sql`day >= ${f.from}::date`);
  if (f.to !== undefined) conditions.push(sql`day <= ${f.to}::date`);
  return sql.join(conditions, sql` and `);
}

/**
 * The slice's per-day sequence rows of the requested days in day order, as one text: each row's
 * stored `segment` and `segment_ladder` (formatted when the row was written) joined by ';', days
 * separated by '|' (`parseDaySegments`). The rows come in day order from the subquery into a plain
 * string_agg: an ORDER BY inside the aggregate sorted the concatenated texts, spilling to temp files.
 *
 * With `tails`, a day's ladder is sent only when some of its trades are at the running peak: the
 * merge uses only ladder entries s_k ≥ D = P − C (cumulative P&L C and running peak P entering the
 * day), and none when the day's largest s_k (its last ladder entry) is below D. C and P come from
 * window functions over the day rows (P = max(0, C + that largest s_k of every earlier day)), so
 * most ladders of a long history (and most of the text: 4.7 MB at 1M trades) never leave the
 * database; the others stay whole (the merge finds their tails).
 */
function daySegmentsQuery(scope: Scope, slice: SequenceSlice, tails: boolean): SQL {
  const rows = sql`select day, segment, segment_ladder, net_pnl, ladder_pnl from ${SEQUENCE_TABLES[slice]} where ${dayRowsWhere(scope, slice)} order by day`;
  if (!tails) return sql`select string_agg(segment || ';' || segment_ladder, '|') as days from (${rows}) t`;
  const before = sql.raw('(order by day rows between unbounded preceding and 1 preceding)');
  return sql`
    select string_agg(case when top >= d then segment || ';' || segment_ladder else segment || ';;;' end, '|') as days
    from (select segment, segment_ladder, top, greatest(0::numeric, max(c + top) over ${before}) - c as d
          from (select day, segment, segment_ladder, ladder_pnl[cardinality(ladder_pnl)] as top, coalesce(sum(net_pnl) over ${before}, 0) as c
                from (${rows}) r) s) p`;
}

export function createAnalyticsRepository(db: Db) {
  /** The closed trades a request is about: the shared trade filters (owned by trades) plus closed, dated by close time. */
  function where(scope: Scope, extra: SQL[] = []): SQL {
    const conditions = [
      ...tradeFilterConditions(scope.userId, scope.filters, scope.timezone, scope.breakevenTolerance),
      sql`${trades.status} = 'closed'`,
      // Same bounds on closed_at itself, so the (user_id, closed_at, id) index can serve the range.
      ...timeRange(trades.closedAt, scope.filters, scope.timezone),
      ...extra,
    ];
    return sql.join(conditions, sql` and `);
  }
  const outcome = (scope: Scope) =>
    sql`case when ${trades.netPnl} > ${scope.breakevenTolerance}::numeric then 1 when ${trades.netPnl} < -(${scope.breakevenTolerance}::numeric) then -1 else 0 end`;
  const localTime = (scope: Scope) => sql`(${trades.closedAt} at time zone ${scope.timezone})`;

  /** The per-(account, symbol, day) groups of the filtered closed trades, computed from the trades. */
  const tradeGroups = (scope: Scope, extra: SQL[] = []) =>
    dailyGroups({ where: where(scope, extra), timezone: sql`${scope.timezone}::text`, tolerance: sql`${scope.breakevenTolerance}::numeric` });

  /**
   * Where the day groups of this request come from: the per-day sequences of its slice (whole
   * days, one account or one symbol; rows complete), daily_aggregates, or the trades; the stored
   * rows only while they were made with the user's current time zone and tolerance. Read first,
   * in a primary-key lookup, so each statement holds only the branch it runs: a statement that
   * also carried the unused fallback over the trades was costed as if it read them all, which
   * made PostgreSQL JIT-compile it (seconds at 1M trades) although that branch never ran.
   */
  async function source(scope: Scope, tx: Executor): Promise<Source> {
    if (!aggregatesServe(scope.filters)) return 'trades';
    const result = await tx.execute(sql`
      select sequences_built, slices_built from ${dailyAggregateStates}
      where user_id = ${scope.userId} and timezone = ${scope.timezone} and breakeven_tolerance = ${scope.breakevenTolerance}::numeric`);
    const row = rowsOf<{ sequences_built: boolean; slices_built: boolean }>(result)[0];
    if (!row) return 'trades';
    const slice = sequenceSlice(scope.filters);
    if (slice === null || !row.sequences_built || (slice !== 'day' && !row.slices_built)) return 'aggregates';
    return slice;
  }

  /**
   * The per-(account, symbol, day) groups of the filtered closed trades (daily_aggregates
   * columns; from a slice's per-day sequences one row per day, account and symbol null) from
   * `from`. `period` bounds local days [start, end).
   */
  function groups(scope: Scope, from: Source, period?: { start: string; endExclusive: string }): SQL {
    const tz = scope.timezone;
    const f = scope.filters;
    if (from === 'trades') {
      const periodOnTrades = period
        ? [
            sql`${trades.closedAt} >= (${period.start}::date)::timestamp at time zone ${tz}`,
            sql`${trades.closedAt} < (${period.endExclusive}::date)::timestamp at time zone ${tz}`,
          ]
        : [];
      return tradeGroups(scope, periodOnTrades);
    }
    const periodDays = period ? [sql`day >= ${period.start}::date and day < ${period.endExclusive}::date`] : [];
    if (isSlice(from)) {
      return sql`
        select user_id, null::uuid as account_id, null::text as symbol, day, trade_count, wins, losses, breakeven, net_pnl, gross_pnl, fees,
               gross_profit, gross_loss, net_pnl_squares, largest_win, largest_loss, hold_count, hold_seconds, hold_count_win, hold_seconds_win,
               hold_count_loss, hold_seconds_loss
        from ${SEQUENCE_TABLES[from]} where ${sql.join([dayRowsWhere(scope, from), ...periodDays], sql` and `)}`;
    }
    const conditions: SQL[] = [sql`${dailyAggregates.userId} = ${scope.userId}`, ...periodDays];
    if (f.from !== undefined) conditions.push(sql`${dailyAggregates.day} >= ${f.from}::date`);
    if (f.to !== undefined) conditions.push(sql`${dailyAggregates.day} <= ${f.to}::date`);
    if (f.accountId) conditions.push(sql`${dailyAggregates.accountId} = ${f.accountId}`);
    if (f.symbol) conditions.push(sql`${dailyAggregates.symbol} = ${f.symbol}`);
    return sql`select ${AGGREGATE_COLUMNS} from ${dailyAggregates} where ${sql.join(conditions, sql` and `)}`;
  }

  /**
   * The stored per-day sequences of the filtered days (of the request's slice), in day order; null
   * unless `from` is a slice. With `tails`, only the ladders the merge can use (daySegmentsQuery).
   */
  async function segmentsFrom(scope: Scope, from: Source, tx: Executor, tails: boolean): Promise<PackedSegments | null> {
    if (!isSlice(from)) return null;
    const row = rowsOf<{ days: string | null }>(await tx.execute(daySegmentsQuery(scope, from, tails)))[0];
    return parseDaySegments(row?.days ?? '');
  }

  const stateColumns = { generation: users.dataGeneration, timezone: users.timezone, breakevenTolerance: users.breakevenTolerance };
  // Every analytics request reads this (the cache key needs the generation): a named prepared statement, so neither
  // Drizzle nor PostgreSQL builds or plans it again per request.
  const userStateStatement = db
    .select(stateColumns)
    .from(users)
    .where(eq(users.id, sql.placeholder('userId')))
    .prepare('analytics_user_state');

  return {
    /**
     * Bumps every user's data generation, so every cached analytics result is computed again; answers
     * how many users. The rows are locked in id order, as the global aggregates rebuild locks them:
     * an update in table order deadlocked against it when both ran at once.
     */
    async bumpAllGenerations(tx: Executor = db): Promise<number> {
      const result = await tx.execute(sql`
        with locked as (select ${users.id} as id from ${users} order by ${users.id} for no key update),
        bumped as (update ${users} u set data_generation = u.data_generation + 1 from locked where u.id = locked.id returning 1)
        select count(*)::int as n from bumped`);
      return Number((result as unknown as { rows: { n: number | string }[] }).rows[0]?.n ?? 0);
    },

    async userState(userId: string, tx: Executor = db): Promise<UserState | undefined> {
      const [row] = tx === db ? await userStateStatement.execute({ userId }) : await tx.select(stateColumns).from(users).where(eq(users.id, userId));
      return row ? { generation: Number(row.generation), timezone: row.timezone, breakevenTolerance: row.breakevenTolerance } : undefined;
    },

    /**
     * The summary in three statements (run side by side outside a transaction):
     * - sums: counts, sums, largest win/loss, hold times, the P&L sum of squares and the daily
     *   P&L series, in one pass over the per-day sequence rows of the request's slice when they
     *   serve it, else from the per-(account, symbol, day) groups (`groups`: the stored daily
     *   aggregates when the filters allow, else the same groups computed from the trades);
     * - R: count, mean and stdev of R over the filtered closed trades that have a risk (the
     *   partial index trades_user_closed_risk_idx holds only those);
     * - the order-dependent part (drawdown, runs): merged from the per-day sequence rows of whole
     *   days, of one account or of one symbol when the filters are whole days plus at most one
     *   of those and the rows are fresh; otherwise, and for the bootstrap sample of a small summary,
     *   the filtered closed trades in (closed_at, id) order off the covering index
     *   trades_user_closed_cover_idx as two comma-separated texts (net P&L, close time) for
     *   `sequenceAggregates` (exact integer arithmetic on the P&L units).
     */
    async summary(scope: Scope, tx: Executor = db): Promise<{ aggregates: SummaryAggregates; sample: Sample }> {
      const from = await source(scope, tx);
      const sums = sql`
        coalesce(sum(trade_count), 0)::int as n, coalesce(sum(wins), 0)::int as wins, coalesce(sum(losses), 0)::int as losses,
        coalesce(sum(breakeven), 0)::int as be, coalesce(sum(net_pnl), 0) as net, coalesce(sum(gross_pnl), 0)::text as gross,
        coalesce(sum(fees), 0)::text as fees, coalesce(sum(gross_profit), 0)::text as gp, coalesce(sum(gross_loss), 0)::text as gl,
        max(largest_win)::text as lw, min(largest_loss)::text as ll, sum(net_pnl_squares) as sq,
        sum(hold_seconds)::float8 / nullif(sum(hold_count), 0) as hold,
        sum(hold_seconds_win)::float8 / nullif(sum(hold_count_win), 0) as hold_w,
        sum(hold_seconds_loss)::float8 / nullif(sum(hold_count_loss), 0) as hold_l`;
      /** Over rows with one day's P&L each in `pnl`: trading days and the daily series' mean, stdev and downside deviation. */
      const daily = sql`
        count(*)::int as days, avg(pnl)::float8 as d_mean, stddev_samp(pnl)::float8 as d_sd, sqrt(avg(least(pnl, 0) * least(pnl, 0)))::float8 as d_down`;
      // From per-day sequences (one row per day) everything comes out of one pass over the rows; from
      // the (account, symbol, day) groups the daily series needs the groups summed per day first.
      const s = isSlice(from)
          ? sql`(select ${sums}, ${daily} from (select *, net_pnl as pnl from ${SEQUENCE_TABLES[from]} where ${dayRowsWhere(scope, from)}) g) s`
          : sql`(with g as (${groups(scope, from)})
                 select * from (select ${sums} from g) s cross join (select ${daily} from (select day, sum(net_pnl) as pnl from g group by day) d) ds) s`;
      const sumsQuery = sql`
        select s.n, s.wins, s.losses, s.be, s.net::text as net, s.gross, s.fees, s.gp, s.gl, s.lw, s.ll, s.hold, s.hold_w, s.hold_l,
               (s.net / nullif(s.n, 0))::float8 as mean,
               case when s.n > 1 then sqrt(greatest(0, s.sq - s.net * s.net / s.n) / (s.n - 1))::float8 end as sd,
               s.days, s.d_mean, s.d_sd, s.d_down
        from ${s}`;
      const rQuery = sql`
        select count(r)::int as r_n, avg(r::float8) as r_mean, stddev_samp(r::float8) as r_sd
        from (select ${trades.netPnl} / ${RISK} as r from ${trades}
              where ${where(scope, [sql`(${trades.initialRisk} is not null or ${trades.stopPrice} is not null)`])}) t`;
      const [sumsResult, rResult, segments] =
        tx === db
          ? await Promise.all([tx.execute(sumsQuery), tx.execute(rQuery), segmentsFrom(scope, from, tx, true)])
          : [await tx.execute(sumsQuery), await tx.execute(rQuery), await segmentsFrom(scope, from, tx, true)];
      const r = rowsOf<Record<string, unknown>>(sumsResult)[0]!;
      const q = rowsOf<Record<string, unknown>>(rResult)[0]!;
      const n = Number(r.n);
      const bootstrap = n > 0 && n <= BOOTSTRAP_MAX_TRADES;
      let ordered = segments === null ? null : mergePackedSegments(segments);
      let sample: { pnl: Float64Array; wins: Uint8Array } | null = null;
      if (ordered === null || bootstrap) {
        // The trades in order: for the sequence without fresh day rows, and for the bootstrap sample. One sorted input
        // (the covering index already yields (closed_at, id) order, so no sort runs) feeding plain aggregates: an ORDER BY
        // inside each string_agg would sort the rows once per aggregate, spilling to disk. Close times travel as float8
        // epoch microseconds (date_part, far cheaper than the numeric extract), which round back to the exact microsecond.
        const sequenceResult = await tx.execute(sql`
          select string_agg(net_pnl::text, ',') as pnl, string_agg((date_part('epoch', closed_at) * 1000000)::bigint::text, ',') as at_us
          from (select ${trades.closedAt} as closed_at, ${trades.netPnl} as net_pnl
                from ${trades} where ${where(scope)} order by ${trades.closedAt}, ${trades.id}) t`);
        const row = rowsOf<Record<string, unknown>>(sequenceResult)[0]!;
        const sequence = sequenceAggregates(splitList(row.pnl), splitList(row.at_us).map(microsToMs), scope.breakevenTolerance);
        ordered ??= sequence;
        sample = sequence;
      }
      return {
        aggregates: {
          tradeCount: n,
          wins: Number(r.wins),
          losses: Number(r.losses),
          breakeven: Number(r.be),
          netPnl: String(r.net),
          grossPnl: String(r.gross),
          fees: String(r.fees),
          grossProfit: String(r.gp),
          grossLoss: String(r.gl),
          largestWin: r.lw === null ? null : String(r.lw),
          largestLoss: r.ll === null ? null : String(r.ll),
          avgHoldSeconds: num(r.hold),
          avgHoldSecondsWin: num(r.hold_w),
          avgHoldSecondsLoss: num(r.hold_l),
          rCount: Number(q.r_n),
          rMean: num(q.r_mean),
          rStdev: num(q.r_sd),
          maxConsecutiveWins: ordered.maxConsecutiveWins,
          maxConsecutiveLosses: ordered.maxConsecutiveLosses,
          drawdown: ordered.drawdown,
          tradingDays: Number(r.days),
          dailyMean: num(r.d_mean),
          dailyStdev: num(r.d_sd),
          dailyDownsideDeviation: num(r.d_down),
        },
        sample: {
          values: bootstrap && sample ? Array.from(sample.pnl).join(',') : null,
          flags: bootstrap && sample ? sample.wins.join('') : null,
          mean: num(r.mean),
          stdev: num(r.sd),
        },
      };
    },

    /** The stored per-day sequences of the filtered days, in day order; null when they cannot answer these filters or are not fresh. */
    async daySegments(scope: Scope, tx: Executor = db): Promise<PackedSegments | null> {
      return segmentsFrom(scope, await source(scope, tx), tx, false);
    },

    /** Per group: counts, sums, the R mean and the sample for its confidence interval. */
    async breakdown(scope: Scope, by: BreakdownDimension, tx: Executor = db): Promise<GroupRow[]> {
      const local = localTime(scope);
      let key: SQL;
      let label: SQL;
      let join = sql``;
      switch (by) {
        case 'symbol':
          key = sql`${trades.symbol}`;
          label = key;
          break;
        case 'side':
          key = sql`${trades.side}`;
          label = key;
          break;
        case 'assetClass':
          key = sql`${trades.assetClass}`;
          label = key;
          break;
        case 'account':
          key = sql`${trades.accountId}::text`;
          label = sql`${accounts.name}`;
          join = sql`join ${accounts} on ${accounts.id} = ${trades.accountId}`;
          break;
        case 'playbook':
          key = sql`${trades.playbookId}::text`;
          label = sql`${playbooks.name}`;
          join = sql`left join ${playbooks} on ${playbooks.id} = ${trades.playbookId}`;
          break;
        case 'tag':
          key = sql`${tags.id}::text`;
          label = sql`${tags.name}`;
          join = sql`left join ${tradeTags} on ${tradeTags.tradeId} = ${trades.id} left join ${tags} on ${tags.id} = ${tradeTags.tagId} and ${tags.userId} = ${scope.userId}`;
          break;
        case 'weekday':
          key = sql`extract(isodow from ${local})::int::text`;
          label = key;
          break;
        case 'hour':
          key = sql`extract(hour from ${local})::int::text`;
          label = key;
          break;
        case 'holdTime':
          key = HOLD_BUCKET;
          label = key;
          break;
        case 'month':
          key = sql`to_char(${local}, 'YYYY-MM')`;
          label = key;
          break;
      }
      const grouped = sql`
        with t as (
          select ${key} as k, ${label} as l, ${trades.id} as id, ${trades.closedAt} as closed_at, ${trades.netPnl} as net_pnl,
                 ${outcome(scope)} as o, ${trades.netPnl} / ${RISK} as r
          from ${trades} ${join} where ${where(scope)}
        )`;
      const result = await tx.execute(sql`${grouped}
        select k, min(l) as l, count(*)::int as n,
               count(*) filter (where o = 1)::int as wins, count(*) filter (where o = -1)::int as losses, count(*) filter (where o = 0)::int as be,
               sum(net_pnl)::text as net, coalesce(sum(net_pnl) filter (where o = 1), 0)::text as gp,
               coalesce(sum(net_pnl) filter (where o = -1), 0)::text as gl,
               count(r)::int as r_n, avg(r::float8) as r_mean, avg(net_pnl::float8) as mean, stddev_samp(net_pnl::float8) as sd
        from t group by k order by k nulls last`);
      const rows = rowsOf<Record<string, unknown>>(result);
      // The bootstrap samples, in close order, only of the groups small enough to use one: an ordered
      // aggregate sorts every row it is given, even in a group whose sample a CASE would throw away.
      const small = rows.filter((r) => Number(r.n) <= BOOTSTRAP_MAX_TRADES);
      const samples = new Map<string | null, { sample: string; flags: string }>();
      if (small.length > 0) {
        const keys = small.flatMap((r) => (r.k === null ? [] : [String(r.k)]));
        const withNull = small.some((r) => r.k === null);
        const sampled = await tx.execute(sql`${grouped}
          select k, string_agg(net_pnl::float8::text, ',' order by closed_at, id) as sample,
                 string_agg(case when o = 1 then '1' else '0' end, '' order by closed_at, id) as flags
          from t where k::text = any(${sql.param(keys)}::text[]) or (${withNull}::boolean and k is null) group by k`);
        for (const r of rowsOf<Record<string, unknown>>(sampled)) samples.set(r.k === null ? null : String(r.k), { sample: String(r.sample), flags: String(r.flags) });
      }
      return rows.map((r) => {
        const key = r.k === null ? null : String(r.k);
        const sample = samples.get(key);
        return {
          key,
          label: r.l === null ? null : String(r.l),
          tradeCount: Number(r.n),
          wins: Number(r.wins),
          losses: Number(r.losses),
          breakeven: Number(r.be),
          netPnl: String(r.net),
          grossProfit: String(r.gp),
          grossLoss: String(r.gl),
          rCount: Number(r.r_n),
          rMean: num(r.r_mean),
          values: sample?.sample ?? null,
          flags: sample?.flags ?? null,
          mean: num(r.mean),
          stdev: num(r.sd),
        };
      });
    },

    /** Cumulative P&L and distance below the running peak (peak starts at 0), per trade or per local day. */
    async equityCurve(scope: Scope, interval: 'trade' | 'day', tx: Executor = db): Promise<EquityPoint[]> {
      const base = sql`select ${trades.id} as id, ${trades.closedAt} as closed_at, ${trades.netPnl} as net_pnl, ${localTime(scope)}::date as day
                       from ${trades} where ${where(scope)}`;
      const from = interval === 'day' ? await source(scope, tx) : 'trades';
      const query =
        interval === 'trade'
          ? sql`
            with t as (${base}),
            c as (select t.*, sum(net_pnl) over w as cum from t window w as (order by closed_at, id))
            select id::text as id, ${ms(sql`closed_at`)} as at_ms, day::text as day, net_pnl::text as pnl, cum::text as cum,
                   (greatest(0::numeric, max(cum) over (order by closed_at, id)) - cum)::text as dd, 1 as n
            from c order by closed_at, id`
          : sql`
            with g as (${groups(scope, from)}),
            d as (select day, sum(net_pnl) as pnl, sum(trade_count)::int as n from g group by day),
            c as (select d.*, sum(pnl) over (order by day) as cum from d)
            select null as id, null::float8 as at_ms, day::text as day, pnl::text as pnl, cum::text as cum,
                   (greatest(0::numeric, max(cum) over (order by day)) - cum)::text as dd, n
            from c order by day`;
      const result = await tx.execute(query);
      return rowsOf<Record<string, unknown>>(result).map((r) => ({
        tradeId: r.id === null ? null : String(r.id),
        atMs: num(r.at_ms),
        day: String(r.day),
        pnl: String(r.pnl),
        cumulative: String(r.cum),
        drawdown: String(r.dd),
        tradeCount: Number(r.n),
      }));
    },

    /** Days, ISO weeks, months and the total of one period (local days), in one grouping-sets query over the day groups. */
    async calendar(scope: Scope, period: { start: string; endExclusive: string }, tx: Executor = db): Promise<CalendarRow[]> {
      const from = await source(scope, tx);
      const result = await tx.execute(sql`
        with g as (${groups(scope, from, period)}),
        k as (select day::text as d, to_char(day, 'IYYY-"W"IW') as w, to_char(day, 'YYYY-MM') as m, net_pnl, trade_count, wins, losses, breakeven from g)
        select grouping(d) as gd, grouping(w) as gw, grouping(m) as gm, d, w, m,
               coalesce(sum(net_pnl), 0)::text as pnl, coalesce(sum(trade_count), 0)::int as n,
               coalesce(sum(wins), 0)::int as wins, coalesce(sum(losses), 0)::int as losses, coalesce(sum(breakeven), 0)::int as be
        from k group by grouping sets ((d), (w), (m), ())
        order by 1, 2, 3, 4, 5, 6`);
      return rowsOf<Record<string, unknown>>(result).map((r) => {
        const kind: CalendarRow['kind'] = Number(r.gd) === 0 ? 'day' : Number(r.gw) === 0 ? 'week' : Number(r.gm) === 0 ? 'month' : 'total';
        const key = kind === 'day' ? r.d : kind === 'week' ? r.w : kind === 'month' ? r.m : null;
        return {
          kind,
          key: key === null || key === undefined ? null : String(key),
          pnl: String(r.pnl),
          tradeCount: Number(r.n),
          wins: Number(r.wins),
          losses: Number(r.losses),
          breakeven: Number(r.be),
        };
      });
    },

    /** Counts per equal-width bin of the metric (computed in float8, like the domain's binIndex), plus min and max. */
    async distribution(
      scope: Scope,
      metric: 'pnl' | 'r' | 'holdTime',
      buckets: number,
      tx: Executor = db,
    ): Promise<{ count: number; min: number | null; max: number | null; bins: { bin: number; count: number }[] }> {
      const value = metric === 'pnl' ? sql`${trades.netPnl}::float8` : metric === 'r' ? sql`(${trades.netPnl} / ${RISK})::float8` : sql`${trades.holdSeconds}::float8`;
      const result = await tx.execute(sql`
        with v as (select ${value} as x from ${trades} where ${where(scope)}),
        b as (select min(x) as mn, max(x) as mx, count(x)::int as n from v),
        h as (
          select case when b.mx > b.mn then least(${buckets - 1}, floor((v.x - b.mn) / (b.mx - b.mn) * ${buckets}))::int else 0 end as bin, count(*)::int as c
          from v, b where v.x is not null group by 1
        )
        select b.n, b.mn, b.mx, coalesce(json_agg(json_build_array(h.bin, h.c) order by h.bin) filter (where h.bin is not null), '[]')::text as bins
        from b left join h on true group by b.n, b.mn, b.mx`);
      const r = rowsOf<Record<string, unknown>>(result)[0]!;
      const bins = (JSON.parse(String(r.bins)) as [number, number][]).map(([bin, count]) => ({ bin, count }));
      return { count: Number(r.n), min: num(r.mn), max: num(r.mx), bins };
    },

    /** Win and loss runs (gaps and islands; breakeven trades end runs): the top `limit` by length, the longest of each kind and the current one. */
    async streaks(scope: Scope, limit: number, tx: Executor = db): Promise<RunRow[]> {
      const result = await tx.execute(sql`
        with t as (select ${trades.id} as id, ${trades.closedAt} as closed_at, ${trades.netPnl} as net_pnl, ${outcome(scope)} as o
                   from ${trades} where ${where(scope)}),
        p0 as (select t.*, row_number() over (order by closed_at, id) as rn from t),
        p as (select p0.*, rn - row_number() over (partition by o order by rn) as grp from p0),
        runs as (
          select o, count(*)::int as len, min(rn) as first_rn, max(rn) as last_rn,
                 min(closed_at) as start_at, max(closed_at) as end_at, sum(net_pnl)::text as pnl
          from p where o <> 0 group by o, grp
        ),
        ranked as (
          select runs.*, row_number() over (order by len desc, first_rn) as top_rank,
                 row_number() over (partition by o order by len desc, first_rn) as kind_rank
          from runs
        )
        select o, len, ${ms(sql`start_at`)} as start_ms, ${ms(sql`end_at`)} as end_ms, pnl,
               top_rank <= ${limit} as is_top, kind_rank = 1 as is_longest, last_rn = (select max(rn) from p) as is_current
        from ranked where top_rank <= ${limit} or kind_rank = 1 or last_rn = (select max(rn) from p)
        order by top_rank`);
      return rowsOf<Record<string, unknown>>(result).map((r) => ({
        kind: Number(r.o) === 1 ? 'win' : 'loss',
        length: Number(r.len),
        startMs: Number(r.start_ms),
        endMs: Number(r.end_ms),
        pnl: String(r.pnl),
        isTop: Boolean(r.is_top),
        isLongest: Boolean(r.is_longest),
        isCurrent: Boolean(r.is_current),
      }));
    },

    /** Per rule of a playbook and per side (followed or broken): counts and sums of the filtered closed trades checked against it. */
    async ruleSides(scope: Scope, tx: Executor = db): Promise<RuleSideRow[]> {
      const result = await tx.execute(sql`
        select ${tradeRuleChecks.ruleId}::text as rule_id, ${tradeRuleChecks.followed} as followed, count(*)::int as n,
               count(*) filter (where ${outcome(scope)} = 1)::int as wins, count(*) filter (where ${outcome(scope)} = -1)::int as losses,
               sum(${trades.netPnl})::text as net
        from ${trades} join ${tradeRuleChecks} on ${tradeRuleChecks.tradeId} = ${trades.id}
        where ${where(scope)}
        group by 1, 2`);
      return rowsOf<Record<string, unknown>>(result).map((r) => ({
        ruleId: String(r.rule_id),
        followed: Boolean(r.followed),
        tradeCount: Number(r.n),
        wins: Number(r.wins),
        losses: Number(r.losses),
        netPnl: String(r.net),
      }));
    },
  };
}

export type AnalyticsRepository = ReturnType<typeof createAnalyticsRepository>;
