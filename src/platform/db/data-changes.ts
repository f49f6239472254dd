import type { Db, Executor } from './database.js';

/** Told, after the commit, which users' trading data or analytics settings a write changed. */
export type DataChangeListener = (userIds: readonly string[]) => Promise<void>;

/** What the outermost transaction collects while it runs, acted on once it has committed. */
interface Pending {
  users: Set<string>;
  callbacks: (() => void)[];
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

function wrapTransactions(target: object, root: object, outer?: Pending) {
  const host = target as { transaction: TransactionFn };
  const original = host.transaction.bind(target);
  host.transaction = async (fn, config) => {
    // A nested transaction (savepoint) reports with its outermost transaction, after that commits.
    const pending = outer ?? { users: new Set<string>(), callbacks: [] };
    const result = await original((tx) => {
      pendingOf.set(tx, pending);
      wrapTransactions(tx, root, pending);
      return fn(tx);
    }, config);
    if (!outer) {
      if (pending.users.size > 0) await notify(root, [...pending.users]);
      for (const callback of pending.callbacks) callback();
    }
    return result;
  };
}

/**
 * Lets writers act after commit: every transaction of `db` collects the users passed to
 * `userDataChanged` and the callbacks passed to `afterCommit`, and once it has committed tells
 * the listeners and runs the callbacks (never before, so a listener that drops a cache entry
 * cannot race a reader into caching pre-commit data, and no event announces a write that
 * rolled back).
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

/**
 * Runs `fn` once the transaction `executor` belongs to has committed, never if it rolls back;
 * on the plain connection (auto-commit) at once.
 */
export function afterCommit(executor: Executor, fn: () => void): void {
  const pending = pendingOf.get(executor);
  if (pending) {
    pending.callbacks.push(fn);
    return;
  }
  if (!listenersOf.has(executor)) throw new Error('afterCommit needs a tracked database or one of its transactions');
  fn();
}
