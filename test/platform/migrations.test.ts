import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { migrationsFolder } from '../../src/lib/paths.js';
import type { Config } from '../../src/config/config.js';
import { openDatabase } from '../../src/platform/db/database.js';
import type { Database } from '../../src/platform/db/database.js';
import { testConfig, usingPostgres } from '../helpers/app.js';

/**
 * Start-up skips drizzle's migrator when the database already has the newest migration; a
 * database behind the bundled migrations must still get the new ones, once. On PGlite this
 * runs on a data directory on disk (reopened, as `npm start` does); on PostgreSQL on a scratch
 * database of its own, so the shared test database keeps only the real migrations.
 */
const work = mkdtempSync(path.join(tmpdir(), 'tradesense-migrations-'));
const folder = path.join(work, 'migrations');
let config: Config;
let scratchUrl: string | undefined;
const adminUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  cpSync(migrationsFolder, folder, { recursive: true });
  if (usingPostgres()) {
    const name = `ts_migrations_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(adminUrl!);
    url.pathname = `/${name}`;
    scratchUrl = url.toString();
    config = testConfig({ DATABASE_URL: scratchUrl });
  } else {
    config = testConfig();
  }
});

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  if (scratchUrl) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${new URL(scratchUrl).pathname.slice(1)} with (force)`);
    await admin.end();
  }
});

/** The on-disk PGlite directory starts from the test suite's migrated dump, as a reopened data dir would. */
async function open(): Promise<Database> {
  if (usingPostgres()) return openDatabase(config, { migrationsFolder: folder });
  const dataDir = path.join(work, 'pglite');
  const existing = readdirSafe(dataDir).length > 0;
  return openDatabase(config, {
    pgliteDataDir: dataDir,
    migrationsFolder: folder,
    ...(existing ? {} : { pgliteLoadDataDir: new Blob([readFileSync(inject('pgliteDump'))]) }),
  });
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function appliedCount(database: Database): Promise<number> {
  const rows = await database.db.execute<{ n: number | string }>(sql`select count(*) as n from drizzle.__drizzle_migrations`);
  return Number((rows as unknown as { rows: { n: number | string }[] }).rows[0]!.n);
}

describe('migrations at start-up', () => {
  it('opens a database with every bundled migration applied, then applies a new one once', async () => {
    const journalFile = path.join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { idx: number; when: number; tag: string; version: string; breakpoints: boolean }[] };
    const bundled = journal.entries.length;

    let database = await open();
    expect(await appliedCount(database)).toBe(bundled);
    await database.close();

    const last = journal.entries.at(-1)!;
    const tag = `${String(bundled).padStart(4, '0')}_startup_probe`;
    writeFileSync(path.join(folder, `${tag}.sql`), 'CREATE TABLE "startup_probe" ("id" integer PRIMARY KEY);\n');
    journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1, tag });
    writeFileSync(journalFile, JSON.stringify(journal));

    database = await open();
    expect(await appliedCount(database)).toBe(bundled + 1);
    await database.db.execute(sql`insert into startup_probe (id) values (1)`);
    await database.close();

    database = await open();
    expect(await appliedCount(database)).toBe(bundled + 1);
    const rows = await database.db.execute<{ id: number }>(sql`select id from startup_probe`);
    expect((rows as unknown as { rows: { id: number }[] }).rows).toEqual([{ id: 1 }]);
    await database.close();
  });
});
