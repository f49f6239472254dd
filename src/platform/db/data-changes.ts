import type { Db, Executor } from './database.js';

/** Told, after the commit, which users' trading data or analytics settings a write changed. */
export type DataChangeListener = (userIds: readonly string[]) => Promise<void>;

interface Pending {
  root: object;
  users: Set<string>;
}

const listenersOf = new WeakMap<object, Set<DataChangeListener>>();
const pendingOf = new WeakMap<object, Pending>();

async function notify(root: object, userIds: readonly string[]) {
  const listeners = listenersOf.get(root);
  if (!listeners?.size) return;
  // A listener failing (the cache down) must not turn a committed write into an error; the cache reports its own failures.
  await Promise.allSettled([...listeners].map((listener) => listener(userIds)));
}

type TransactionFn = (fn: (tx: object) => Promise<unknown>, config?: unknown) => Promise<unknown>;

function wrapTransactions(target: object, root: object, pending?: Set<string>) {
  const host = target as { transaction: TransactionFn };
  const original = host.transaction.bind(target);
  host.transaction = async (fn, config) => {
    // A nested transaction (savepoint) reports with its outermost transaction, after that commits.
    const users = pending ?? new Set<string>();
    const result = await original((tx) => {
      pendingOf.set(tx, { root, users });
      wrapTransactions(tx, root, users);
      return fn(tx);
    }, config);
    if (!pending && users.size > 0) await notify(root, [...users]);
    return result;
  };
}

/**
 * Lets writers report changed users after commit: every transaction of `db` collects the users
 * passed to `userDataChanged` and tells the listeners once it has committed (never before, so a
 * listener that drops a cache entry cannot race a reader into caching pre-commit data).
 */
export function trackDataChanges(db: Db): void {
  listenersOf.set(db, new Set());
  wrapTransactions(db, db);
}

/** Subscribes to committed data changes of `db`; returns the unsubscribe function. */
export function onUserDataChanged(db: Db, listener: DataChangeListener): () => void {
  const listeners = listenersOf.get(db);
  if (!listeners) throw new Error('trackDataChanges was not called for this database');
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Called by every write that bumps users.data_generation (or changes the settings analytics
 * depend on): inside a transaction, reported after its commit; on the plain connection
 * (auto-commit), reported now.
 */
export async function userDataChanged(executor: Executor, userId: string): Promise<void> {
  const pending = pendingOf.get(executor);
  if (pending) {
    pending.users.add(userId);
    return;
  }
  if (!listenersOf.has(executor)) throw new Error('userDataChanged needs a tracked database or one of its transactions');
  await notify(executor, [userId]);
}
