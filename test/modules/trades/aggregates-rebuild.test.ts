import { sql } from 'drizzle-orm';
import { executions } from '../../../src/db/schema/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Executor, Tx } from '../../../src/platform/db/database.js';
import { rebuildDailyAggregates } from '../../../src/modules/trades/trades.repository.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, usingPostgres } from '../../helpers/app.js';
import { openTransaction } from '../../helpers/transactions.js';
import { addTrade, createAccount } from '../analytics/analytics-helpers.js';
import { executionRow } from '../executions/ledger-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/** Every daily aggregate and sequence row of the user, each as its table's name and its row text, sorted. */
async function aggregateRows(userId: string, executor: Executor = t.database.db): Promise<string[]> {
  const result = await executor.execute(sql`
    select 'daily_aggregates ' || x::text as row from daily_aggregates x where user_id = ${userId}
    union all select 'daily_sequences ' || x::text from daily_sequences x where user_id = ${userId}
    union all select 'daily_account_sequences ' || x::text from daily_account_sequences x where user_id = ${userId}
    union all select 'daily_symbol_sequences ' || x::text from daily_symbol_sequences x where user_id = ${userId}`);
  return rowsOf<{ row: string }>(result)
    .map((r) => r.row)
    .sort();
}

/** The rows a rebuild from the trades gives, in a transaction rolled back after (the stored rows stay as they are). */
async function rebuiltRows(userId: string): Promise<string[]> {
  let rows: string[] = [];
  const rollback = new Error('rollback');
  await t.database.db
    .transaction(async (tx) => {
      await rebuildDailyAggregates(tx, userId);
      rows = await aggregateRows(userId, tx);
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
  return rows;
}

async function someTrades(user: TestUser, accountId: string) {
  await addTrade(t, user, accountId, { openAt: '2025-03-03T15:00:00Z', closeAt: '2025-03-03T16:00:00Z', entry: '10', exit: '12' });
  await addTrade(t, user, accountId, { openAt: '2025-03-04T15:00:00Z', closeAt: '2025-03-04T16:00:00Z', entry: '10', exit: '9' });
}

describe('rebuildDailyAggregates', () => {
  it("rebuilds exactly its user's rows, or every user's when given none", async () => {
    const [one, other] = [await createUser(t), await createUser(t)];
    await someTrades(one, await createAccount(t, one));
    await someTrades(other, await createAccount(t, other));
    const rebuilt = { one: await rebuiltRows(one.id), other: await rebuiltRows(other.id) };
    const skew = async (userId: string) => {
      await t.database.db.execute(sql`update daily_aggregates set net_pnl = net_pnl + 1 where user_id = ${userId}`);
      await t.database.db.execute(sql`update daily_sequences set trade_count = trade_count + 1 where user_id = ${userId}`);
    };
    await skew(one.id);
    await skew(other.id);
    const skewed = await aggregateRows(other.id);
    expect(skewed).not.toEqual(rebuilt.other);

    await t.database.db.transaction((tx) => rebuildDailyAggregates(tx, one.id));
    expect(await aggregateRows(one.id)).toEqual(rebuilt.one);
    expect(await aggregateRows(other.id)).toEqual(skewed);

    await skew(one.id);
    await t.database.db.transaction((tx) => rebuildDailyAggregates(tx));
    expect(await aggregateRows(one.id)).toEqual(rebuilt.one);
    expect(await aggregateRows(other.id)).toEqual(rebuilt.other);
  });
});

// PGlite is one connection: no second transaction exists to interleave, so these run on PostgreSQL only.
if (usingPostgres()) describe('daily aggregates writers against each other (PostgreSQL)', () => {
  const backendPid = async (tx: Tx) => rowsOf<{ pid: number }>(await tx.execute(sql`select pg_backend_pid() as pid`))[0]!.pid;


  /** Resolves once some backend (or backend `waiter`) waits for a lock that backend `pid` holds. */
  async function blockedBy(pid: number, waiter?: number): Promise<void> {
    const which = waiter === undefined ? sql`true` : sql`pid = ${waiter}::int`;
    for (let i = 0; i < 400; i++) {
      const result = await t.database.db.execute(sql`select count(*)::int as n from pg_stat_activity where ${which} and ${pid}::int = any(pg_blocking_pids(pid))`);
      if (rowsOf<{ n: number }>(result)[0]!.n > 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`nobody waited for backend ${pid}`);
  }

  /**
   * Runs `hold` in a transaction, then starts `blocked`; once something waits for the transaction's
   * locks, the transaction goes on with `after` and commits. Answers what `blocked` answered.
   */
  async function whileHeld<T>(hold: (tx: Tx) => Promise<unknown>, blocked: () => Promise<T>, after: (tx: Tx) => Promise<unknown>): Promise<T> {
    const holder = openTransaction(t.database.db, hold, after);
    const outcome = holder.started.then(() => blocked());
    try {
      await blockedBy(await holder.started);
    } finally {
      holder.release();
    }
    await holder.done;
    return outcome;
  }

  it('an account delete waits for a rebuild holding its owner, before it takes any aggregate row (no deadlock)', async () => {
    const owner = await createUser(t);
    const [kept, gone] = [await createAccount(t, owner, 'Kept'), await createAccount(t, owner, 'Gone')];
    await someTrades(owner, kept);
    await someTrades(owner, gone);

    // A rebuild of the owner that takes the owner's row, then rebuilds once the delete waits for it.
    const res = await whileHeld(
      (tx) => tx.execute(sql`select 1 from users where id = ${owner.id} for no key update`),
      () => call(t, owner, { method: 'DELETE', url: `/api/v1/accounts/${gone}?confirm=true` }),
      (tx) => rebuildDailyAggregates(tx, owner.id),
    );
    expect(res.statusCode, res.body).toBe(204);
    const rows = await aggregateRows(owner.id);
    expect(rows).toEqual(await rebuiltRows(owner.id));
    expect(rows.some((row) => row.includes(gone))).toBe(false);
    expect(rows.some((row) => row.includes(kept))).toBe(true);
  });

  it('an account delete waits for executions being written to the account, which then take the owner (no deadlock)', async () => {
    const owner = await createUser(t);
    const accountId = await createAccount(t, owner);
    await someTrades(owner, accountId);

    // An execution write: its insert locks the account (key share), its aggregates refresh then takes the owner's row.
    const res = await whileHeld(
      (tx) => tx.insert(executions).values([executionRow(owner.id, accountId, 0), executionRow(owner.id, accountId, 1, 'sell')]),
      () => call(t, owner, { method: 'DELETE', url: `/api/v1/accounts/${accountId}?confirm=true` }),
      (tx) => tx.execute(sql`select 1 from users where id = ${owner.id} for no key update`),
    );
    expect(res.statusCode, res.body).toBe(204);
    const left = await t.database.db.execute(sql`select count(*)::int as n from executions where account_id = ${accountId}`);
    expect(rowsOf<{ n: number }>(left)[0]!.n).toBe(0);
    expect(await aggregateRows(owner.id)).toEqual([]);
  });

  it("a rebuild of every user leaves alone a user created after it locked the users, whose own writes keep its rows", async () => {
    const existing = await createUser(t);
    await someTrades(existing, await createAccount(t, existing));

    // Holds one of the existing user's aggregate rows, so the global rebuild stops at its delete, after locking the users.
    const holder = openTransaction(t.database.db, async (tx) => {
      await tx.execute(sql`select 1 from daily_aggregates where user_id = ${existing.id} limit 1 for update`);
    });
    const holderPid = await holder.started;
    // Its own backend is the one waited for: other test files' global rebuilds may wait for the holder too.
    let pidOf!: (pid: number) => void;
    const rebuilder = new Promise<number>((resolve) => (pidOf = resolve));
    const global = t.database.db
      .transaction(async (tx) => {
        pidOf(await backendPid(tx));
        await rebuildDailyAggregates(tx);
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    let newcomer: TestUser;
    try {
      await blockedBy(holderPid, await rebuilder);
      newcomer = await createUser(t);
      await someTrades(newcomer, await createAccount(t, newcomer));
    } finally {
      holder.release();
    }
    await holder.done;
    expect(await global).toBeUndefined();
    expect(await aggregateRows(newcomer.id)).toHaveLength(8);
    expect(await aggregateRows(newcomer.id)).toEqual(await rebuiltRows(newcomer.id));
    expect(await aggregateRows(existing.id)).toEqual(await rebuiltRows(existing.id));
  });
});
