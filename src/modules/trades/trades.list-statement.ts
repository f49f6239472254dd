import { DAY } from '../executions/executions.repository.js';
import type { TradeFilters, SortKey } from './trades.repository.js';
import type { SortField, TradeView } from './trades.schemas.js';

/** What one trades-list page asks for; the values go to the statement as bind parameters only. */
export interface TradeListQuery {
  filters: TradeFilters;
  sort: readonly SortKey[];
  /** The cursor's sort values (then the id), as PostgreSQL printed them. */
  after?: readonly (string | null)[];
  limit: number;
}

/** A page's trade as the API returns it (rMultiple still null: see `listedTrade`), with its sort values for the next cursor. */
export interface ListedTrade {
  trade: TradeView;
  keys: (string | null)[];
}

/** The user's settings a date filter by day or an outcome filter needs. */
export interface ListSettings {
  timezone: string;
  breakevenTolerance: string;
}

/** The SQL of one filter shape, its bind values read from each request, and a prepared-statement name if it has one. */
export interface ListStatement {
  name: string | undefined;
  text: string;
  /** Whether `values` needs the user's settings (read first: the planner must see the time zone to estimate a date range). */
  needsSettings: boolean;
  values: (userId: string, query: TradeListQuery, settings: ListSettings | undefined) => unknown[];
}

/** How each sortable field compares in SQL: its column, the type its cursor text casts back to, and whether it can be null. */
const SORT_COLUMNS: Record<SortField | 'id', { column: string; type: string; nullable: boolean }> = {
  openedAt: { column: 'opened_at', type: 'timestamptz', nullable: false },
  closedAt: { column: 'closed_at', type: 'timestamptz', nullable: true },
  symbol: { column: 'symbol', type: 'text', nullable: false },
  netPnl: { column: 'net_pnl', type: 'numeric', nullable: false },
  grossPnl: { column: 'gross_pnl', type: 'numeric', nullable: false },
  quantity: { column: 'quantity', type: 'numeric', nullable: false },
  holdSeconds: { column: 'hold_seconds', type: 'bigint', nullable: true },
  id: { column: 'id', type: 'uuid', nullable: false },
};

/** An instant as `Date.prototype.toISOString` prints it (UTC, milliseconds truncated like a JS Date). */
const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** A NUMERIC as the API prints decimals: plain notation, no trailing zeros ("150.5", "0"). */
const dec = (column: string) => `trim_scale(${column})::text`;

/**
 * The page's columns in the order `listedTrade` reads them, formatted by PostgreSQL as the API
 * returns them (no Date or decimal work in JavaScript), the trade's tags aggregated alongside.
 */
const SELECTED = [
  'p.id::text',
  'p.account_id::text',
  'p.symbol',
  'p.instrument_key',
  'p.asset_class',
  'p.side',
  'p.status',
  iso('p.opened_at'),
  iso('p.closed_at'),
  dec('p.quantity'),
  dec('p.open_quantity'),
  dec('p.avg_entry'),
  dec('p.avg_exit'),
  dec('p.gross_pnl'),
  dec('p.fees'),
  dec('p.net_pnl'),
  dec('p.cost_basis'),
  'p.hold_seconds::float8',
  dec('p.multiplier'),
  'p.currency',
  'p.execution_count',
  'p.notes',
  `coalesce((
      select json_agg(json_build_object('id', g.id, 'name', g.name, 'kind', g.kind, 'color', g.color) order by lower(g.name), g.id)
      from trade_tags tt
      -- One primary-key probe per tag of the trade (OFFSET 0: the planner cannot start from all of the user's tags instead).
      cross join lateral (select x.id, x.name, x.kind, x.color from tags x where x.id = tt.tag_id and x.user_id = $1::uuid offset 0) g
      where tt.trade_id = p.id
    ), '[]'::json)`,
  'p.playbook_id::text',
  dec('p.stop_price'),
  dec('p.initial_risk'),
  'p.rating',
  iso('p.created_at'),
  iso('p.updated_at'),
];

/** The trade of one result row (columns in SELECTED order, then the sort values). */
export function listedTrade(r: unknown[], keyCount: number): ListedTrade {
  const keys: (string | null)[] = [];
  for (let i = 0; i < keyCount; i++) keys.push(r[SELECTED.length + i] as string | null);
  return {
    trade: {
      id: r[0] as string,
      accountId: r[1] as string,
      symbol: r[2] as string,
      instrumentKey: r[3] as string,
      assetClass: r[4] as TradeView['assetClass'],
      side: r[5] as TradeView['side'],
      status: r[6] as TradeView['status'],
      openedAt: r[7] as string,
      closedAt: r[8] as string | null,
      quantity: r[9] as string,
      openQuantity: r[10] as string,
      avgEntry: r[11] as string,
      avgExit: r[12] as string | null,
      grossPnl: r[13] as string,
      fees: r[14] as string,
      netPnl: r[15] as string,
      costBasis: r[16] as string,
      holdSeconds: r[17] as number | null,
      multiplier: r[18] as string,
      currency: r[19] as string,
      executionCount: r[20] as number,
      notes: r[21] as string,
      tags: r[22] as TradeView['tags'],
      playbookId: r[23] as string | null,
      stopPrice: r[24] as string | null,
      initialRisk: r[25] as string | null,
      rMultiple: null,
      rating: r[26] as number | null,
      createdAt: r[27] as string,
      updatedAt: r[28] as string,
    },
    keys,
  };
}

type Getter = (userId: string, query: TradeListQuery, settings: ListSettings | undefined) => unknown;

/**
 * Builds the statement of the shape of `query`: which filters are present (and whether a date
 * bound is a day or an instant), the outcome asked for, the sort, and which cursor values are
 * null decide the SQL text; every value is a bind parameter, the user's time zone and breakeven
 * tolerance too (only in the shapes that need them).
 */
function compile(query: TradeListQuery, name: string | undefined): ListStatement {
  const getters: Getter[] = [(userId) => userId];
  const param = (get: Getter, type: string) => {
    getters.push(get);
    return `$${getters.length}::${type}`;
  };
  const f = query.filters;
  let timezoneParam: string | undefined;
  const timezone = () => (timezoneParam ??= param((_, _q, settings) => settings!.timezone, 'text'));
  const tolerance = () => param((_, _q, settings) => settings!.breakevenTolerance, 'numeric');
  const where = ['t.user_id = $1::uuid'];
  if (f.accountId) where.push(`t.account_id = ${param((_, q) => q.filters.accountId, 'uuid')}`);
  if (f.symbol) where.push(`t.symbol = ${param((_, q) => q.filters.symbol, 'text')}`);
  if (f.side) where.push(`t.side = ${param((_, q) => q.filters.side, 'text')}`);
  if (f.status) where.push(`t.status = ${param((_, q) => q.filters.status, 'text')}`);
  if (f.assetClass) where.push(`t.asset_class = ${param((_, q) => q.filters.assetClass, 'text')}`);
  if (f.playbookId) where.push(`t.playbook_id = ${param((_, q) => q.filters.playbookId, 'uuid')}`);
  if (f.tag) where.push(`exists (select 1 from trade_tags x where x.trade_id = t.id and x.tag_id = ${param((_, q) => q.filters.tag, 'uuid')})`);
  if (f.minPnl !== undefined) where.push(`t.net_pnl >= ${param((_, q) => q.filters.minPnl, 'numeric')}`);
  if (f.maxPnl !== undefined) where.push(`t.net_pnl <= ${param((_, q) => q.filters.maxPnl, 'numeric')}`);
  if (f.outcome === 'win') where.push(`t.net_pnl > ${tolerance()}`);
  if (f.outcome === 'loss') where.push(`t.net_pnl < -${tolerance()}`);
  if (f.outcome === 'breakeven') where.push(`abs(t.net_pnl) <= ${tolerance()}`);
  const activity = 'coalesce(t.closed_at, t.opened_at)';
  if (f.from !== undefined) {
    const from = DAY.test(f.from) ? `(${param((_, q) => q.filters.from, 'date')})::timestamp at time zone ${timezone()}` : param((_, q) => q.filters.from, 'timestamptz');
    where.push(`${activity} >= ${from}`);
  }
  if (f.to !== undefined) {
    const to = DAY.test(f.to) ? `(${param((_, q) => q.filters.to, 'date')} + 1)::timestamp at time zone ${timezone()}` : param((_, q) => q.filters.to, 'timestamptz');
    where.push(`${activity} < ${to}`);
    // Implied by the date filter (a trade's activity time, closedAt or else openedAt, is never
    // before its openedAt), and an index bound: a page in openedAt order starts reading at `to`
    // instead of skipping every later trade.
    where.push(`t.opened_at < ${to}`);
  }

  const keys = [...query.sort, { field: 'id' as const, descending: false }];
  if (query.after) {
    const after = query.after;
    // The cursor's values in parameters of their own, each compared as its column's type.
    const values = keys.map((k, i) => (after[i] === null ? null : param((_, q) => q.after![i], SORT_COLUMNS[k.field].type)));
    // Rows strictly after the cursor's row in the (k1, k2, ..., id) order. Nulls sort last in both
    // directions, so "after value v" for a nullable column also takes the nulls.
    const alternatives: string[] = [];
    keys.forEach((k, i) => {
      const c = SORT_COLUMNS[k.field];
      const value = values[i];
      if (value === null) return;
      const cmp = `t.${c.column} ${k.descending ? '<' : '>'} ${value}`;
      const afterValue = c.nullable ? `(${cmp} or t.${c.column} is null)` : cmp;
      const equal = keys.slice(0, i).map((e, j) => `t.${SORT_COLUMNS[e.field].column} ${values[j] === null ? 'is null' : `= ${values[j]}`}`);
      alternatives.push(equal.length > 0 ? `(${[...equal, afterValue].join(' and ')})` : afterValue);
    });
    where.push(alternatives.length > 0 ? `(${alternatives.join(' or ')})` : 'false');
    // The same condition restated as a bound on the first key alone, which an index can seek to
    // (the OR above can only be filtered); a nullable first key has no such bound, nulls come after.
    const first = SORT_COLUMNS[keys[0]!.field];
    if (!first.nullable && values[0] !== null) where.push(`t.${first.column} ${keys[0]!.descending ? '<=' : '>='} ${values[0]}`);
  }
  // NULLS LAST only where a column can be null: said of a NOT NULL column it would only stop
  // the planner from reading a descending page backwards off an ascending index.
  const orderBy = (alias: string) =>
    keys
      .map((k) => {
        const c = SORT_COLUMNS[k.field];
        return `${alias}.${c.column} ${k.descending ? 'desc' : 'asc'}${c.nullable ? ' nulls last' : ''}`;
      })
      .join(', ');
  const limit = param((_, q) => q.limit, 'int');
  // The page is chosen first (the CTE is inlined: one index scan and a LIMIT); only its rows are formatted and get their tags.
  const text = `with page as (
  select t.* from trades t
  where ${where.join('\n    and ')}
  order by ${orderBy('t')}
  limit ${limit}
)
select ${[...SELECTED, ...keys.map((k) => `p.${SORT_COLUMNS[k.field].column}::text`)].join(',\n  ')}
from page p
order by ${orderBy('p')}`;
  const needsSettings = timezoneParam !== undefined || f.outcome !== undefined;
  return { name, text, needsSettings, values: (userId, q, settings) => getters.map((get) => get(userId, q, settings)) };
}

/** The parts of a query that decide its SQL text (not the values). */
function shapeOf(query: TradeListQuery): string {
  const f = query.filters;
  const bound = (value: string | undefined) => (value === undefined ? '-' : DAY.test(value) ? 'd' : 'i');
  const present = [f.accountId, f.symbol, f.side, f.status, f.assetClass, f.playbookId, f.tag].map((v) => (v ? '1' : '0')).join('');
  const range = [f.minPnl, f.maxPnl].map((v) => (v === undefined ? '0' : '1')).join('');
  const sort = query.sort.map((k) => `${k.descending ? '-' : ''}${k.field}`).join(',');
  const after = query.after ? query.after.map((v) => (v === null ? 'n' : 'v')).join('') : '-';
  return `${present}${range}${bound(f.from)}${bound(f.to)}|${f.outcome ?? ''}|${sort}|${after}`;
}

/**
 * Shapes kept compiled. The first PREPARED of them are also named, so node-postgres prepares
 * each once per connection and PostgreSQL parses and plans it once; a bound on both keeps a
 * client that tries endless sort and filter combinations from growing this process's memory or
 * every connection's statement cache.
 */
const MEMO_LIMIT = 256;
const PREPARED = 64;
const memo = new Map<string, ListStatement>();

/** The statement for this query's shape, compiled once. */
export function listStatement(query: TradeListQuery): ListStatement {
  const shape = shapeOf(query);
  const known = memo.get(shape);
  if (known) return known;
  const statement = compile(query, memo.size < PREPARED ? `trades_list_${memo.size}` : undefined);
  if (memo.size < MEMO_LIMIT) memo.set(shape, statement);
  return statement;
}
