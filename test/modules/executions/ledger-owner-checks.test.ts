/**
 * Executions and trades have no foreign keys to users and accounts (migration 0011): a statement-level
 * trigger checks and locks the accounts an INSERT writes, a row trigger checks a row moved to another
 * account, and deleting accounts (or users, through their accounts) deletes their executions and trades.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, executions, trades, users } from '../../../src/db/schema/index.js';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, createUser, usingPostgres } from '../../helpers/app.js';
import { openTransaction } from '../../helpers/transactions.js';
import { addRoundTrip, createAccount, executionRow, ownRow } from './ledger-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

/** The SQLSTATE of a database error, as node-postgres or PGlite report it (Drizzle may wrap it). */
function sqlState(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string } };
  return e.code ?? e.cause?.code;
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected the statement to fail');
}

function trade(userId: string, accountId: string) {
  return {
    ...ownRow(userId, accountId),
    side: 'long' as const,
    status: 'open' as const,
    openedAt: new Date(Date.UTC(2025, 2, 3)),
    quantity: '1',
    openQuantity: '1',
    avgEntry: '10',
    grossPnl: '0',
    fees: '0',
    netPnl: '0',
    costBasis: '10',
    multiplier: '1',
    currency: 'USD',
    firstExecutionId: randomUUID(),
    executionCount: 1,
  };
}

const countOf = async (table: typeof executions | typeof trades, accountId: string) =>
  (await t.database.db.select({ id: table.id }).from(table).where(eq(table.accountId, accountId))).length;

describe('ledger owner checks', () => {
  it('refuses executions and trades of a missing account or of another user’s account, the whole statement', async () => {
    const owner = await createUser(t);
    const other = await createUser(t);
    const accountId = await createAccount(t, owner);
    const foreign = await createAccount(t, other);
    const db = t.database.db;

    for (const rows of [
      [executionRow(owner.id, accountId, 0), executionRow(owner.id, randomUUID(), 1)],
      [executionRow(owner.id, accountId, 0), executionRow(owner.id, foreign, 1)],
      [executionRow(randomUUID(), accountId, 0)],
    ]) {
      expect(sqlState(await failure(db.insert(executions).values(rows)))).toBe('23503');
    }
    expect(sqlState(await failure(db.insert(trades).values([trade(owner.id, accountId), trade(owner.id, foreign)])))).toBe('23503');
    expect(await countOf(executions, accountId)).toBe(0);
    expect(await countOf(trades, accountId)).toBe(0);

    await db.insert(executions).values([executionRow(owner.id, accountId, 0), executionRow(owner.id, accountId, 1, 'sell')]);
    await db.insert(trades).values(trade(owner.id, accountId));
    expect(await countOf(executions, accountId)).toBe(2);
    expect(await countOf(trades, accountId)).toBe(1);
  });

  it('checks a row moved to another account, and lets other updates through', async () => {
    const owner = await createUser(t);
    const other = await createUser(t);
    const accountId = await createAccount(t, owner);
    const second = await createAccount(t, owner, { name: 'Second' });
    const foreign = await createAccount(t, other);
    const db = t.database.db;
    const [row] = await db.insert(executions).values(executionRow(owner.id, accountId, 0)).returning({ id: executions.id });
    const [tradeRow] = await db.insert(trades).values(trade(owner.id, accountId)).returning({ id: trades.id });

    expect(sqlState(await failure(db.update(executions).set({ accountId: foreign }).where(eq(executions.id, row!.id))))).toBe('23503');
    expect(sqlState(await failure(db.update(trades).set({ userId: other.id }).where(eq(trades.id, tradeRow!.id))))).toBe('23503');
    await db.update(executions).set({ accountId: second }).where(eq(executions.id, row!.id));
    await db.update(trades).set({ notes: 'kept', accountId: second }).where(eq(trades.id, tradeRow!.id));
    expect(await countOf(executions, second)).toBe(1);
    expect(await countOf(trades, second)).toBe(1);
  });

  it("deletes an account's executions, trades, fill links and account aggregate rows with it, and a user's with the user, nobody else's", async () => {
    const owner = await createUser(t);
    const bystander = await createUser(t);
    const gone = await createAccount(t, owner);
    const kept = await createAccount(t, owner, { name: 'Kept' });
    const theirs = await createAccount(t, bystander);
    const spec = { symbol: 'OWN', openAt: '2025-03-03T14:30:00Z', closeAt: '2025-03-03T15:30:00Z', entry: '10', exit: '11' };
    for (const [user, accountId] of [[owner, gone], [owner, kept], [bystander, theirs]] as const) await addRoundTrip(t, user, accountId, spec);
    const db = t.database.db;
    const links = async (accountId: string) => {
      const result = await db.execute(sql`select count(*)::int as n from trade_executions te join trades x on x.id = te.trade_id where x.account_id = ${accountId}`);
      return Number((result as unknown as { rows: { n: number }[] }).rows[0]!.n);
    };
    // The links of an account's executions, counted by the execution ids taken before it goes (other test files write links meanwhile).
    const executionIds = async (accountId: string) => (await db.select({ id: executions.id }).from(executions).where(eq(executions.accountId, accountId))).map((r) => r.id);
    const linksOfExecutions = async (ids: string[]) => {
      const result = await db.execute(sql`select count(*)::int as n from trade_executions where execution_id = any(${`{${ids.join(',')}}`}::uuid[])`);
      return Number((result as unknown as { rows: { n: number }[] }).rows[0]!.n);
    };
    const aggregateRows = async (accountId: string) => {
      const result = await db.execute(sql`
        select (select count(*) from daily_aggregates where account_id = ${accountId})::int + (select count(*) from daily_account_sequences where account_id = ${accountId})::int as n`);
      return Number((result as unknown as { rows: { n: number }[] }).rows[0]!.n);
    };
    expect(await links(kept)).toBe(2);
    expect(await aggregateRows(gone)).toBe(2);
    const [goneFills, keptFills] = [await executionIds(gone), await executionIds(kept)];
    expect(await linksOfExecutions(goneFills)).toBe(2);

    await db.delete(accounts).where(eq(accounts.id, gone));
    expect([await countOf(executions, gone), await countOf(trades, gone)]).toEqual([0, 0]);
    expect(await linksOfExecutions(goneFills)).toBe(0);
    expect(await aggregateRows(gone)).toBe(0);
    expect([await countOf(executions, kept), await countOf(trades, kept), await links(kept), await aggregateRows(kept)]).toEqual([2, 1, 2, 2]);

    await db.delete(users).where(eq(users.id, owner.id));
    expect([await countOf(executions, kept), await countOf(trades, kept)]).toEqual([0, 0]);
    expect(await linksOfExecutions(keptFills)).toBe(0);
    expect([await countOf(executions, theirs), await countOf(trades, theirs), await links(theirs)]).toEqual([2, 1, 2]);
  });
});

// PGlite is one connection: no second transaction exists to race, so these run on PostgreSQL only.
if (usingPostgres()) describe('ledger owner checks against a concurrent account delete (PostgreSQL)', () => {
  /** Resolves once a backend running a statement that starts with `statement` waits for a lock (the statement under test is blocked). */
  async function waitsForALock(statement: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const result = await t.database.db.execute(sql`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and starts_with(query, ${statement})`);
      if (Number((result as unknown as { rows: { n: number }[] }).rows[0]!.n) > 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('nobody waited for a lock');
  }


  it('an account deleted while executions are being written waits for them, then deletes them too', async () => {
    const owner = await createUser(t);
    const accountId = await createAccount(t, owner);
    const writer = openTransaction(t.database.db, async (tx) => {
      await tx.insert(executions).values([executionRow(owner.id, accountId, 0), executionRow(owner.id, accountId, 1, 'sell')]);
      await tx.insert(trades).values(trade(owner.id, accountId));
    });
    await writer.started;
    const deleting = t.database.db.delete(accounts).where(eq(accounts.id, accountId)).execute();
    try {
      await waitsForALock('delete from "accounts"');
    } finally {
      writer.release();
    }
    await writer.done;
    await deleting;
    expect([await countOf(executions, accountId), await countOf(trades, accountId)]).toEqual([0, 0]);
  });

  it('executions written for an account being deleted wait for the delete, then fail with nothing written', async () => {
    const owner = await createUser(t);
    const accountId = await createAccount(t, owner);
    const deleter = openTransaction(t.database.db, async (tx) => {
      await tx.delete(accounts).where(eq(accounts.id, accountId));
    });
    await deleter.started;
    const outcome = t.database.db.insert(executions).values([executionRow(owner.id, accountId, 0)]).execute().then(
      () => undefined,
      (error: unknown) => error,
    );
    try {
      await waitsForALock('insert into "executions"');
    } finally {
      deleter.release();
    }
    await deleter.done;
    expect(sqlState(await outcome)).toBe('23503');
    expect(await countOf(executions, accountId)).toBe(0);
  });
});
