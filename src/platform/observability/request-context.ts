import { AsyncLocalStorage } from 'node:async_hooks';

/** What a request accumulates while it runs: milliseconds per phase (db, cache), for Server-Timing. */
export interface RequestContext {
  timings: Record<string, number>;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs the rest of a request (hooks, handler, reply) inside its context. */
export function runInRequestContext(context: RequestContext, next: () => void) {
  storage.run(context, next);
}

/**
 * Starts timing a phase of the current request (if any); the returned function stops it
 * and adds the milliseconds to the phase. Returns the elapsed milliseconds.
 */
export function startTiming(phase: string): () => number {
  const context = storage.getStore();
  const started = performance.now();
  return () => {
    const ms = performance.now() - started;
    if (context) context.timings[phase] = (context.timings[phase] ?? 0) + ms;
    return ms;
  };
}
