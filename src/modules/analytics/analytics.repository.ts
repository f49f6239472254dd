import { eq, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { accounts, playbooks, tags, tradeRuleChecks, tradeTags, trades, users } from '../../db/schema/index.js';
import type { Db, Executor } from '../../platform/db/database.js';
import { timeRange } from '../executions/executions.repository.js';
import type { TradeFilters } from '../trades/trades.repository.js';
import { tradeFilterConditions } from '../trades/trades.repository.js';
import type { BreakdownDimension, DrawdownAggregates, SummaryAggregates } from './analytics.domain.js';
import { BOOTSTRAP_MAX_TRADES, HOLD_TIME_BUCKETS } from './analytics.domain.js';

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

  const stateColumns = { generation: users.dataGeneration, timezone: users.timezone, breakevenTolerance: users.breakevenTolerance };
  // Every analytics request reads this (the cache key needs the generation): a named prepared statement, so neither
  // Drizzle nor PostgreSQL builds or plans it again per request.
  const userStateStatement = db
    .select(stateColumns)
    .from(users)
    .where(eq(users.id, sql.placeholder('userId')))
    .prepare('analytics_user_state');

  return {
    /** Bumps every user's data generation, so every cached analytics result is computed again; answers how many users. */
    async bumpAllGenerations(tx: Executor = db): Promise<number> {
      const result = await tx.execute(sql`
        with bumped as (update ${users} set data_generation = data_generation + 1 returning 1)
        select count(*)::int as n from bumped`);
      return Number((result as unknown as { rows: { n: number | string }[] }).rows[0]?.n ?? 0);
    },

    async userState(userId: string, tx: Executor = db): Promise<UserState | undefined> {
      const [row] = tx === db ? await userStateStatement.execute({ userId }) : await tx.select(stateColumns).from(users).where(eq(users.id, userId));
      return row ? { generation: Number(row.generation), timezone: row.timezone, breakevenTolerance: row.breakevenTolerance } : undefined;
    },

    /**
     * Every summary aggregate in one statement and one ordered pass: the trades stream in
     * (closed_at, id) order (the partial covering index trades_user_closed_cover_idx serves
     * it without a sort or a heap visit) through three stacked window functions that share that
     * ordering, into one aggregate. No CTE is read twice and nothing is correlated. Close times
     * are non-decreasing in this order, so "the close time of the last row of a kind" is a max.
     * - runs: the row number of the latest change of outcome gives each trade's run length;
     * - drawdown: running sum and peak (peak starts at 0); the trough is the last "record" (a
     *   distance below the peak larger than all before it, so the first on ties); it is
     *   regained at the first row back at the peak whose preceding max distance is the max
     *   drawdown, i.e. the max of [max distance before, −row number, close] over peak rows;
     * - underwater stretches end at rows back at the peak; the longest (earliest on ties) is
     *   the max of [seconds, −row number, from, to]; the open stretch at the end wins only when
     *   strictly longer;
     * - days: the cumulative P&L at the last trade of each run of equal local days; their
     *   differences, grouped by day, are the daily P&L (a day can recur around a DST change).
     */
    async summary(scope: Scope, tx: Executor = db): Promise<{ aggregates: SummaryAggregates; sample: Sample }> {
      const rec = sql`dd > coalesce(max_dd_before, 0)`;
      const stretchFrom = sql`coalesce(prev_peak_at, first_at)`;
      // The stretch still under water at the end is the longest when it is strictly longer than every closed one.
      const openLongest = sql`(agg.last_rn > coalesce(agg.peak_rn, 0)
        and (agg.uw is null or extract(epoch from agg.last_at - coalesce(agg.peak_row_at, agg.first_at)) > agg.uw[1]))`;
      const result = await tx.execute(sql`
        with agg as (
          select count(*)::int as n,
                 count(*) filter (where o = 1)::int as wins, count(*) filter (where o = -1)::int as losses, count(*) filter (where o = 0)::int as be,
                 coalesce(sum(net_pnl), 0)::text as net, coalesce(sum(gross_pnl), 0)::text as gross, coalesce(sum(fees), 0)::text as fees,
                 coalesce(sum(net_pnl) filter (where o = 1), 0)::text as gp, coalesce(sum(net_pnl) filter (where o = -1), 0)::text as gl,
                 (max(net_pnl) filter (where o = 1))::text as lw, (min(net_pnl) filter (where o = -1))::text as ll,
                 avg(hold_seconds::float8) as hold, avg(hold_seconds::float8) filter (where o = 1) as hold_w,
                 avg(hold_seconds::float8) filter (where o = -1) as hold_l,
                 count(r)::int as r_n, avg(r::float8) as r_mean, stddev_samp(r::float8) as r_sd,
                 avg(nf) as mean, stddev_samp(nf) as sd,
                 max(rn - run_rn + 1) filter (where o = 1) as mw, max(rn - run_rn + 1) filter (where o = -1) as ml,
                 coalesce(max(dd), 0) as mdd,
                 max(closed_at) filter (where ${rec}) as trough_at, max(prev_peak_at) filter (where ${rec}) as peak_at,
                 max(array[coalesce(max_dd_before, 0), -rn, floor(extract(epoch from closed_at) * 1000)]) filter (where at_peak) as back,
                 max(array[extract(epoch from closed_at - ${stretchFrom}), -rn, floor(extract(epoch from ${stretchFrom}) * 1000), floor(extract(epoch from closed_at) * 1000)])
                   filter (where at_peak and rn - coalesce(prev_peak_rn, 0) > 1) as uw,
                 max(rn) filter (where at_peak) as peak_rn, max(closed_at) filter (where at_peak) as peak_row_at,
                 min(closed_at) as first_at, max(closed_at) as last_at, max(rn) as last_rn,
                 array_agg(day order by rn) filter (where day_last) as days,
                 array_agg(cum order by rn) filter (where day_last) as day_cums,
                 -- Enough for the bootstrap, which is used only when every trade is in it (tradeCount <= BOOTSTRAP_MAX_TRADES).
                 string_agg(nf::text, ',' order by rn) filter (where rn <= ${BOOTSTRAP_MAX_TRADES + 1}) as sample,
                 string_agg(case when o = 1 then '1' else '0' end, '' order by rn) filter (where rn <= ${BOOTSTRAP_MAX_TRADES + 1}) as flags
          from (
            select l2.*,
                   max(case when at_peak then rn end) over before as prev_peak_rn,
                   max(case when at_peak then closed_at end) over before as prev_peak_at,
                   max(dd) over before as max_dd_before
            from (
              select l1.*, cum >= greatest(0::numeric, max(cum) over upto) as at_peak, greatest(0::numeric, max(cum) over upto) - cum as dd,
                     max(case when o is distinct from prev_o then rn end) over upto as run_rn
              from (
                select t.*, row_number() over upto as rn, sum(net_pnl) over upto as cum, lag(o) over upto as prev_o,
                       min(closed_at) over upto as first_at, day is distinct from lead(day) over upto as day_last
                from (
                  select ${trades.id} as id, ${trades.closedAt} as closed_at, ${trades.netPnl} as net_pnl, ${trades.grossPnl} as gross_pnl,
                         ${trades.fees} as fees, ${trades.holdSeconds} as hold_seconds, ${outcome(scope)} as o, ${trades.netPnl}::float8 as nf,
                         ${trades.netPnl} / ${RISK} as r, ${localTime(scope)}::date as day
                  from ${trades} where ${where(scope)}
                ) t window upto as (order by closed_at, id rows between unbounded preceding and current row)
              ) l1 window upto as (order by closed_at, id rows between unbounded preceding and current row)
            ) l2 window before as (order by closed_at, id rows between unbounded preceding and 1 preceding)
          ) l3
        )
        select agg.n, agg.wins, agg.losses, agg.be, agg.net, agg.gross, agg.fees, agg.gp, agg.gl, agg.lw, agg.ll, agg.hold, agg.hold_w, agg.hold_l,
               agg.r_n, agg.r_mean, agg.r_sd, agg.mean, agg.sd, agg.mw, agg.ml, agg.mdd::text as mdd, agg.sample, agg.flags,
               ds.days, ds.d_mean, ds.d_sd, ds.d_down,
               ${ms(sql`agg.trough_at`)} as trough_ms, ${ms(sql`agg.peak_at`)} as peak_ms,
               case when agg.mdd > 0 and agg.back[1] = agg.mdd then agg.back[3]::float8 end as recovered_ms,
               case when ${openLongest} then ${ms(sql`coalesce(agg.peak_row_at, agg.first_at)`)} else agg.uw[3]::float8 end as uw_from_ms,
               case when ${openLongest} then ${ms(sql`agg.last_at`)} else agg.uw[4]::float8 end as uw_to_ms,
               not ${openLongest} as uw_recovered
        from agg cross join lateral (
          select count(*)::int as days, avg(pnl)::float8 as d_mean, stddev_samp(pnl)::float8 as d_sd,
                 sqrt(avg(least(pnl, 0) * least(pnl, 0)))::float8 as d_down
          from (
            select day, sum(pnl) as pnl
            from (select day, cum - coalesce(lag(cum) over (order by i), 0) as pnl from unnest(agg.days, agg.day_cums) with ordinality as u(day, cum, i)) x
            group by day
          ) d
        ) ds`);
      const r = rowsOf<Record<string, unknown>>(result)[0]!;
      const date = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)));
      const uwFrom = date(r.uw_from_ms);
      const uwTo = date(r.uw_to_ms);
      const drawdown: DrawdownAggregates = {
        amount: String(r.mdd),
        peakAt: date(r.peak_ms),
        troughAt: date(r.trough_ms),
        recoveredAt: date(r.recovered_ms),
        underwater:
          uwFrom && uwTo
            ? { seconds: Math.round((uwTo.getTime() - uwFrom.getTime()) / 1000), from: uwFrom, to: uwTo, recovered: Boolean(r.uw_recovered) }
            : null,
      };
      return {
        aggregates: {
          tradeCount: Number(r.n),
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
          rCount: Number(r.r_n),
          rMean: num(r.r_mean),
          rStdev: num(r.r_sd),
          maxConsecutiveWins: Number(r.mw ?? 0),
          maxConsecutiveLosses: Number(r.ml ?? 0),
          drawdown,
          tradingDays: Number(r.days),
          dailyMean: num(r.d_mean),
          dailyStdev: num(r.d_sd),
          dailyDownsideDeviation: num(r.d_down),
        },
        sample: {
          values: Number(r.n) <= BOOTSTRAP_MAX_TRADES ? ((r.sample as string | null) ?? null) : null,
          flags: Number(r.n) <= BOOTSTRAP_MAX_TRADES ? ((r.flags as string | null) ?? null) : null,
          mean: num(r.mean),
          stdev: num(r.sd),
        },
      };
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
      const result = await tx.execute(sql`
        with t as (
          select ${key} as k, ${label} as l, ${trades.id} as id, ${trades.closedAt} as closed_at, ${trades.netPnl} as net_pnl,
                 ${outcome(scope)} as o, ${trades.netPnl} / ${RISK} as r
          from ${trades} ${join} where ${where(scope)}
        )
        select k, min(l) as l, count(*)::int as n,
               count(*) filter (where o = 1)::int as wins, count(*) filter (where o = -1)::int as losses, count(*) filter (where o = 0)::int as be,
               sum(net_pnl)::text as net, coalesce(sum(net_pnl) filter (where o = 1), 0)::text as gp,
               coalesce(sum(net_pnl) filter (where o = -1), 0)::text as gl,
               count(r)::int as r_n, avg(r::float8) as r_mean, avg(net_pnl::float8) as mean, stddev_samp(net_pnl::float8) as sd,
               case when count(*) <= ${BOOTSTRAP_MAX_TRADES} then string_agg(net_pnl::float8::text, ',' order by closed_at, id) end as sample,
               case when count(*) <= ${BOOTSTRAP_MAX_TRADES} then string_agg(case when o = 1 then '1' else '0' end, '' order by closed_at, id) end as flags
        from t group by k order by k nulls last`);
      return rowsOf<Record<string, unknown>>(result).map((r) => ({
        key: r.k === null ? null : String(r.k),
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
        values: (r.sample as string | null) ?? null,
        flags: (r.flags as string | null) ?? null,
        mean: num(r.mean),
        stdev: num(r.sd),
      }));
    },

    /** Cumulative P&L and distance below the running peak (peak starts at 0), per trade or per local day. */
    async equityCurve(scope: Scope, interval: 'trade' | 'day', tx: Executor = db): Promise<EquityPoint[]> {
      const base = sql`select ${trades.id} as id, ${trades.closedAt} as closed_at, ${trades.netPnl} as net_pnl, ${localTime(scope)}::date as day
                       from ${trades} where ${where(scope)}`;
      const query =
        interval === 'trade'
          ? sql`
            with t as (${base}),
            c as (select t.*, sum(net_pnl) over w as cum from t window w as (order by closed_at, id))
            select id::text as id, ${ms(sql`closed_at`)} as at_ms, day::text as day, net_pnl::text as pnl, cum::text as cum,
                   (greatest(0::numeric, max(cum) over (order by closed_at, id)) - cum)::text as dd, 1 as n
            from c order by closed_at, id`
          : sql`
            with t as (${base}),
            d as (select day, sum(net_pnl) as pnl, count(*)::int as n from t group by day),
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

    /** Days, ISO weeks, months and the total of one period (local days), in one grouping-sets query. */
    async calendar(scope: Scope, period: { start: string; endExclusive: string }, tx: Executor = db): Promise<CalendarRow[]> {
      const tz = scope.timezone;
      const inPeriod = [
        sql`${trades.closedAt} >= (${period.start}::date)::timestamp at time zone ${tz}`,
        sql`${trades.closedAt} < (${period.endExclusive}::date)::timestamp at time zone ${tz}`,
      ];
      const result = await tx.execute(sql`
        with t as (
          select ${localTime(scope)}::date as day, ${trades.netPnl} as net_pnl, ${outcome(scope)} as o
          from ${trades} where ${where(scope, inPeriod)}
        ),
        k as (select day::text as d, to_char(day, 'IYYY-"W"IW') as w, to_char(day, 'YYYY-MM') as m, net_pnl, o from t)
        select grouping(d) as gd, grouping(w) as gw, grouping(m) as gm, d, w, m,
               coalesce(sum(net_pnl), 0)::text as pnl, count(*)::int as n,
               count(*) filter (where o = 1)::int as wins, count(*) filter (where o = -1)::int as losses, count(*) filter (where o = 0)::int as be
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
