import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * Called as a query starts (in the caller's async context, so request-scoped state can be
 * captured); the function it returns is called when the query ends.
 */
export type QueryObserver = (statement: string) => (failed: boolean) => void;

const MAIN_VERB = /(select|insert|update|delete)\b/y;

/**
 * Where the statement a WITH clause leads to starts in `text` (lower case): the first
 * select/insert/update/delete outside the parentheses of its common table expressions (quoted
 * text and identifiers skipped), or -1.
 */
function mainStatementAt(text: string): number {
  let depth = 0;
  for (let i = 4; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return -1;
      i = end;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && (text[i - 1] === ')' || text[i - 1]!.trim() === '')) {
      MAIN_VERB.lastIndex = i;
      if (MAIN_VERB.test(text)) return i;
    }
  }
  return -1;
}

/** statementName of a statement already trimmed and in lower case. */
function nameOf(text: string): string {
  const verb = /^(\w+)/.exec(text)?.[1] ?? 'query';
  if (verb === 'with') {
    const at = mainStatementAt(text);
    return at < 0 ? 'with' : `with ${nameOf(text.slice(at))}`;
  }
  const table =
    verb === 'insert'
      ? /^insert\s+into\s+"?([\w.]+)"?/.exec(text)?.[1]
      : verb === 'update'
        ? /^update\s+"?([\w.]+)"?/.exec(text)?.[1]
        : verb === 'delete'
          ? /^delete\s+from\s+"?([\w.]+)"?/.exec(text)?.[1]
          : /\bfrom\s+"?([\w.]+)"?/.exec(text)?.[1];
  return table ? `${verb} ${table}` : verb;
}

/**
 * A short, parameter-free name for a statement: its verb and main table, e.g.
 * "select trades", "insert executions", "with delete daily_aggregates" (a WITH clause named by
 * the statement it leads to). Bounded cardinality for metrics; safe for logs.
 */
export function statementName(sqlText: string): string {
  return nameOf(sqlText.trimStart().toLowerCase());
}

function textOf(args: unknown[]): string {
  const first = args[0];
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && 'text' in first) return String((first as { text: unknown }).text);
  return 'query';
}

/** Where a database's observer is plugged in; the app sets `current` once its metrics exist. */
export interface ObserverSlot {
  current?: QueryObserver;
}

function observe<T>(slot: ObserverSlot, sqlText: string, run: () => T): T {
  const observer = slot.current;
  if (!observer) return run();
  const notify = observer(statementName(sqlText));
  const result = run();
  const promise = result as unknown as Promise<unknown> | undefined;
  if (promise && typeof promise.then === 'function') {
    promise.then(
      () => notify(false),
      () => notify(true),
    );
  }
  return result;
}

/**
 * A pg Client class that reports the duration of every query (the pool creates its clients
 * from it). pg-pool's own `pool.query` calls the client in callback style, so both styles count.
 */
export function observedClientClass(slot: ObserverSlot): typeof pg.Client {
  return class ObservedClient extends pg.Client {
    override query(...args: unknown[]): never {
      const observer = slot.current;
      const callback = args[args.length - 1];
      if (observer && typeof callback === 'function') {
        const end = observer(statementName(textOf(args)));
        args[args.length - 1] = (error: unknown, result: unknown) => {
          end(Boolean(error));
          (callback as (e: unknown, r: unknown) => void)(error, result);
        };
        return (super.query as (...a: unknown[]) => unknown)(...args) as never;
      }
      return observe(slot, textOf(args), () => (super.query as (...a: unknown[]) => unknown)(...args)) as never;
    }
  };
}

/** Reports PGlite queries, including those inside transactions. */
export function observePglite(client: PGlite, slot: ObserverSlot) {
  const query = client.query.bind(client);
  client.query = ((sqlText: string, ...rest: unknown[]) => observe(slot, sqlText, () => (query as (...a: unknown[]) => unknown)(sqlText, ...rest))) as never;
  const transaction = client.transaction.bind(client);
  client.transaction = ((callback: (tx: { query: (...a: unknown[]) => unknown }) => unknown) =>
    transaction(async (tx) => {
      const txQuery = tx.query.bind(tx);
      (tx as { query: unknown }).query = (sqlText: string, ...rest: unknown[]) => observe(slot, sqlText, () => (txQuery as (...a: unknown[]) => unknown)(sqlText, ...rest));
      return callback(tx as never);
    })) as never;
}
