import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../../src/platform/db/database.js';

/**
 * Runs `hold` in a transaction of its own, which then stays open until `release()`; it then runs
 * `after` (if given) and commits (`done`). `started` resolves once `hold` has run, with the
 * transaction's backend pid (for pg_blocking_pids), or -1 if the transaction failed first.
 */
export function openTransaction(db: Db, hold: (tx: Tx) => Promise<unknown>, after?: (tx: Tx) => Promise<unknown>) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let ready!: (pid: number) => void;
  const started = new Promise<number>((resolve) => (ready = resolve));
  const done = db.transaction(async (tx) => {
    const result = (await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as { rows: { pid: number }[] };
    await hold(tx);
    ready(Number(result.rows[0]!.pid));
    await held;
    if (after) await after(tx);
  });
  done.catch(() => ready(-1));
  return { started, release, done };
}
