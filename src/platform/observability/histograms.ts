import type { Registry } from 'prom-client';

export interface Bucket {
  /** Upper bound (seconds); Infinity for +Inf. */
  le: number;
  /** Cumulative count of observations ≤ le. */
  count: number;
}

/**
 * The q-quantile of a cumulative histogram, as PromQL's `histogram_quantile` computes it:
 * linear interpolation inside the bucket the rank falls in (the first bucket's lower bound is
 * 0); a rank in the +Inf bucket answers the highest finite bound. Null without observations.
 */
export function quantileFromBuckets(buckets: readonly Bucket[], q: number): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of sorted) {
    if (bucket.count >= rank) {
      if (bucket.le === Infinity) return lowerBound;
      if (bucket.count === lowerCount) return bucket.le;
      return lowerBound + (bucket.le - lowerBound) * ((rank - lowerCount) / (bucket.count - lowerCount));
    }
    lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return lowerBound;
}

export interface HistogramGroup {
  labels: Record<string, string>;
  count: number;
  sumSeconds: number;
  buckets: Bucket[];
}

/**
 * Reads a histogram of the registry and adds up its series by the given labels (cumulative
 * bucket counts of several series add up exactly). Empty when the histogram does not exist
 * (metrics turned off).
 */
export async function histogramGroups(registry: Registry, name: string, by: readonly string[]): Promise<HistogramGroup[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return [];
  const { values } = await metric.get();
  const groups = new Map<string, HistogramGroup & { byLe: Map<number, number> }>();
  for (const value of values) {
    const labels = value.labels as Record<string, string | number | undefined>;
    const picked: Record<string, string> = {};
    for (const label of by) picked[label] = String(labels[label] ?? '');
    const key = JSON.stringify(picked);
    let group = groups.get(key);
    if (!group) {
      group = { labels: picked, count: 0, sumSeconds: 0, buckets: [], byLe: new Map() };
      groups.set(key, group);
    }
    const series = (value as { metricName?: string }).metricName ?? '';
    if (series.endsWith('_bucket')) {
      const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
      group.byLe.set(le, (group.byLe.get(le) ?? 0) + value.value);
    } else if (series.endsWith('_count')) group.count += value.value;
    else if (series.endsWith('_sum')) group.sumSeconds += value.value;
  }
  return [...groups.values()].map(({ byLe, ...group }) => ({ ...group, buckets: [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le) }));
}
