import { pipeline } from 'node:stream/promises';
import type { PGlite } from '@electric-sql/pglite';
import { Readable } from 'node:stream';
import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { dailyAggregates, executions, importStaging, imports, tradeExecutions, trades } from '../../db/schema/index.js';
import type { ImportStatus } from '../../db/schema/index.js';
import type { Db, Executor, Tx } from '../../platform/db/database.js';
import { isUniqueViolation } from '../../platform/db/pg-errors.js';
import type { ImportFailure } from './imports.domain.js';
import { STAGING_COPY_COLUMNS } from './imports.staging.js';
import type { RowError } from './parsing/types.js';

export const RUNNING_STATUSES = ['queued', 'parsing', 'writing'] as const satisfies readonly ImportStatus[];

export interface ImportRow {
  id: string;
  userId: string;
  accountId: string | null;
  status: ImportStatus;
  brokerRequested: string;
  broker: string | null;
  timezone: string;
  onInvalid: 'reject' | 'skip';
  fileName: string | null;
  fileBytes: number;
  fileSha256: string;
  bytesRead: number;
  rowsRead: number;
  executionsParsed: number;
  executionsAdded: number;
  duplicatesSkipped: number;
  invalidRows: number;
  ignoredRows: number;
  accountsCreated: number;
  rowErrors: unknown;
  failure: unknown;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** created_at as PostgreSQL prints it: microsecond precision for the keyset cursor. */
  createdAtKey: string;
}

export interface NewImport {
  id: string;
  accountId: string | null;
  brokerRequested: string;
  broker: string | null;
  timezone: string;
  onInvalid: 'reject' | 'skip';
  fileName: string | null;
  fileBytes: number;
  fileSha256: string;
}

/** One parsed, prepared execution waiting in staging. */
export interface StagedExecution {
  ord: number;
  line: number;
  accountId: string | null;
  accountRef: string | null;
  instrumentKey: string;
  executedAt: Date;
  symbol: string;
  assetClass: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  commission: string;
  fees: string;
  multiplier: string;
  currency: string | null;
  brokerExecId: string | null;
  underlying: string | null;
  expiry: string | null;
  strike: string | null;
  optionRight: string | null;
  contentKey: string;
  /** Its number among the file's identical fills of its account (occurrences.ts); null with a broker execution id. */
  occurrence: number | null;
  /** The id the execution will have (made by the parser, time-ordered). */
  executionId: string;
}

export interface ImportProgress {
  rowsRead: number;
  bytesRead: number;
  executionsParsed: number;
  invalidRows: number;
  ignoredRows: number;
}

export interface ImportOutcome extends ImportProgress {
  executionsAdded: number;
  duplicatesSkipped: number;
  accountsCreated: number;
  rowErrors: RowError[];
}

const columns = {
  id: imports.id,
  userId: imports.userId,
  accountId: imports.accountId,
  status: imports.status,
  brokerRequested: imports.brokerRequested,
  broker: imports.broker,
  timezone: imports.timezone,
  onInvalid: imports.onInvalid,
  fileName: imports.fileName,
  fileBytes: imports.fileBytes,
  fileSha256: imports.fileSha256,
  bytesRead: imports.bytesRead,
  rowsRead: imports.rowsRead,
  executionsParsed: imports.executionsParsed,
  executionsAdded: imports.executionsAdded,
  duplicatesSkipped: imports.duplicatesSkipped,
  invalidRows: imports.invalidRows,
  ignoredRows: imports.ignoredRows,
  accountsCreated: imports.accountsCreated,
  rowErrors: imports.rowErrors,
  failure: imports.failure,
  createdAt: imports.createdAt,
  startedAt: imports.startedAt,
  finishedAt: imports.finishedAt,
  createdAtKey: sql<string>`${imports.createdAt}::text`,
};

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

const running = inArray(imports.status, [...RUNNING_STATUSES]);

/** COPY of staged rows as imports.staging's copyLine prints them. */
const STAGING_COPY = `copy import_staging (${STAGING_COPY_COLUMNS}) from stdin`;

/**
 * writeStaged's statement: the import's staged rows into executions, in file order, with their
 * content hashes, leaving out what the account already has; `onConflict` also skips what the
 * anti-joins cannot see (rows of the same statement, rows of transactions not yet committed).
 */
function writeStagedStatement(userId: string, importId: string, routes: readonly { accountRef: string; accountId: string; currency: string }[], onConflict: boolean): SQL {
  return sql`
    with routes(account_ref, account_id, currency) as (
      select * from unnest(${sql.param(routes.map((r) => r.accountRef))}::text[], ${sql.param(routes.map((r) => r.accountId))}::uuid[], ${sql.param(routes.map((r) => r.currency))}::text[])
    ),
    src as (
      select s.*, coalesce(r.account_id, s.account_id) as target_account, coalesce(s.currency, r.currency) as target_currency
      from ${importStaging} s left join routes r on r.account_ref = s.account_ref
      where s.import_id = ${importId}::uuid
    ),
    numbered as (
      select src.*,
        case when broker_exec_id is null then
          encode(sha256(convert_to(target_account::text || ':' || content_key || ':' || occurrence::text, 'UTF8')), 'hex')
        end as content_hash
      from src
    ),
    inserted as (
      insert into ${executions} (id, user_id, account_id, instrument_key, executed_at, symbol, asset_class, side, quantity, price, commission, fees,
        multiplier, currency, broker_exec_id, underlying, expiry, strike, option_right, import_id, content_hash)
      select coalesce(execution_id, uuid_v7()), ${userId}::uuid, target_account, instrument_key, executed_at, symbol, asset_class, side, quantity, price, commission, fees,
        multiplier, target_currency, broker_exec_id, underlying, expiry, strike, option_right, ${importId}::uuid, content_hash
      from numbered n
      where not exists (select 1 from ${executions} x where x.account_id = n.target_account and x.broker_exec_id = n.broker_exec_id)
        and not exists (select 1 from ${executions} x where x.account_id = n.target_account and x.content_hash = n.content_hash)
      order by ord
      ${onConflict ? sql`on conflict do nothing` : sql``}
      returning account_id, instrument_key
    )
    select account_id::text as account_id, instrument_key, count(*)::int as added from inserted group by account_id, instrument_key`;
}

/** The embedded database behind a Drizzle PGlite database. */
function pgliteOf(db: Db): PGlite {
  return (db as unknown as { $client: PGlite }).$client;
}

/** The pool behind a Drizzle node-postgres database; undefined on PGlite. */
function poolOf(db: Db): pg.Pool | undefined {
  const client = (db as unknown as { $client?: unknown }).$client;
  return client instanceof pg.Pool ? client : undefined;
}

export function createImportsRepository(db: Db) {
  const pool = poolOf(db);
  return {
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },

    /** Imports of every user waiting (`queued`) and under way (`parsing`, `writing`), across all processes. */
    async countActive(tx: Executor = db): Promise<{ queued: number; running: number }> {
      const rows = await tx
        .select({ status: imports.status, n: sql<number>`count(*)::int` })
        .from(imports)
        .where(running)
        .groupBy(imports.status);
      let queued = 0;
      let active = 0;
      for (const row of rows) {
        if (row.status === 'queued') queued += Number(row.n);
        else active += Number(row.n);
      }
      return { queued, running: active };
    },

    async countRunning(userId: string, tx: Executor = db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(imports)
        .where(and(eq(imports.userId, userId), running));
      return Number(row?.n ?? 0);
    },

    /**
     * Inserts the import unless the user already has `maxRunning` queued or running; a per-user
     * advisory lock makes the count and the insert one step against concurrent uploads.
     */
    async insertIfUnderLimit(userId: string, values: NewImport, maxRunning: number): Promise<ImportRow | null> {
      return db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`imports:${userId}`}, 0))`);
        const [count] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(imports)
          .where(and(eq(imports.userId, userId), running));
        if (Number(count?.n ?? 0) >= maxRunning) return null;
        const [row] = await tx
          .insert(imports)
          .values({ ...values, userId, status: 'queued' })
          .returning(columns);
        return row!;
      });
    },

    async findById(userId: string, id: string, tx: Executor = db): Promise<ImportRow | undefined> {
      const [row] = await tx
        .select(columns)
        .from(imports)
        .where(and(eq(imports.userId, userId), eq(imports.id, id)));
      return row;
    },

    /** Newest first; `after` is the (created_at text, id) of the previous page's last row. */
    async list(userId: string, query: { after?: { createdAt: string; id: string }; limit: number }, tx: Executor = db): Promise<ImportRow[]> {
      const after = query.after;
      const where = after
        ? and(
            eq(imports.userId, userId),
            or(
              sql`${imports.createdAt} < ${after.createdAt}::timestamptz`,
              and(sql`${imports.createdAt} = ${after.createdAt}::timestamptz`, sql`${imports.id} < ${after.id}::uuid`),
            ),
          )
        : eq(imports.userId, userId);
      return tx.select(columns).from(imports).where(where).orderBy(desc(imports.createdAt), desc(imports.id)).limit(query.limit);
    },

    /** Moves a running import to the next status; false when it is no longer running (recovered, deleted). */
    async setStatus(id: string, status: 'parsing' | 'writing', tx: Executor = db): Promise<boolean> {
      const rows = await tx
        .update(imports)
        .set({ status, heartbeatAt: sql`clock_timestamp()`, ...(status === 'parsing' ? { startedAt: sql`now()` } : {}) })
        .where(and(eq(imports.id, id), running))
        .returning({ id: imports.id });
      return rows.length > 0;
    },

    async saveProgress(id: string, progress: ImportProgress, tx: Executor = db): Promise<void> {
      await tx
        .update(imports)
        .set({ ...progress, heartbeatAt: sql`clock_timestamp()` })
        .where(and(eq(imports.id, id), running));
    },

    /** Keeps the imports a process holds (queued or running) from being taken for abandoned. */
    async heartbeat(ids: readonly string[], tx: Executor = db): Promise<void> {
      if (ids.length === 0) return;
      await tx
        .update(imports)
        .set({ heartbeatAt: sql`clock_timestamp()` })
        .where(and(inArray(imports.id, [...ids]), running));
    },

    /**
     * Writes a batch of rows already in COPY's text format (imports.staging's copyLine, UTF-8), committed
     * on its own: on PostgreSQL a COPY FROM STDIN on a pooled connection, on PGlite a COPY from
     * the text as a blob.
     */
    async stageCopy(copy: Uint8Array): Promise<void> {
      if (copy.length === 0) return;
      if (pool) {
        const client = await pool.connect();
        try {
          await pipeline(Readable.from([Buffer.from(copy.buffer, copy.byteOffset, copy.length)]), client.query(copyFrom(STAGING_COPY)));
        } finally {
          client.release();
        }
        return;
      }
      await pgliteOf(db).query(`copy import_staging (${STAGING_COPY_COLUMNS}) from '/dev/blob'`, [], { blob: new Blob([copy]) });
    },

    /** The distinct account references (broker account ids) of staged rows still to be routed. */
    async stagedAccountRefs(importId: string, tx: Executor = db): Promise<string[]> {
      const rows = await tx
        .selectDistinct({ ref: importStaging.accountRef })
        .from(importStaging)
        .where(and(eq(importStaging.importId, importId), sql`${importStaging.accountRef} is not null`));
      return rows.map((r) => r.ref!);
    },

    /**
     * The import's one write: every staged row into executions, in file order, skipping what the
     * account already has (same broker execution id, or same content hash). The content hash is
     * the account, the row's content key and its occurrence number among identical rows of this
     * file, so two genuine identical fills are both kept and importing the file again adds neither.
     * Executions are written here rather than through the executions repository for speed: one
     * INSERT … SELECT from staging instead of a million parameters, with the ids the parser made
     * (in file order, so the primary key appends).
     */
    async writeStaged(
      userId: string,
      importId: string,
      routes: readonly { accountRef: string; accountId: string; currency: string }[],
      tx: Tx,
    ): Promise<{ accountId: string; instrumentKey: string; added: number }[]> {
      // Rows the account already has are left out by two anti-joins, so the insert needs no ON
      // CONFLICT (its speculative insertion cost 2.5–5 s of a 1,000,000-row import). What they cannot
      // see (the same broker id twice in the file, a concurrent writer) fails the insert with a
      // unique violation: the savepoint undoes it and ON CONFLICT DO NOTHING takes over.
      const write = (executor: Executor, onConflict: boolean) => executor.execute(writeStagedStatement(userId, importId, routes, onConflict));
      let result;
      try {
        result = await tx.transaction((savepoint) => write(savepoint, false));
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        result = await write(tx, true);
      }
      return rowsOf<{ account_id: string; instrument_key: string; added: number | string }>(result).map((r) => ({
        accountId: r.account_id,
        instrumentKey: r.instrument_key,
        added: Number(r.added),
      }));
    },

    /** Fresh planner statistics for the tables a large import grew (autovacuum would get there within a minute or so). */
    async analyzeImportedTables(): Promise<void> {
      await db.execute(sql`analyze ${executions}, ${trades}, ${tradeExecutions}, ${dailyAggregates}`);
    },

    async deleteStaging(importId: string, tx: Executor = db): Promise<void> {
      await tx.delete(importStaging).where(eq(importStaging.importId, importId));
    },

    async markDone(id: string, outcome: ImportOutcome, tx: Executor = db): Promise<void> {
      await tx
        .update(imports)
        .set({ ...outcome, status: 'done', finishedAt: sql`clock_timestamp()`, heartbeatAt: sql`clock_timestamp()` })
        .where(eq(imports.id, id));
    },

    async setBroker(id: string, broker: string, tx: Executor = db): Promise<void> {
      await tx.update(imports).set({ broker }).where(eq(imports.id, id));
    },

    /** Fails a running import with what was learnt so far, and drops its staged rows. */
    async markFailed(id: string, failure: ImportFailure, report: Partial<ImportProgress> & { rowErrors?: RowError[] }, tx: Executor = db): Promise<void> {
      await tx
        .update(imports)
        .set({ ...report, status: 'failed', failure, finishedAt: sql`clock_timestamp()`, heartbeatAt: sql`clock_timestamp()` })
        .where(and(eq(imports.id, id), running));
      await tx.delete(importStaging).where(eq(importStaging.importId, id));
    },

    /**
     * Imports left queued or running by a process that is gone: failed, their staging emptied.
     * `quietSeconds` 0 takes every running import (one process owns the database, PGlite).
     */
    async failAbandoned(quietSeconds: number, failure: ImportFailure, exceptIds: readonly string[] = [], tx: Executor = db): Promise<string[]> {
      const conditions = [running, sql`${imports.heartbeatAt} <= now() - make_interval(secs => ${quietSeconds})`];
      if (exceptIds.length > 0) conditions.push(sql`not (${inArray(imports.id, [...exceptIds])})`);
      const rows = await tx
        .update(imports)
        .set({ status: 'failed', failure, finishedAt: sql`clock_timestamp()` })
        .where(and(...conditions))
        .returning({ id: imports.id });
      const ids = rows.map((r) => r.id);
      if (ids.length > 0) await tx.delete(importStaging).where(inArray(importStaging.importId, ids));
      return ids;
    },

    /** Staged rows of imports that are no longer running or no longer exist (a crash between failing and cleaning, a deleted user). */
    async deleteOrphanStaging(tx: Executor = db): Promise<void> {
      await tx.execute(sql`
        delete from ${importStaging} s
        where not exists (select 1 from ${imports} i where i.id = s.import_id and i.status in ('queued', 'parsing', 'writing'))`);
    },

    /** Which of these ids are imports still queued or running, and which are imports that have ended (done or failed). */
    async statesAmong(ids: readonly string[], tx: Executor = db): Promise<{ running: Set<string>; ended: Set<string> }> {
      const states = { running: new Set<string>(), ended: new Set<string>() };
      if (ids.length === 0) return states;
      const rows = await tx
        .select({ id: imports.id, running: sql<boolean>`${running}` })
        .from(imports)
        .where(inArray(imports.id, [...ids]));
      for (const row of rows) (row.running ? states.running : states.ended).add(row.id);
      return states;
    },

    /** The import row, locked until the transaction ends (undo against a concurrent undo). */
    async lockById(userId: string, id: string, tx: Tx): Promise<ImportRow | undefined> {
      const [row] = await tx
        .select(columns)
        .from(imports)
        .where(and(eq(imports.userId, userId), eq(imports.id, id)))
        .for('update');
      return row;
    },

    /** Deletes the import's executions (its own rows only) and answers the instruments they touched. */
    async deleteExecutionsOf(userId: string, importId: string, tx: Tx): Promise<{ accountId: string; instrumentKey: string }[]> {
      const result = await tx.execute(sql`
        with deleted as (
          delete from ${executions} where user_id = ${userId}::uuid and import_id = ${importId}::uuid returning account_id, instrument_key
        )
        select distinct account_id::text as account_id, instrument_key from deleted`);
      return rowsOf<{ account_id: string; instrument_key: string }>(result).map((r) => ({ accountId: r.account_id, instrumentKey: r.instrument_key }));
    },

    async delete(userId: string, id: string, tx: Executor = db): Promise<void> {
      await tx.delete(imports).where(and(eq(imports.userId, userId), eq(imports.id, id)));
    },

    /** For tests and the bench: the staged row count of an import. */
    async countStaged(importId: string, tx: Executor = db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(importStaging)
        .where(eq(importStaging.importId, importId));
      return Number(row?.n ?? 0);
    },

    /** Sets statement_timeout for the rest of the transaction (0 = none). */
    async setLocalStatementTimeout(ms: number, tx: Tx): Promise<void> {
      await tx.execute(sql`select set_config('statement_timeout', ${String(ms)}, true)`);
    },
  };
}

export type ImportsRepository = ReturnType<typeof createImportsRepository>;
