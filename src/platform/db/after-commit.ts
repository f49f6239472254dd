import type { Db, Tx } from './database.js';

const pending = new WeakMap<object, (() => void)[]>();

/**
 * Runs `fn` once the transaction `tx` has committed, never if it rolls back: notifications
 * (real-time events) must not announce a write that did not happen. `tx` must come from a
 * database opened by openDatabase, whose transactions are tracked.
 */
export function afterCommit(tx: Tx, fn: () => void): void {
  const callbacks = pending.get(tx);
  if (!callbacks) throw new Error('afterCommit needs a transaction of a database opened by openDatabase');
  callbacks.push(fn);
}

/** Makes `db.transaction` run the callbacks registered with afterCommit after it commits. */
export function trackCommits(db: Db): void {
  const transaction = db.transaction.bind(db);
  const tracked: Db['transaction'] = async (fn, config) => {
    const callbacks: (() => void)[] = [];
    const result = await transaction(async (tx) => {
      pending.set(tx, callbacks);
      return fn(tx);
    }, config);
    for (const callback of callbacks) callback();
    return result;
  };
  db.transaction = tracked;
}
