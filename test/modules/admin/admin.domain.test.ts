import { describe, expect, it } from 'vitest';
import { performanceScore } from '../../../src/modules/admin/admin.domain.js';
import type { ScoreInputs } from '../../../src/modules/admin/admin.domain.js';
import { quantileFromBuckets } from '../../../src/platform/observability/histograms.js';

const healthy: ScoreInputs = {
  eventLoopDelayP99Ms: 5,
  worstRouteP99Ms: 40,
  worstRoute: 'GET /api/v1/trades',
  poolWaiting: 0,
  cacheLookups: 1000,
  cacheHitRate: 0.95,
  requests: 10_000,
  errorRate: 0,
};

describe('performanceScore', () => {
  it('is 100 with every factor within its fine threshold', () => {
    const { score, reasons } = performanceScore(healthy);
    expect(score).toBe(100);
    expect(reasons.every((r) => r.penalty === 0)).toBe(true);
  });

  it('takes each factor weight at or past its bad threshold, so everything bad scores 0', () => {
    const { score, reasons } = performanceScore({ ...healthy, eventLoopDelayP99Ms: 900, worstRouteP99Ms: 9000, poolWaiting: 10, cacheHitRate: 0.1, errorRate: 0.2 });
    expect(score).toBe(0);
    expect(reasons.map((r) => [r.factor, r.penalty])).toEqual([
      ['event_loop_delay', 25],
      ['route_latency', 25],
      ['pool_waiting', 20],
      ['cache_hit_rate', 10],
      ['error_rate', 20],
    ]);
  });

  it('ramps linearly between the thresholds and names the cause', () => {
    // Route p99 halfway from 250 to 2500 ms: half of 25 points.
    const { score, reasons } = performanceScore({ ...healthy, worstRouteP99Ms: 1375, worstRoute: 'GET /api/v1/analytics/summary' });
    const route = reasons.find((r) => r.factor === 'route_latency')!;
    expect(route.penalty).toBe(12.5);
    expect(route.message).toContain('GET /api/v1/analytics/summary');
    expect(score).toBe(88);
  });

  it('ignores the cache hit rate and error rate until there is enough traffic', () => {
    const { score, reasons } = performanceScore({ ...healthy, cacheLookups: 10, cacheHitRate: 0, requests: 5, errorRate: 1, worstRouteP99Ms: null, worstRoute: null });
    expect(score).toBe(100);
    expect(reasons.find((r) => r.factor === 'error_rate')!.value).toBeNull();
  });
});

describe('quantileFromBuckets', () => {
  const buckets = [
    { le: 0.01, count: 50 },
    { le: 0.1, count: 90 },
    { le: 1, count: 100 },
    { le: Infinity, count: 100 },
  ];

  it('interpolates inside the bucket the rank falls in, as histogram_quantile does', () => {
    expect(quantileFromBuckets(buckets, 0.5)).toBeCloseTo(0.01);
    expect(quantileFromBuckets(buckets, 0.25)).toBeCloseTo(0.005);
    expect(quantileFromBuckets(buckets, 0.7)).toBeCloseTo(0.055);
    expect(quantileFromBuckets(buckets, 0.95)).toBeCloseTo(0.55);
  });

  it('answers the highest finite bound for a rank in +Inf, and null without observations', () => {
    expect(quantileFromBuckets([{ le: 0.5, count: 1 }, { le: Infinity, count: 10 }], 0.99)).toBe(0.5);
    expect(quantileFromBuckets([{ le: 0.5, count: 0 }, { le: Infinity, count: 0 }], 0.5)).toBeNull();
  });
});
