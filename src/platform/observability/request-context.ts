import { AsyncLocalStorage } from 'node:async_hooks';

export type SpanAttributes = Record<string, string | number | boolean>;

/** The trace of one request when tracing is on: starts its child spans; the returned function ends one. */
export interface RequestTrace {
  child(name: string, attributes: SpanAttributes): (failed: boolean) => void;
}

/** What a request accumulates while it runs: milliseconds per phase (db, cache), for Server-Timing. */
export interface RequestContext {
  timings: Record<string, number>;
  /** Set only when tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT). */
  trace?: RequestTrace | null;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs the rest of a request (hooks, handler, reply) inside its context. */
export function runInRequestContext(context: RequestContext, next: () => void) {
  storage.run(context, next);
}

/**
 * Starts timing a phase of the current request (if any); the returned function stops it
 * and adds the milliseconds to the phase. Returns the elapsed milliseconds. With a span name
 * and tracing on, the phase is also a child span of the request's span.
 */
export function startTiming(phase: string, span?: { name: string; attributes: SpanAttributes }): (failed?: boolean) => number {
  const context = storage.getStore();
  const started = performance.now();
  const endSpan = span && context?.trace ? context.trace.child(span.name, span.attributes) : undefined;
  return (failed = false) => {
    const ms = performance.now() - started;
    if (context) context.timings[phase] = (context.timings[phase] ?? 0) + ms;
    endSpan?.(failed);
    return ms;
  };
}
