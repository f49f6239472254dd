import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, createUser } from '../../helpers/app.js';
import { createAccount } from '../executions/ledger-helpers.js';
import { importFile } from './import-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

async function analyzeCount(table: string): Promise<number> {
  const result = await t.database.db.execute(sql`select analyze_count from pg_stat_user_tables where relname = ${table}`);
  const rows = (Array.isArray(result) ? result : (result as { rows: { analyze_count: number | string }[] }).rows) as { analyze_count: number | string }[];
  return Number(rows[0]?.analyze_count ?? 0);
}

describe('planner statistics after a large import', () => {
  it('analyzes the tables an import of 10,000 executions grew, so the first trades page reads an index instead of sorting', { timeout: 120_000 }, async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const start = Date.UTC(2024, 0, 2, 14, 30);
    const lines = Array.from({ length: 10_000 }, (_, i) => {
      const at = new Date(start + i * 1000).toISOString();
      return `${at},S${i % 20},stock,${Math.floor(i / 20) % 2 ? 'sell' : 'buy'},1,${100 + (i % 7)}`;
    });
    const before = await analyzeCount('trades');
    const done = await importFile(t, user, { accountId }, ['executed_at,symbol,asset_class,side,quantity,price', ...lines].join('\n'));
    expect(done.status).toBe('done');
    expect(done.counts.executionsAdded).toBe(10_000);
    await expect.poll(() => analyzeCount('trades'), { timeout: 30_000 }).toBeGreaterThan(before);
  });
});
