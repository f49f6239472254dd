import { Decimal, toDecimal } from '../../lib/decimal.js';
import type { Cache } from '../../platform/cache/cache.js';
import { createUserDataVersions } from '../../platform/cache/user-data-versions.js';
import { badRequest, unauthorized } from '../../platform/errors/app-error.js';
import { normalizeSymbol } from '../instruments/instruments.domain.js';
import type { PlaybooksService } from '../playbooks/playbooks.service.js';
import type { TradeFilters } from '../trades/trades.repository.js';
import type { BreakdownDimension, Confidence, Summary } from './analytics.domain.js';
import {
  HOLD_TIME_BUCKETS,
  WEEKDAYS,
  bootstrapConfidence,
  createConfidencePlanner,
  finishSummary,
  money,
  normalConfidence,
  parseSample,
  ratio,
} from './analytics.domain.js';
import type { AnalyticsRepository, Sample, Scope, UserState } from './analytics.repository.js';
import type {
  BreakdownInput,
  BreakdownView,
  CalendarView,
  DistributionView,
  EquityView,
  FilterInput,
  PlaybookStatsView,
  StreaksView,
} from './analytics.schemas.js';
import type { BREAKDOWN_SORTS } from './analytics.schemas.js';

export interface AnalyticsServiceDeps {
  /** On the primary: the generation lookup, and the fallback when the replica lags. */
  analyticsRepository: AnalyticsRepository;
  /** On the read replica (the same object when there is none). */
  readRepository: AnalyticsRepository;
  playbooksService: Pick<PlaybooksService, 'getPlaybook'>;
  cache: Pick<Cache, 'get' | 'set' | 'setIfAbsent' | 'flush'>;
  ttlSeconds: number;
}

/** Every analytics cache key starts with this, so they can be flushed together. */
const ANALYTICS_KEY_PREFIX = 'an:';

/**
 * Reads a user's state with at most one query in flight per user. A caller joins only a lookup
 * that has not started yet (the one queued behind the running lookup), so every answer comes
 * from a query that started after the caller arrived: a write committed before a request is
 * always seen by it, and concurrent requests for one user share one query.
 */
export function createStateReader(lookup: (userId: string) => Promise<UserState | undefined>) {
  interface Entry {
    running?: Promise<UserState | undefined>;
    queued?: Promise<UserState | undefined>;
  }
  const entries = new Map<string, Entry>();

  function start(userId: string, entry: Entry): Promise<UserState | undefined> {
    const running = lookup(userId);
    entry.running = running;
    const settle = () => {
      if (entry.running !== running) return;
      entry.running = undefined;
      if (!entry.queued) entries.delete(userId);
    };
    running.then(settle, settle);
    return running;
  }

  return (userId: string): Promise<UserState | undefined> => {
    let entry = entries.get(userId);
    if (!entry) {
      entry = {};
      entries.set(userId, entry);
    }
    const running = entry.running;
    if (!running) return start(userId, entry);
    if (entry.queued) return entry.queued;
    const e = entry;
    const after = () => {
      e.queued = undefined;
      return start(userId, e);
    };
    e.queued = running.then(after, after);
    return e.queued;
  };
}

const WEEKDAY_LABELS = new Map(WEEKDAYS.map((d, i) => [String(i + 1), d]));
const HOLD_LABELS = new Map(HOLD_TIME_BUCKETS.map((b) => [b.key, b.label]));
const HOLD_ORDER = new Map(HOLD_TIME_BUCKETS.map((b, i) => [b.key, i]));

function toFilters(input: FilterInput): TradeFilters {
  if (input.minPnl !== undefined && input.maxPnl !== undefined && toDecimal(input.minPnl).gt(toDecimal(input.maxPnl))) {
    throw badRequest('invalid_range', 'minPnl is greater than maxPnl.', { minPnl: input.minPnl, maxPnl: input.maxPnl });
  }
  return {
    from: input.from,
    to: input.to,
    accountId: input.accountId,
    symbol: input.symbol === undefined ? undefined : normalizeSymbol(input.symbol),
    side: input.side,
    status: input.status,
    outcome: input.outcome,
    tag: input.tag,
    playbookId: input.playbookId,
    assetClass: input.assetClass,
    minPnl: input.minPnl,
    maxPnl: input.maxPnl,
  };
}

/** The cache key's query part: defined fields in name order, so equivalent queries share an entry. */
function normalizeQuery(query: object): string {
  const entries = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(entries);
}

function confidenceOf(n: number, wins: number, sample: Sample, useSample: boolean): Confidence | null {
  if (n === 0) return null;
  if (useSample && sample.values !== null && sample.flags !== null) {
    const { pnl, wins: flags } = parseSample(sample.values, sample.flags);
    return bootstrapConfidence(pnl, flags);
  }
  return normalConfidence(n, sample.mean ?? 0, sample.stdev ?? 0, wins / n);
}

function groupLabel(by: BreakdownDimension, key: string | null, label: string | null): string | null {
  if (key === null) return by === 'tag' ? '(untagged)' : by === 'playbook' ? '(no playbook)' : null;
  if (by === 'weekday') return WEEKDAY_LABELS.get(key) ?? key;
  if (by === 'hour') return `${key.padStart(2, '0')}:00`;
  if (by === 'holdTime') return HOLD_LABELS.get(key) ?? key;
  return label;
}

/** Natural order of a group key: numbers for weekday/hour, bucket order for hold time, text otherwise; null last. */
function compareKeys(by: BreakdownDimension, a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (by === 'weekday' || by === 'hour') return Number(a) - Number(b);
  if (by === 'holdTime') return (HOLD_ORDER.get(a) ?? 0) - (HOLD_ORDER.get(b) ?? 0);
  return a < b ? -1 : 1;
}

export function createAnalyticsService({ analyticsRepository, readRepository, playbooksService, cache, ttlSeconds }: AnalyticsServiceDeps) {
  const readState = createStateReader((userId) => analyticsRepository.userState(userId));
  const inflight = new Map<string, Promise<string>>();

  /** The repository to compute on: the replica unless it has not yet seen the user's latest write. */
  async function repositoryFor(userId: string, generation: number): Promise<AnalyticsRepository> {
    if (readRepository === analyticsRepository) return readRepository;
    const replica = await readRepository.userState(userId);
    return replica && replica.generation >= generation ? readRepository : analyticsRepository;
  }

  /** The users' data versions (the app renews them after every committed change); without one (Redis down) entries are keyed by the database's data generation. */
  const versions = createUserDataVersions(cache);

  /**
   * Answers the JSON of a computation from the cache, keyed by user, data version, endpoint and
   * normalised query: a write replaces the version, so old entries are never read again (they
   * expire by TTL), and a hit costs one or two cache reads and no database query. Without a
   * version the key carries the data generation and settings read from the database. Concurrent
   * misses of one key share one computation.
   */
  async function cached(userId: string, endpoint: string, query: object, compute: (repo: AnalyticsRepository, state: UserState) => Promise<unknown>): Promise<string> {
    const version = await versions.current(userId);
    const suffix = `${endpoint}:${normalizeQuery(query)}`;
    let key = version === undefined ? undefined : `${ANALYTICS_KEY_PREFIX}${userId}:${version}:${suffix}`;
    if (key !== undefined) {
      const hit = await cache.get(key);
      if (hit !== undefined) return hit;
    }
    const state = await readState(userId);
    if (!state) throw unauthorized('unauthenticated', 'Authentication required.');
    if (key === undefined) {
      key = `${ANALYTICS_KEY_PREFIX}${userId}:g${state.generation}:${state.timezone}:${state.breakevenTolerance}:${suffix}`;
      const hit = await cache.get(key);
      if (hit !== undefined) return hit;
    }
    const running = inflight.get(key);
    if (running) return running;
    const entryKey = key;
    const work = (async () => {
      const repo = await repositoryFor(userId, state.generation);
      const json = JSON.stringify(await compute(repo, state));
      await cache.set(entryKey, json, ttlSeconds);
      return json;
    })();
    inflight.set(entryKey, work);
    try {
      return await work;
    } finally {
      inflight.delete(entryKey);
    }
  }

  const scopeOf = (userId: string, state: UserState, filters: TradeFilters): Scope => ({
    userId,
    filters,
    timezone: state.timezone,
    breakevenTolerance: state.breakevenTolerance,
  });

  async function summaryOf(repo: AnalyticsRepository, scope: Scope): Promise<Summary> {
    const { aggregates, sample } = await repo.summary(scope);
    return finishSummary(aggregates, confidenceOf(aggregates.tradeCount, aggregates.wins, sample, true));
  }

  return {
    /** Every user's cached results become stale: generations move on and every cached analytics answer goes; answers how many users. */
    async invalidateAll(): Promise<number> {
      const users = await analyticsRepository.bumpAllGenerations();
      await cache.flush(ANALYTICS_KEY_PREFIX);
      return users;
    },

    summary(userId: string, query: FilterInput): Promise<string> {
      const filters = toFilters(query);
      return cached(userId, 'summary', filters, (repo, state) => summaryOf(repo, scopeOf(userId, state, filters)));
    },

    equityCurve(userId: string, query: FilterInput & { interval?: 'trade' | 'day' }): Promise<string> {
      const filters = toFilters(query);
      const interval = query.interval ?? 'trade';
      return cached(userId, 'equity', { ...filters, interval }, async (repo, state): Promise<EquityView> => {
        const points = await repo.equityCurve(scopeOf(userId, state, filters), interval);
        return {
          interval,
          points: points.map((p) => ({
            day: p.day,
            at: p.atMs === null ? null : new Date(p.atMs).toISOString(),
            tradeId: p.tradeId,
            tradeCount: p.tradeCount,
            pnl: money(p.pnl),
            cumulativePnl: money(p.cumulative),
            drawdown: money(p.drawdown),
          })),
        };
      });
    },

    calendar(userId: string, query: FilterInput & { year: number; month?: number }): Promise<string> {
      const filters = toFilters(query);
      const { year, month } = query;
      const pad = (n: number) => String(n).padStart(2, '0');
      const start = month === undefined ? `${year}-01-01` : `${year}-${pad(month)}-01`;
      const endExclusive = month === undefined || month === 12 ? `${year + 1}-01-01` : `${year}-${pad(month + 1)}-01`;
      return cached(userId, 'calendar', { ...filters, year, month }, async (repo, state): Promise<CalendarView> => {
        const rows = await repo.calendar(scopeOf(userId, state, filters), { start, endExclusive });
        const totals = (r: (typeof rows)[number]) => ({ pnl: money(r.pnl), tradeCount: r.tradeCount, wins: r.wins, losses: r.losses, breakeven: r.breakeven });
        const total = rows.find((r) => r.kind === 'total');
        return {
          year,
          month: month ?? null,
          days: rows.filter((r) => r.kind === 'day').map((r) => ({ date: r.key!, ...totals(r) })),
          weeks: rows.filter((r) => r.kind === 'week').map((r) => ({ week: r.key!, ...totals(r) })),
          months: rows.filter((r) => r.kind === 'month').map((r) => ({ month: r.key!, ...totals(r) })),
          total: total ? totals(total) : { pnl: '0.00', tradeCount: 0, wins: 0, losses: 0, breakeven: 0 },
        };
      });
    },

    breakdown(userId: string, query: BreakdownInput): Promise<string> {
      const filters = toFilters(query);
      const sort = query.sort ?? '-netPnl';
      const descending = sort.startsWith('-');
      const field = (descending ? sort.slice(1) : sort) as (typeof BREAKDOWN_SORTS)[number];
      const { by } = query;
      return cached(userId, 'breakdown', { ...filters, by, sort }, async (repo, state): Promise<BreakdownView> => {
        const rows = await repo.breakdown(scopeOf(userId, state, filters), by);
        const planner = createConfidencePlanner();
        const groups = rows.map((r) => {
          const net = toDecimal(r.netPnl);
          const avg = net.div(r.tradeCount);
          const grossLoss = toDecimal(r.grossLoss);
          return {
            key: r.key,
            label: groupLabel(by, r.key, r.label),
            tradeCount: r.tradeCount,
            wins: r.wins,
            losses: r.losses,
            breakeven: r.breakeven,
            winRate: ratio(r.wins / r.tradeCount)!,
            netPnl: money(net),
            avgPnl: money(avg),
            expectancy: money(avg),
            expectancyR: r.rCount > 0 ? ratio(r.rMean) : null,
            profitFactor: r.losses > 0 && !grossLoss.isZero() ? ratio(toDecimal(r.grossProfit).div(grossLoss.abs()).toNumber()) : null,
            confidence: confidenceOf(r.tradeCount, r.wins, r, planner.wantsSample(r.tradeCount)),
            sortNet: net,
          };
        });
        const value = (g: (typeof groups)[number]): Decimal | number | null =>
          field === 'netPnl' ? g.sortNet : field === 'expectancy' ? g.sortNet.div(g.tradeCount) : field === 'key' ? null : g[field];
        groups.sort((a, b) => {
          let c: number;
          if (field === 'key') c = compareKeys(by, a.key, b.key);
          else {
            const va = value(a);
            const vb = value(b);
            // Groups without a value (profit factor without losses) go last whatever the direction.
            if (va === null || vb === null) return va === vb ? compareKeys(by, a.key, b.key) : va === null ? 1 : -1;
            c = va instanceof Decimal && vb instanceof Decimal ? va.comparedTo(vb) : Number(va) - Number(vb);
          }
          if (descending) c = -c;
          return c || compareKeys(by, a.key, b.key);
        });
        return { by, sort, groups: groups.map(({ sortNet: _sortNet, ...g }) => g) };
      });
    },

    distribution(userId: string, query: FilterInput & { metric: 'pnl' | 'r' | 'holdTime'; buckets?: number }): Promise<string> {
      const filters = toFilters(query);
      const buckets = query.buckets ?? 20;
      const { metric } = query;
      return cached(userId, 'distribution', { ...filters, metric, buckets }, async (repo, state): Promise<DistributionView> => {
        const d = await repo.distribution(scopeOf(userId, state, filters), metric, buckets);
        if (d.count === 0 || d.min === null || d.max === null) return { metric, count: 0, min: null, max: null, bins: [] };
        const { min, max } = d;
        const counts = new Map(d.bins.map((b) => [b.bin, b.count]));
        if (max === min) return { metric, count: d.count, min, max, bins: [{ lower: min, upper: max, count: d.count }] };
        const width = (max - min) / buckets;
        const bins = Array.from({ length: buckets }, (_, i) => ({
          lower: min + i * width,
          upper: i === buckets - 1 ? max : min + (i + 1) * width,
          count: counts.get(i) ?? 0,
        }));
        return { metric, count: d.count, min, max, bins };
      });
    },

    streaks(userId: string, query: FilterInput & { limit?: number }): Promise<string> {
      const filters = toFilters(query);
      const limit = query.limit ?? 20;
      return cached(userId, 'streaks', { ...filters, limit }, async (repo, state): Promise<StreaksView> => {
        const rows = await repo.streaks(scopeOf(userId, state, filters), limit);
        const view = (r: (typeof rows)[number]) => ({
          kind: r.kind,
          length: r.length,
          startAt: new Date(r.startMs).toISOString(),
          endAt: new Date(r.endMs).toISOString(),
          pnl: money(r.pnl),
        });
        const longestWin = rows.find((r) => r.isLongest && r.kind === 'win');
        const longestLoss = rows.find((r) => r.isLongest && r.kind === 'loss');
        const current = rows.find((r) => r.isCurrent);
        return {
          longestWin: longestWin ? view(longestWin) : null,
          longestLoss: longestLoss ? view(longestLoss) : null,
          current: current ? view(current) : null,
          runs: rows.filter((r) => r.isTop).map(view),
        };
      });
    },

    playbookStats(userId: string, playbookId: string, query: FilterInput): Promise<string> {
      const filters = { ...toFilters(query), playbookId };
      return cached(userId, 'playbook-stats', filters, async (repo, state): Promise<PlaybookStatsView> => {
        const playbook = await playbooksService.getPlaybook(userId, playbookId);
        const scope = scopeOf(userId, state, filters);
        const [summary, sides] = await Promise.all([summaryOf(repo, scope), repo.ruleSides(scope)]);
        const side = (ruleId: string, followed: boolean) => {
          const r = sides.find((s) => s.ruleId === ruleId && s.followed === followed);
          if (!r) return { tradeCount: 0, winRate: null, netPnl: '0.00', expectancy: null };
          return { tradeCount: r.tradeCount, winRate: ratio(r.wins / r.tradeCount), netPnl: money(r.netPnl), expectancy: money(toDecimal(r.netPnl).div(r.tradeCount)) };
        };
        return {
          playbookId,
          summary,
          rules: playbook.rules.map((rule) => {
            const followed = side(rule.id, true);
            const broken = side(rule.id, false);
            return {
              ruleId: rule.id,
              position: rule.position,
              text: rule.text,
              followed,
              broken,
              unchecked: summary.tradeCount - followed.tradeCount - broken.tradeCount,
            };
          }),
        };
      });
    },
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
