import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { executions, tags, tradeExecutions, tradeRuleChecks, tradeTags, trades, users } from '../../db/schema/index.js';
import type { Db, Executor, Tx } from '../../platform/db/database.js';
import { timeRange } from '../executions/executions.repository.js';
import type { SortField } from './trades.schemas.js';

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
}

/** A stored trade's identity and derived columns, to tell which rows a rebuild must write. */
export interface StoredTrade {
  id: string;
  firstExecutionId: string;
  symbol: string;
  assetClass: string;
  side: string;
  status: string;
  openedMs: number;
  closedMs: number | null;
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
}

export interface StoredLink {
  tradeId: string;
  executionId: string;
  quantity: string;
  fees: string;
  role: 'open' | 'close';
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

/** How each sortable field compares in SQL: its column, the type its cursor text casts back to, and whether it can be null. */
const SORT_COLUMNS: Record<SortField | 'id', { column: SQL; type: SQL; nullable: boolean }> = {
  openedAt: { column: sql`${trades.openedAt}`, type: sql`timestamptz`, nullable: false },
  closedAt: { column: sql`${trades.closedAt}`, type: sql`timestamptz`, nullable: true },
  symbol: { column: sql`${trades.symbol}`, type: sql`text`, nullable: false },
  netPnl: { column: sql`${trades.netPnl}`, type: sql`numeric`, nullable: false },
  grossPnl: { column: sql`${trades.grossPnl}`, type: sql`numeric`, nullable: false },
  quantity: { column: sql`${trades.quantity}`, type: sql`numeric`, nullable: false },
  holdSeconds: { column: sql`${trades.holdSeconds}`, type: sql`bigint`, nullable: true },
  id: { column: sql`${trades.id}`, type: sql`uuid`, nullable: false },
};

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

const refsJson = (refs: readonly InstrumentRef[]) => JSON.stringify(refs.map((r) => ({ account_id: r.accountId, instrument_key: r.instrumentKey })));

/** Nulls sort last in both directions, so "after value v" for a nullable column also takes the nulls. */
function afterCondition(key: { field: SortField | 'id'; descending: boolean }, value: string | null): SQL | undefined {
  const c = SORT_COLUMNS[key.field];
  if (value === null) return undefined;
  const cmp = key.descending ? sql`${c.column} < ${value}::${c.type}` : sql`${c.column} > ${value}::${c.type}`;
  return c.nullable ? sql`(${cmp} or ${c.column} is null)` : cmp;
}

function equalCondition(field: SortField | 'id', value: string | null): SQL {
  const c = SORT_COLUMNS[field];
  return value === null ? sql`${c.column} is null` : sql`${c.column} = ${value}::${c.type}`;
}

/** Rows strictly after the cursor's row in the (k1, k2, ..., id) order. */
function keysetCondition(keys: readonly { field: SortField | 'id'; descending: boolean }[], values: readonly (string | null)[]): SQL {
  const alternatives: SQL[] = [];
  for (let i = 0; i < keys.length; i++) {
    const after = afterCondition(keys[i]!, values[i]!);
    if (!after) continue;
    const equal = keys.slice(0, i).map((k, j) => equalCondition(k.field, values[j]!));
    alternatives.push(equal.length > 0 ? sql`(${sql.join([...equal, after], sql` and `)})` : after);
  }
  return alternatives.length > 0 ? sql`(${sql.join(alternatives, sql` or `)})` : sql`false`;
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

export function createTradesRepository(db: Db) {
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

    /** The executions of these instruments, in (account, instrument, executed_at, seq) order. */
    async loadExecutions(userId: string, refs: readonly InstrumentRef[], tx: Executor = db): Promise<LedgerExecution[]> {
      if (refs.length === 0) return [];
      const result = await tx.execute(sql`
        select e.id::text as id, e.seq::text as seq, e.account_id::text as account_id, e.instrument_key,
               (extract(epoch from e.executed_at) * 1000)::float8 as executed_ms,
               e.symbol, e.asset_class, e.side, e.quantity::text as quantity, e.price::text as price,
               e.commission::text as commission, e.fees::text as fees, e.multiplier::text as multiplier, e.currency
        from ${executions} e
        join jsonb_to_recordset(${refsJson(refs)}::jsonb) as p(account_id uuid, instrument_key text)
          on e.account_id = p.account_id and e.instrument_key = p.instrument_key
        where e.user_id = ${userId}
        order by e.account_id, e.instrument_key, e.executed_at, e.seq`);
      return rowsOf<Record<string, string | number>>(result).map((r) => ({
        id: String(r.id),
        seq: Number(r.seq),
        accountId: String(r.account_id),
        instrumentKey: String(r.instrument_key),
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
      }));
    },

    /** The trades of these instruments as they are stored, derived columns as text, instants as epoch ms. */
    async loadStoredTrades(userId: string, refs: readonly InstrumentRef[], tx: Executor = db): Promise<StoredTrade[]> {
      if (refs.length === 0) return [];
      const result = await tx.execute(sql`
        select t.id::text as id, t.first_execution_id::text as first_execution_id, t.account_id::text as account_id, t.instrument_key,
               t.symbol, t.asset_class, t.side, t.status,
               (extract(epoch from t.opened_at) * 1000)::float8 as opened_ms,
               (extract(epoch from t.closed_at) * 1000)::float8 as closed_ms,
               t.quantity::text as quantity, t.open_quantity::text as open_quantity, t.avg_entry::text as avg_entry,
               t.avg_exit::text as avg_exit, t.gross_pnl::text as gross_pnl, t.fees::text as fees, t.net_pnl::text as net_pnl,
               t.cost_basis::text as cost_basis, t.hold_seconds::text as hold_seconds, t.multiplier::text as multiplier,
               t.currency, t.execution_count::int as execution_count
        from ${trades} t
        join jsonb_to_recordset(${refsJson(refs)}::jsonb) as p(account_id uuid, instrument_key text)
          on t.account_id = p.account_id and t.instrument_key = p.instrument_key
        where t.user_id = ${userId}`);
      return rowsOf<Record<string, string | number | null>>(result).map((r) => ({
        id: String(r.id),
        firstExecutionId: String(r.first_execution_id),
        symbol: String(r.symbol),
        assetClass: String(r.asset_class),
        side: String(r.side),
        status: String(r.status),
        openedMs: Math.round(Number(r.opened_ms)),
        closedMs: r.closed_ms === null ? null : Math.round(Number(r.closed_ms)),
        quantity: String(r.quantity),
        openQuantity: String(r.open_quantity),
        avgEntry: String(r.avg_entry),
        avgExit: r.avg_exit === null ? null : String(r.avg_exit),
        grossPnl: String(r.gross_pnl),
        fees: String(r.fees),
        netPnl: String(r.net_pnl),
        costBasis: String(r.cost_basis),
        holdSeconds: r.hold_seconds === null ? null : Number(r.hold_seconds),
        multiplier: String(r.multiplier),
        currency: String(r.currency),
        executionCount: Number(r.execution_count),
      }));
    },

    /** The fill links of these trades. */
    async loadStoredLinks(tradeIds: readonly string[], tx: Executor = db): Promise<StoredLink[]> {
      if (tradeIds.length === 0) return [];
      const result = await tx.execute(sql`
        select te.trade_id::text as trade_id, te.execution_id::text as execution_id, te.quantity::text as quantity,
               te.fees::text as fees, te.role
        from ${tradeExecutions} te
        join (select (jsonb_array_elements_text(${JSON.stringify(tradeIds)}::jsonb))::uuid as id) ids on ids.id = te.trade_id`);
      return rowsOf<Record<string, string>>(result).map((r) => ({
        tradeId: String(r.trade_id),
        executionId: String(r.execution_id),
        quantity: String(r.quantity),
        fees: String(r.fees),
        role: r.role as 'open' | 'close',
      }));
    },

    /**
     * Inserts new trades and rewrites the derived columns of changed ones (never the annotation
     * columns), keyed by first execution. Answers the id of each written row.
     */
    async upsertTrades(userId: string, rows: readonly DerivedTradeRow[], tx: Tx): Promise<{ id: string; firstExecutionId: string }[]> {
      if (rows.length === 0) return [];
      const result = await tx.execute(sql`
        insert into ${trades} (user_id, account_id, instrument_key, symbol, asset_class, side, status, opened_at, closed_at,
          quantity, open_quantity, avg_entry, avg_exit, gross_pnl, fees, net_pnl, cost_basis, hold_seconds, multiplier,
          currency, first_execution_id, execution_count)
        select ${userId}::uuid, x.account_id, x.instrument_key, x.symbol, x.asset_class, x.side, x.status, x.opened_at, x.closed_at,
          x.quantity, x.open_quantity, x.avg_entry, x.avg_exit, x.gross_pnl, x.fees, x.net_pnl, x.cost_basis, x.hold_seconds, x.multiplier,
          x.currency, x.first_execution_id, x.execution_count
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(account_id uuid, instrument_key text, symbol text, asset_class text,
          side text, status text, opened_at timestamptz, closed_at timestamptz, quantity numeric, open_quantity numeric, avg_entry numeric,
          avg_exit numeric, gross_pnl numeric, fees numeric, net_pnl numeric, cost_basis numeric, hold_seconds bigint, multiplier numeric,
          currency text, first_execution_id uuid, execution_count integer)
        on conflict (first_execution_id) do update set
          symbol = excluded.symbol, asset_class = excluded.asset_class, side = excluded.side, status = excluded.status,
          opened_at = excluded.opened_at, closed_at = excluded.closed_at, quantity = excluded.quantity,
          open_quantity = excluded.open_quantity, avg_entry = excluded.avg_entry, avg_exit = excluded.avg_exit,
          gross_pnl = excluded.gross_pnl, fees = excluded.fees, net_pnl = excluded.net_pnl, cost_basis = excluded.cost_basis,
          hold_seconds = excluded.hold_seconds, multiplier = excluded.multiplier, currency = excluded.currency,
          execution_count = excluded.execution_count, updated_at = now()
        returning id::text as id, first_execution_id::text as first_execution_id`);
      return rowsOf<{ id: string; first_execution_id: string }>(result).map((r) => ({ id: String(r.id), firstExecutionId: String(r.first_execution_id) }));
    },

    /** Deletes trades by id (their fill, tag and rule-check links go with them). */
    async deleteTrades(userId: string, ids: readonly string[], tx: Tx): Promise<void> {
      if (ids.length === 0) return;
      await tx.execute(sql`
        delete from ${trades} t
        using (select (jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))::uuid as id) ids
        where t.id = ids.id and t.user_id = ${userId}`);
    },

    async deleteLinks(links: readonly { tradeId: string; executionId: string }[], tx: Tx): Promise<void> {
      if (links.length === 0) return;
      const param = JSON.stringify(links.map((l) => ({ trade_id: l.tradeId, execution_id: l.executionId })));
      await tx.execute(sql`
        delete from ${tradeExecutions} te
        using jsonb_to_recordset(${param}::jsonb) as x(trade_id uuid, execution_id uuid)
        where te.trade_id = x.trade_id and te.execution_id = x.execution_id`);
    },

    async upsertLinks(links: readonly StoredLink[], tx: Tx): Promise<void> {
      if (links.length === 0) return;
      const param = JSON.stringify(links.map((l) => ({ trade_id: l.tradeId, execution_id: l.executionId, quantity: l.quantity, fees: l.fees, role: l.role })));
      await tx.execute(sql`
        insert into ${tradeExecutions} (trade_id, execution_id, quantity, fees, role)
        select x.trade_id, x.execution_id, x.quantity, x.fees, x.role
        from jsonb_to_recordset(${param}::jsonb) as x(trade_id uuid, execution_id uuid, quantity numeric, fees numeric, role text)
        on conflict (trade_id, execution_id) do update set quantity = excluded.quantity, fees = excluded.fees, role = excluded.role`);
    },

    /** Analytics caches key on this counter; every write to the user's trading data bumps it. */
    async bumpDataGeneration(userId: string, tx: Executor = db): Promise<void> {
      await tx
        .update(users)
        .set({ dataGeneration: sql`${users.dataGeneration} + 1` })
        .where(eq(users.id, userId));
    },

    async userSettings(userId: string, tx: Executor = db): Promise<{ timezone: string; breakevenTolerance: string }> {
      const [row] = await tx
        .select({ timezone: users.timezone, breakevenTolerance: users.breakevenTolerance })
        .from(users)
        .where(eq(users.id, userId));
      return row ?? { timezone: 'UTC', breakevenTolerance: '0' };
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
     * One page in the order of `sort` (then id). Returns each row with its sort values as
     * PostgreSQL prints them, so the next cursor compares at full precision.
     */
    async list(
      userId: string,
      query: { filters: TradeFilters; timezone: string; breakevenTolerance: string; sort: readonly SortKey[]; after?: readonly (string | null)[]; limit: number },
      tx: Executor = db,
    ): Promise<{ row: TradeRow; keys: (string | null)[] }[]> {
      const conditions = tradeFilterConditions(userId, query.filters, query.timezone, query.breakevenTolerance);

      const keys = [...query.sort, { field: 'id' as const, descending: false }];
      if (query.after) conditions.push(keysetCondition(keys, query.after));
      const orderBy = keys.map((k) => sql`${SORT_COLUMNS[k.field].column} ${k.descending ? sql`desc` : sql`asc`} nulls last`);
      const keyColumns = Object.fromEntries(keys.map((k, i) => [`k${i}`, sql<string | null>`${SORT_COLUMNS[k.field].column}::text`]));

      const rows = await tx
        .select({ ...tradeColumns, ...keyColumns })
        .from(trades)
        .where(and(...conditions))
        .orderBy(...orderBy)
        .limit(query.limit);
      return rows.map((r) => {
        const row = r as unknown as TradeRow & Record<string, string | null>;
        return { row, keys: keys.map((_, i) => row[`k${i}`] ?? null) };
      });
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
