import { executionColumns } from '../executions/executions.repository.js';
import { and, asc, eq, or, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { accounts, executions } from '../../db/schema/index.js';
import type { Db, Executor } from '../../platform/db/database.js';
import type { ExecutionRow } from '../executions/executions.repository.js';
import { timeRange } from '../executions/executions.repository.js';

export interface ExportExecutionFilters {
  accountId?: string;
  symbol?: string;
  from?: string;
  to?: string;
}

export interface ExportExecutionRow extends ExecutionRow {
  brokerAccountId: string | null;
}

/**
 * Exports read the ledger in the order it was built: (executed_at, seq) ascending, so a file
 * re-imported inserts executions of the same instant in the same order and derives the same
 * trades. The executions list API pages newest first, hence this read model of its own.
 */
export function createExportsRepository(db: Db) {
  return {
    async executionsPage(
      userId: string,
      query: { filters: ExportExecutionFilters; timezone: string; after?: { executedAt: string; seq: number }; limit: number },
      tx: Executor = db,
    ): Promise<ExportExecutionRow[]> {
      const { filters, after } = query;
      const conditions: SQL[] = [eq(executions.userId, userId)];
      if (filters.accountId) conditions.push(eq(executions.accountId, filters.accountId));
      if (filters.symbol) conditions.push(eq(executions.symbol, filters.symbol));
      conditions.push(...timeRange(executions.executedAt, filters, query.timezone));
      if (after) {
        conditions.push(
          or(
            sql`${executions.executedAt} > ${after.executedAt}::timestamptz`,
            and(sql`${executions.executedAt} = ${after.executedAt}::timestamptz`, sql`${executions.seq} > ${after.seq}`),
          )!,
        );
      }
      return tx
        .select({
          ...executionColumns,
          brokerAccountId: accounts.brokerAccountId,
        })
        .from(executions)
        .innerJoin(accounts, eq(accounts.id, executions.accountId))
        .where(and(...conditions))
        .orderBy(asc(executions.executedAt), asc(executions.seq))
        .limit(query.limit);
    },
  };
}

export type ExportsRepository = ReturnType<typeof createExportsRepository>;
