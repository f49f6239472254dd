import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { SQL, SQLWrapper } from 'drizzle-orm';
import { executions, users } from '../../db/schema/index.js';
import type { Db, Executor, Tx } from '../../platform/db/database.js';
import type { PreparedExecution } from './executions.domain.js';

export interface ExecutionRow extends PreparedExecution {
  id: string;
  seq: number;
  importId: string | null;
  createdAt: Date;
  /** executed_at as PostgreSQL prints it: microsecond precision for the keyset cursor. */
  executedAtKey: string;
}

export interface ExecutionFilters {
  accountId?: string;
  symbol?: string;
  from?: string;
  to?: string;
  importId?: string;
  side?: 'buy' | 'sell';
}

/** The columns every execution read returns; exports reuse them. */
export const executionColumns = {
  id: executions.id,
  seq: executions.seq,
  accountId: executions.accountId,
  instrumentKey: executions.instrumentKey,
  executedAt: executions.executedAt,
  symbol: executions.symbol,
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
  executedAtKey: sql<string>`${executions.executedAt}::text`,
};

/** A date bound given as a day (YYYY-MM-DD, in the user's time zone) rather than an instant. */
export const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `from`/`to` as SQL on an instant column: a date-time is an instant (from inclusive, to
 * exclusive); a bare day is a whole day in `timezone` (both days inclusive).
 */
export function timeRange(column: SQLWrapper, bounds: { from?: string; to?: string }, timezone: string): SQL[] {
  const out: SQL[] = [];
  if (bounds.from !== undefined) {
    out.push(
      DAY.test(bounds.from)
        ? sql`${column} >= (${bounds.from}::date)::timestamp at time zone ${timezone}`
        : sql`${column} >= ${bounds.from}::timestamptz`,
    );
  }
  if (bounds.to !== undefined) {
    out.push(
      DAY.test(bounds.to)
        ? sql`${column} < (${bounds.to}::date + 1)::timestamp at time zone ${timezone}`
        : sql`${column} < ${bounds.to}::timestamptz`,
    );
  }
  return out;
}

export function createExecutionsRepository(db: Db) {
  return {
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },

    /**
     * Inserts in input order (so `seq` keeps it for executions at the same instant). A row whose
     * broker execution id (or content hash) the account already has is skipped: compare the
     * returned rows with the input to find them.
     */
    async insertMany(userId: string, rows: readonly PreparedExecution[], tx: Executor = db, extra: { importId?: string } = {}): Promise<ExecutionRow[]> {
      if (rows.length === 0) return [];
      const inserted = await tx
        .insert(executions)
        .values(rows.map((row) => ({ ...row, userId, importId: extra.importId ?? null })))
        .onConflictDoNothing()
        .returning(executionColumns);
      return inserted.sort((a, b) => a.seq - b.seq);
    },

    async findById(userId: string, id: string, tx: Executor = db): Promise<ExecutionRow | undefined> {
      const [row] = await tx.select(executionColumns).from(executions).where(and(eq(executions.userId, userId), eq(executions.id, id)));
      return row;
    },

    async findByIds(userId: string, ids: readonly string[], tx: Executor = db): Promise<ExecutionRow[]> {
      if (ids.length === 0) return [];
      return tx
        .select(executionColumns)
        .from(executions)
        .where(and(eq(executions.userId, userId), inArray(executions.id, [...ids])))
        .orderBy(executions.executedAt, executions.seq);
    },

    /** Newest first (executed_at desc, seq desc); `after` is the previous page's last (executed_at text, seq). */
    async list(
      userId: string,
      query: { filters: ExecutionFilters; timezone: string; after?: { executedAt: string; seq: number }; limit: number },
      tx: Executor = db,
    ): Promise<ExecutionRow[]> {
      const { filters, after } = query;
      const conditions: SQL[] = [eq(executions.userId, userId)];
      if (filters.accountId) conditions.push(eq(executions.accountId, filters.accountId));
      if (filters.symbol) conditions.push(eq(executions.symbol, filters.symbol));
      if (filters.importId) conditions.push(eq(executions.importId, filters.importId));
      if (filters.side) conditions.push(eq(executions.side, filters.side));
      conditions.push(...timeRange(executions.executedAt, filters, query.timezone));
      if (after) {
        conditions.push(
          or(
            sql`${executions.executedAt} < ${after.executedAt}::timestamptz`,
            and(sql`${executions.executedAt} = ${after.executedAt}::timestamptz`, sql`${executions.seq} < ${after.seq}`),
          )!,
        );
      }
      return tx
        .select(executionColumns)
        .from(executions)
        .where(and(...conditions))
        .orderBy(desc(executions.executedAt), desc(executions.seq))
        .limit(query.limit);
    },

    async userTimezone(userId: string, tx: Executor = db): Promise<string> {
      const [row] = await tx.select({ timezone: users.timezone }).from(users).where(eq(users.id, userId));
      return row?.timezone ?? 'UTC';
    },

    /** Returns the deleted rows (their instruments need a rebuild). */
    async deleteByIds(userId: string, ids: readonly string[], tx: Executor = db): Promise<{ id: string; accountId: string; instrumentKey: string }[]> {
      if (ids.length === 0) return [];
      return tx
        .delete(executions)
        .where(and(eq(executions.userId, userId), inArray(executions.id, [...ids])))
        .returning({ id: executions.id, accountId: executions.accountId, instrumentKey: executions.instrumentKey });
    },
  };
}

export type ExecutionsRepository = ReturnType<typeof createExecutionsRepository>;
