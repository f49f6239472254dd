import { and, asc, count, eq, or, sql } from 'drizzle-orm';
import { accounts, executions, trades, users } from '../../db/schema/index.js';
import type { Db, Executor, Tx } from '../../platform/db/database.js';
import { userDataChanged } from '../../platform/db/data-changes.js';
import { lockUserRow } from '../trades/trades.repository.js';

export interface AccountRow {
  id: string;
  name: string;
  broker: string;
  brokerAccountId: string | null;
  currency: string;
  timezone: string | null;
  startingBalance: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** created_at as PostgreSQL prints it: microsecond precision for the keyset cursor. */
  createdAtKey: string;
}

export interface AccountValues {
  name: string;
  broker: string;
  brokerAccountId: string | null;
  currency: string;
  timezone: string | null;
  startingBalance: string | null;
}

const columns = {
  id: accounts.id,
  name: accounts.name,
  broker: accounts.broker,
  brokerAccountId: accounts.brokerAccountId,
  currency: accounts.currency,
  timezone: accounts.timezone,
  startingBalance: accounts.startingBalance,
  createdAt: accounts.createdAt,
  updatedAt: accounts.updatedAt,
  createdAtKey: sql<string>`${accounts.createdAt}::text`,
};

export function createAccountsRepository(db: Db) {
  return {
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },

    async insert(userId: string, values: AccountValues, tx: Executor = db): Promise<AccountRow> {
      const [row] = await tx
        .insert(accounts)
        .values({ userId, ...values })
        .returning(columns);
      return row!;
    },

    async findById(userId: string, id: string, tx: Executor = db): Promise<AccountRow | undefined> {
      const [row] = await tx.select(columns).from(accounts).where(and(eq(accounts.userId, userId), eq(accounts.id, id)));
      return row;
    },

    /**
     * The owner's row lock, taken by an account delete after the account's row (which waits for
     * executions being written to it) and before its rows go: the daily aggregates' other writers
     * (trade writes, aggregate rebuilds) take it before touching them, so none of them waits for
     * the delete while holding rows it deletes, nor it for them (a deadlock).
     */
    async lockOwner(userId: string, tx: Tx): Promise<void> {
      await lockUserRow(tx, userId);
    },

    /** The row locked until the transaction ends: executions cannot be added to it meanwhile. */
    async lockById(userId: string, id: string, tx: Tx): Promise<AccountRow | undefined> {
      const [row] = await tx
        .select(columns)
        .from(accounts)
        .where(and(eq(accounts.userId, userId), eq(accounts.id, id)))
        .for('update');
      return row;
    },

    /** Oldest first; `after` is the (created_at text, id) of the previous page's last row. */
    async list(userId: string, query: { after?: { createdAt: string; id: string }; limit: number }, tx: Executor = db): Promise<AccountRow[]> {
      const after = query.after;
      const where = after
        ? and(
            eq(accounts.userId, userId),
            or(
              sql`${accounts.createdAt} > ${after.createdAt}::timestamptz`,
              and(sql`${accounts.createdAt} = ${after.createdAt}::timestamptz`, sql`${accounts.id} > ${after.id}::uuid`),
            ),
          )
        : eq(accounts.userId, userId);
      return tx.select(columns).from(accounts).where(where).orderBy(asc(accounts.createdAt), asc(accounts.id)).limit(query.limit);
    },

    async update(userId: string, id: string, values: Partial<AccountValues>, tx: Executor = db): Promise<AccountRow | undefined> {
      const [row] = await tx
        .update(accounts)
        .set({ ...values, updatedAt: sql`now()` })
        .where(and(eq(accounts.userId, userId), eq(accounts.id, id)))
        .returning(columns);
      return row;
    },

    async countExecutions(userId: string, accountId: string, tx: Executor = db): Promise<number> {
      const [row] = await tx
        .select({ n: count() })
        .from(executions)
        .where(and(eq(executions.userId, userId), eq(executions.accountId, accountId)));
      return Number(row?.n ?? 0);
    },

    /** The ids of the account's trades: what deleting the account removes with it. */
    async tradeIds(userId: string, id: string, tx: Executor = db): Promise<string[]> {
      const rows = await tx
        .select({ id: trades.id })
        .from(trades)
        .where(and(eq(trades.userId, userId), eq(trades.accountId, id)));
      return rows.map((r) => r.id);
    },

    /** Its executions, trades, their links and its daily aggregate rows go with it (statement-level triggers: migrations 0006, 0011, 0012). */
    async delete(userId: string, id: string, tx: Executor = db): Promise<boolean> {
      const rows = await tx
        .delete(accounts)
        .where(and(eq(accounts.userId, userId), eq(accounts.id, id)))
        .returning({ id: accounts.id });
      return rows.length > 0;
    },

    /** Analytics caches key on this counter; every write to the user's trading data bumps it. */
    async bumpDataGeneration(userId: string, tx: Executor = db): Promise<void> {
      await tx
        .update(users)
        .set({ dataGeneration: sql`${users.dataGeneration} + 1` })
        .where(eq(users.id, userId));
      await userDataChanged(tx, userId);
    },
  };
}

export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
