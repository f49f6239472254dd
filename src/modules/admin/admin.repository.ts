import { getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import * as schema from '../../db/schema/index.js';
import type { Db } from '../../platform/db/database.js';
import { rebuildDailyAggregates } from '../trades/trades.repository.js';

/** Every table of the schema, by name: what `analyze` refreshes the planner statistics of. */
export const TABLES: readonly string[] = (Object.values(schema) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => getTableName(table))
  .sort();

/** Database maintenance across modules: statistics for the planner, derived tables rebuilt from their source. */
export function createAdminRepository(db: Db) {
  return {
    /** ANALYZE each table in turn (one table's lock at a time); answers the tables analysed. */
    async analyze(tables: readonly string[] = TABLES): Promise<string[]> {
      for (const table of tables) await db.execute(sql`analyze ${sql.identifier(table)}`);
      return [...tables];
    },

    /** Every user's daily aggregates recomputed from the trades, in one transaction. */
    async rebuildAggregates(): Promise<void> {
      await db.transaction((tx) => rebuildDailyAggregates(tx));
    },
  };
}

export type AdminRepository = ReturnType<typeof createAdminRepository>;
