/**
 * The performance score of the admin status: 100 minus penalties for five symptoms, each
 * growing linearly from its "fine" threshold to its "bad" threshold and capped at its weight
 * (the weights add up to 100). docs/operations.md, "Performance score", has the table.
 */

export interface ScoreInputs {
  /** p99 event-loop delay of the last measuring window, ms. */
  eventLoopDelayP99Ms: number;
  /** The highest p99 among routes with at least MIN_ROUTE_REQUESTS requests, ms; null when none has. */
  worstRouteP99Ms: number | null;
  worstRoute: string | null;
  /** Queries waiting for a pool connection now. */
  poolWaiting: number;
  cacheLookups: number;
  cacheHitRate: number | null;
  requests: number;
  /** Share of requests answered 5xx. */
  errorRate: number | null;
}

export interface ScoreReason {
  factor: 'event_loop_delay' | 'route_latency' | 'pool_waiting' | 'cache_hit_rate' | 'error_rate';
  value: number | null;
  /** Where the penalty starts and where it reaches `weight`. */
  fine: number;
  bad: number;
  weight: number;
  penalty: number;
  message: string;
}

export interface PerformanceScore {
  score: number;
  reasons: ScoreReason[];
}

/** A route's p99 counts toward the score once it has this many requests (a few cold requests say little). */
export const MIN_ROUTE_REQUESTS = 20;
/** The cache hit rate counts once there were this many lookups. */
export const MIN_CACHE_LOOKUPS = 100;
/** The error rate counts once there were this many requests. */
export const MIN_REQUESTS = 20;

/** 0 at `fine`, `weight` at `bad` (either direction), linear between. */
function ramp(value: number, fine: number, bad: number, weight: number): number {
  const t = (value - fine) / (bad - fine);
  return Math.round(Math.min(1, Math.max(0, t)) * weight * 10) / 10;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function performanceScore(input: ScoreInputs): PerformanceScore {
  const reasons: ScoreReason[] = [];
  const add = (factor: ScoreReason['factor'], value: number | null, fine: number, bad: number, weight: number, describe: (penalty: number) => string) => {
    const penalty = value === null ? 0 : ramp(value, fine, bad, weight);
    reasons.push({ factor, value: value === null ? null : round(value, 4), fine, bad, weight, penalty, message: describe(penalty) });
  };

  add('event_loop_delay', input.eventLoopDelayP99Ms, 20, 200, 25, (p) =>
    p > 0 ? `event-loop delay p99 is ${round(input.eventLoopDelayP99Ms, 1)} ms (fine up to 20 ms): the process is CPU-bound or blocked` : `event-loop delay p99 is ${round(input.eventLoopDelayP99Ms, 1)} ms`,
  );
  add('route_latency', input.worstRouteP99Ms, 250, 2500, 25, (p) =>
    input.worstRouteP99Ms === null
      ? `no route has ${MIN_ROUTE_REQUESTS} requests yet`
      : `slowest route p99 is ${round(input.worstRouteP99Ms, 1)} ms (${input.worstRoute})${p > 0 ? ', above 250 ms' : ''}`,
  );
  add('pool_waiting', input.poolWaiting, 0, 4, 20, (p) =>
    p > 0 ? `${input.poolWaiting} queries wait for a database connection: the pool is too small or queries are slow` : 'no query waits for a database connection',
  );
  const hitRate = input.cacheLookups >= MIN_CACHE_LOOKUPS ? input.cacheHitRate : null;
  add('cache_hit_rate', hitRate, 0.8, 0.2, 10, (p) =>
    hitRate === null ? `fewer than ${MIN_CACHE_LOOKUPS} cache lookups so far` : `cache hit rate is ${round(hitRate * 100, 1)}%${p > 0 ? ' (fine from 80%)' : ''}`,
  );
  const errorRate = input.requests >= MIN_REQUESTS ? input.errorRate : null;
  add('error_rate', errorRate, 0.001, 0.05, 20, (p) =>
    errorRate === null ? `fewer than ${MIN_REQUESTS} requests so far` : `${round(errorRate * 100, 2)}% of requests answered 5xx${p > 0 ? ' (fine up to 0.1%)' : ''}`,
  );

  const penalty = reasons.reduce((sum, r) => sum + r.penalty, 0);
  return { score: Math.max(0, Math.round(100 - penalty)), reasons };
}
