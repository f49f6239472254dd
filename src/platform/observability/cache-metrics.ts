import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Cache } from '../cache/cache.js';

/**
 * Cache lookups as Prometheus counters by backend: the cache keeps its own running totals
 * (they also feed /health/cache-stats), and each scrape adds what happened since the last one.
 */
export function registerCacheMetrics(registry: Registry, cache: Cache) {
  const seen = { hits: 0, misses: 0, errors: 0 };
  let latest: Promise<{ hits: number; misses: number; errors: number }> | undefined;
  // One stats() call per scrape feeds all three counters.
  const read = () => (latest ??= cache.stats().finally(() => setImmediate(() => (latest = undefined))));
  const counter = (name: 'hits' | 'misses' | 'errors', help: string) =>
    new Counter({
      name: `cache_${name}_total`,
      help,
      labelNames: ['backend'] as const,
      registers: [registry],
      async collect() {
        const stats = await read();
        // inc by 0 too, so the series exists from the first scrape.
        this.inc({ backend: cache.backend }, Math.max(0, stats[name] - seen[name]));
        seen[name] = Math.max(seen[name], stats[name]);
      },
    });
  counter('hits', 'Cache lookups that found a value, by backend');
  counter('misses', 'Cache lookups that found nothing, by backend');
  counter('errors', 'Cache operations that failed (Redis unreachable or erroring), by backend');
}
