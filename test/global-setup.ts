import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { TestProject } from 'vitest/node';
import { migrationsFolder } from '../src/lib/paths.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteDump: string;
  }
}

/**
 * On the embedded default, initdb + migrations run once here; every test file then starts its
 * own in-memory PGlite from this dump (about 3x faster than a fresh database).
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tradesense-test-'));
  const file = path.join(dir, 'pglite.tar');
  if (!process.env.DATABASE_URL) {
    const client = await PGlite.create('memory://');
    await migrate(drizzle({ client }), { migrationsFolder });
    const dump = await client.dumpDataDir('none');
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    await client.close();
  }
  project.provide('pgliteDump', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
