import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, jsonb, numeric, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './ledger.js';
import { ASSET_CLASSES } from './ledger.js';
import { users } from './users.js';

export const IMPORT_STATUSES = ['queued', 'parsing', 'writing', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** One uploaded file and what became of it. Executions keep its id in executions.import_id. */
export const imports = pgTable(
  'imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The form's account: rows without an account reference of their own land here. */
    accountId: uuid('account_id').references(() => accounts.id, { onDelete: 'set null' }),
    status: text('status', { enum: IMPORT_STATUSES }).notNull().default('queued'),
    /** What the form asked for: 'auto' or an adapter id. */
    brokerRequested: text('broker_requested').notNull(),
    /** The adapter that read the file (detected, or the one asked for). */
    broker: text('broker'),
    timezone: text('timezone').notNull(),
    onInvalid: text('on_invalid', { enum: ['reject', 'skip'] }).notNull(),
    fileName: text('file_name'),
    fileBytes: bigint('file_bytes', { mode: 'number' }).notNull(),
    fileSha256: text('file_sha256').notNull(),
    bytesRead: bigint('bytes_read', { mode: 'number' }).notNull().default(0),
    rowsRead: integer('rows_read').notNull().default(0),
    executionsParsed: integer('executions_parsed').notNull().default(0),
    executionsAdded: integer('executions_added').notNull().default(0),
    duplicatesSkipped: integer('duplicates_skipped').notNull().default(0),
    invalidRows: integer('invalid_rows').notNull().default(0),
    /** Rows that are not executions (headers, blank lines, cancelled orders, other sections). */
    ignoredRows: integer('ignored_rows').notNull().default(0),
    accountsCreated: integer('accounts_created').notNull().default(0),
    /** The first 100 row errors: [{ line, column, value, reason }]. */
    rowErrors: jsonb('row_errors').notNull().default(sql`'[]'::jsonb`),
    /** Why a failed import failed: { code, message, details }. */
    failure: jsonb('failure'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 6 }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Touched by the worker while it runs; start-up recovery fails imports whose worker went quiet. */
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('imports_user_created_idx').on(t.userId, t.createdAt, t.id),
    index('imports_running_idx')
      .on(t.status, t.heartbeatAt)
      .where(sql`${t.status} in ('queued', 'parsing', 'writing')`),
  ],
);

/**
 * Executions parsed from a file and waiting for the import's one write transaction. Rows live
 * here only while an import runs; the write transaction (or recovery) deletes them. UNLOGGED
 * (migration 0006; a crash empties it, and recovery fails every import it interrupted anyway),
 * with no index and no foreign key: the rows are written once, read once by the write
 * transaction, and deleted by import id (recovery also deletes rows of imports that are gone).
 */
export const importStaging = pgTable(
  'import_staging',
  {
    importId: uuid('import_id').notNull(),
    /** File order: line, then the position among the executions one line yielded. */
    ord: bigint('ord', { mode: 'number' }).notNull(),
    line: integer('line').notNull(),
    /** The form's account for rows without a reference; null while accountRef awaits resolution. */
    accountId: uuid('account_id'),
    accountRef: text('account_ref'),
    instrumentKey: text('instrument_key').notNull(),
    executedAt: timestamp('executed_at', { withTimezone: true, precision: 6 }).notNull(),
    symbol: text('symbol').notNull(),
    assetClass: text('asset_class', { enum: ASSET_CLASSES }).notNull(),
    side: text('side', { enum: ['buy', 'sell'] }).notNull(),
    quantity: numeric('quantity').notNull(),
    price: numeric('price').notNull(),
    commission: numeric('commission').notNull(),
    fees: numeric('fees').notNull(),
    multiplier: numeric('multiplier').notNull(),
    /** Null: the account's currency, known once accountRef is resolved. */
    currency: text('currency'),
    brokerExecId: text('broker_exec_id'),
    underlying: text('underlying'),
    expiry: date('expiry'),
    strike: numeric('strike'),
    optionRight: text('option_right', { enum: ['call', 'put'] }),
    /** Hash of the execution's content without the account; the occurrence number is added when written. */
    contentKey: text('content_key').notNull(),
    /** The row's number among the file's identical fills of its account, counted by the parser; null with a broker execution id. */
    occurrence: integer('occurrence'),
    /** The execution's id, made by the parser (time-ordered, so the executions' primary key appends); null in rows staged before 0013. */
    executionId: uuid('execution_id'),
  },
  (t) => [check('import_staging_ord_positive', sql`${t.ord} >= 0`)],
);
