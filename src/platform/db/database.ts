import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Config } from '../../config/config.js';
import * as schema from '../../db/schema/index.js';
import { migrationsFolder } from '../../lib/paths.js';
import type { DataChangeListener } from './data-changes.js';
import { onUserDataChanged, trackDataChanges } from './data-changes.js';
import type { ObserverSlot, QueryObserver } from './query-observer.js';
import { observePglite, observedClientClass } from './query-observer.js';
import { openPglite } from './pglite.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Every repository method takes this: the plain connection or the caller's transaction. */
export type Executor = Db | Tx;

/** A statement run outside Drizzle; `name` makes node-postgres prepare it once per connection (one name, one text). */
export interface ArrayQuery {
  name: string | undefined;
  text: string;
  values: unknown[];
}

/** Runs a statement and answers its rows as arrays of column values in select order, parsed by the driver's default types. */
export type ArrayQueryRunner = (query: ArrayQuery) => Promise<unknown[][]>;

const arrayRunners = new WeakMap<object, ArrayQueryRunner>();

/** The array-row runner of a database's connection (`db` or `readDb` of an opened database). */
export function arrayQuery(db: Db): ArrayQueryRunner {
  const runner = arrayRunners.get(db);
  if (!runner) throw new Error('arrayQuery needs the db of an opened database');
  return runner;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Database {
  driver: 'pglite' | 'postgres';
  /** Primary: all writes and reads that must see them. */
  db: Db;
  /** Read replica when DATABASE_READ_URL is set, else the primary. */
  readDb: Db;
  poolStats(): PoolStats;
  /** Called with every query's statement name and duration (metrics, slow-query log, Server-Timing). */
  setQueryObserver(observer: QueryObserver | undefined): void;
  /** Called after each commit that changed users' trading data (see data-changes.ts); returns the unsubscribe function. */
  onUserDataChanged(listener: DataChangeListener): () => void;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PGlite data location; 'memory://' for an in-memory database. Defaults to config.dataDir/pglite. */
  pgliteDataDir?: string;
  /** A dump made by PGlite's dumpDataDir, to start from without running initdb. */
  pgliteLoadDataDir?: Blob | File;
  /** The embedded database already being opened by openPglite (the entry point starts it first); the two options above are then unused. */
  pglite?: Promise<PGlite>;
  /** Drizzle migrations to apply; defaults to the bundled src/db/migrations. */
  migrationsFolder?: string;
}

/** Drizzle's bookkeeping: one row per applied migration, `created_at` being the journal's `when`. */
const LAST_APPLIED_SQL = 'select max(created_at) as "when" from drizzle.__drizzle_migrations';

/** When the newest migration of the folder was made (the journal's last `when`). */
function newestMigration(folder: string): number {
  const journal = JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number }[] };
  return Math.max(0, ...journal.entries.map((e) => e.when));
}

/**
 * True when the database has applied the folder's newest migration, read in one query, so a
 * start-up on a migrated database skips drizzle's migrator (it reads and hashes every file and
 * runs three statements). Drizzle applies a migration when its `when` is newer than the last
 * applied one; this is the same test. A database without the table has nothing applied.
 */
async function isMigrated(query: (sql: string) => Promise<{ rows: { when: unknown }[] }>, folder: string): Promise<boolean> {
  let applied: number;
  try {
    const { rows } = await query(LAST_APPLIED_SQL);
    applied = Number(rows[0]?.when ?? 0);
  } catch {
    return false;
  }
  return applied >= newestMigration(folder);
}

// A fixed key for the migration advisory lock, so concurrent start-ups migrate once.
const MIGRATION_LOCK_KEY = 7_432_101;

export async function openDatabase(config: Config, options: DatabaseOptions = {}): Promise<Database> {
  const slot: ObserverSlot = {};
  const setQueryObserver = (observer: QueryObserver | undefined) => {
    slot.current = observer;
  };
  const migrations = options.migrationsFolder ?? migrationsFolder;
  if (config.database.url) return openPostgres(config, config.database.url, migrations, slot, setQueryObserver);

  // Loaded only for the embedded database: PostgreSQL deployments never pay for PGlite's module.
  const [client, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    options.pglite ?? openPglite(config, { dataDir: options.pgliteDataDir, loadDataDir: options.pgliteLoadDataDir }),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  trackDataChanges(db);
  // PGlite has no named statements; the extended protocol still keeps values apart from the text.
  arrayRunners.set(db, async ({ text, values }) => (await client.query<unknown[]>(text, values, { rowMode: 'array' })).rows);
  if (!(await isMigrated((text) => client.query<{ when: unknown }>(text), migrations))) await migratePglite(db as never, { migrationsFolder: migrations });
  observePglite(client, slot);
  let closed = false;
  return {
    driver: 'pglite',
    db,
    readDb: db,
    // PGlite is one in-process connection; a query waiting on it is invisible from here.
    poolStats: () => ({ total: 1, idle: closed ? 0 : 1, waiting: 0 }),
    setQueryObserver,
    onUserDataChanged: (listener) => onUserDataChanged(db, listener),
    async ping() {
      await client.query('select 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}

function createPool(config: Config, connectionString: string, slot: ObserverSlot): pg.Pool {
  const { poolMax, idleTimeoutMs, connectionTimeoutMs, statementTimeoutMs } = config.database;
  const pool = new pg.Pool({
    connectionString,
    max: poolMax,
    idleTimeoutMillis: idleTimeoutMs,
    connectionTimeoutMillis: connectionTimeoutMs,
    statement_timeout: statementTimeoutMs || undefined,
    application_name: 'tradesense',
    Client: observedClientClass(slot),
  });
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool drops it and the next query opens a fresh one.
  pool.on('error', () => undefined);
  return pool;
}

async function openPostgres(
  config: Config,
  url: string,
  migrations: string,
  slot: ObserverSlot,
  setQueryObserver: (observer: QueryObserver | undefined) => void,
): Promise<Database> {
  const pool = createPool(config, url, slot);
  const readPool = config.database.readUrl ? createPool(config, config.database.readUrl, slot) : pool;
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  trackDataChanges(db);
  const readDb = readPool === pool ? db : (drizzlePg({ client: readPool, schema }) as unknown as Db);
  const runnerOf =
    (target: pg.Pool): ArrayQueryRunner =>
    async ({ name, text, values }) =>
      (await target.query<unknown[]>({ name, text, values, rowMode: 'array' })).rows;
  arrayRunners.set(db, runnerOf(pool));
  arrayRunners.set(readDb, runnerOf(readPool));

  if (!(await isMigrated((text) => pool.query<{ when: unknown }>(text), migrations))) {
    const migrationClient = new pg.Client({ connectionString: url, connectionTimeoutMillis: config.database.connectionTimeoutMs });
    await migrationClient.connect();
    try {
      await migrationClient.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await migratePg(drizzlePg({ client: migrationClient }), { migrationsFolder: migrations });
    } finally {
      await migrationClient.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await migrationClient.end();
    }
  }

  let closed = false;
  return {
    driver: 'postgres',
    db,
    readDb,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    setQueryObserver,
    onUserDataChanged: (listener) => onUserDataChanged(db, listener),
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
      if (readPool !== pool) await readPool.end();
    },
  };
}
