/**
 * The executions' dedupe keys (broker execution id, content hash) compare in byte order since
 * migration 0014: their unique indexes are only ever probed for equality, and byte order is
 * what makes those probes and inserts cheap.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, createUser } from '../../helpers/app.js';
import { executions } from '../../../src/db/schema/index.js';
import { createAccount, executionRow } from './ledger-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

describe('executions dedupe keys', () => {
  it('are stored with the byte-order collation', async () => {
    const result = await t.database.db.execute(sql`
      select column_name, collation_name from information_schema.columns
      where table_schema = 'public' and table_name = 'executions' and column_name in ('broker_exec_id', 'content_hash') order by column_name`);
    expect((result as unknown as { rows: unknown[] }).rows).toEqual([
      { column_name: 'broker_exec_id', collation_name: 'C' },
      { column_name: 'content_hash', collation_name: 'C' },
    ]);
  });

  it('still refuse a second execution with the same key in one account, byte for byte only', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const row = (brokerExecId: string) => ({ ...executionRow(user.id, accountId, 0), brokerExecId });
    await t.database.db.insert(executions).values([row('Ä-1'), row('ä-1'), row('A\u0308-1')]);
    await expect(t.database.db.insert(executions).values(row('ä-1'))).rejects.toThrow();
    expect(await t.database.db.select().from(executions).where(eq(executions.accountId, accountId))).toHaveLength(3);
  });
});
