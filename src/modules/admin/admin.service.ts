import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import type { Cache } from '../../platform/cache/cache.js';
import type { Database } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors/app-error.js';
import { histogramGroups, quantileFromBuckets } from '../../platform/observability/histograms.js';
import type { HistogramGroup } from '../../platform/observability/histograms.js';
import { appVersion } from '../../lib/paths.js';
import type { AnalyticsService } from '../analytics/analytics.service.js';
import type { AuthService, RequestContext } from '../auth/auth.service.js';
import type { ImportsService } from '../imports/imports.service.js';
import type { AdminRepository } from './admin.repository.js';
import { MIN_ROUTE_REQUESTS, performanceScore } from './admin.domain.js';

export const MAINTENANCE_ACTIONS = ['analyze', 'purge_security_events', 'rebuild_aggregates'] as const;
export type MaintenanceAction = (typeof MAINTENANCE_ACTIONS)[number];

export interface ActionOutcome {
  count: number;
  unit: string;
  details: Record<string, unknown>;
}

export interface ActionResult extends Partial<ActionOutcome> {
  action: MaintenanceAction;
  status: 'ok' | 'failed';
  durationMs: number;
  error?: string;
}

export interface AdminServiceDeps {
  database: Pick<Database, 'driver' | 'poolStats'>;
  cache: Pick<Cache, 'backend' | 'stats' | 'flush'>;
  metrics: Registry;
  auth: Pick<AuthService, 'recordAdminAction' | 'purgeSecurityEvents'>;
  imports: Pick<ImportsService, 'countActive'>;
  analytics: Pick<AnalyticsService, 'invalidateAll'>;
  adminRepository: AdminRepository;
  securityEventRetentionDays: number;
  startedAt: number;
  clock: () => Date;
}

/** Rows in the status's slowest-routes and slowest-queries lists. */
const TOP = 10;
/** The event-loop delay is measured over windows this long; the status shows the last full one. */
const EVENT_LOOP_WINDOW_MS = 30_000;
const EVENT_LOOP_RESOLUTION_MS = 10;

const ms = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 1000 * 100) / 100);
const elapsed = (started: number) => Math.round((performance.now() - started) * 100) / 100;

function latencyRow(group: HistogramGroup) {
  return {
    count: group.count,
    meanMs: group.count > 0 ? ms(group.sumSeconds / group.count)! : 0,
    p50Ms: ms(quantileFromBuckets(group.buckets, 0.5)),
    p95Ms: ms(quantileFromBuckets(group.buckets, 0.95)),
    p99Ms: ms(quantileFromBuckets(group.buckets, 0.99)),
  };
}

const byP99 = (a: { p99Ms: number | null; count: number }, b: { p99Ms: number | null; count: number }) => (b.p99Ms ?? 0) - (a.p99Ms ?? 0) || b.count - a.count;

export function createAdminService(deps: AdminServiceDeps) {
  const { database, cache, metrics, auth, imports, analytics, adminRepository, clock } = deps;

  // Our own monitor: the status must work with METRICS_ENABLED=false too, and it costs one timer.
  const loop = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  loop.enable();
  let lastWindow: { p50Ms: number; p99Ms: number; maxMs: number } | null = null;
  // Recorded delays include the timer's own resolution: what is beyond it is the delay.
  const delayMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - EVENT_LOOP_RESOLUTION_MS) * 100) / 100);
  const readLoop = () => ({ p50Ms: delayMs(loop.percentile(50)), p99Ms: delayMs(loop.percentile(99)), maxMs: delayMs(loop.max) });
  const rotate = setInterval(() => {
    lastWindow = readLoop();
    loop.reset();
  }, EVENT_LOOP_WINDOW_MS);
  rotate.unref();

  /** The actions of POST /admin/maintenance: add one here and to MAINTENANCE_ACTIONS. */
  const actions: Record<MaintenanceAction, () => Promise<ActionOutcome>> = {
    async analyze() {
      const tables = await adminRepository.analyze();
      return { count: tables.length, unit: 'tables', details: { tables } };
    },
    async purge_security_events() {
      const { deleted, before } = await auth.purgeSecurityEvents(deps.securityEventRetentionDays);
      return { count: deleted, unit: 'security_events', details: { before: before.toISOString(), retentionDays: deps.securityEventRetentionDays } };
    },
    async rebuild_aggregates() {
      await adminRepository.rebuildAggregates();
      const users = await analytics.invalidateAll();
      return { count: users, unit: 'users', details: { effect: 'daily aggregates recomputed from the trades; cached analytics results are recomputed on next read' } };
    },
  };

  return {
    async status() {
      const [cacheStats, activeImports, routeGroups, statusGroups, queryGroups] = await Promise.all([
        cache.stats(),
        imports.countActive(),
        histogramGroups(metrics, 'http_request_duration_seconds', ['route', 'method']),
        histogramGroups(metrics, 'http_request_duration_seconds', ['status_code']),
        histogramGroups(metrics, 'db_query_duration_seconds', ['statement']),
      ]);
      const routes = routeGroups.map((g) => ({ route: g.labels.route!, method: g.labels.method!, ...latencyRow(g) })).sort(byP99);
      const queries = queryGroups.map((g) => ({ statement: g.labels.statement!, ...latencyRow(g) })).sort(byP99);
      const total = statusGroups.reduce((n, g) => n + g.count, 0);
      const errors = statusGroups.filter((g) => Number(g.labels.status_code) >= 500).reduce((n, g) => n + g.count, 0);
      const pool = database.poolStats();
      const current = readLoop();
      const eventLoop = lastWindow ?? current;
      const worst = routes.find((r) => r.count >= MIN_ROUTE_REQUESTS) ?? null;
      const memory = process.memoryUsage();
      return {
        version: appVersion,
        uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 10) / 100,
        process: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, eventLoopDelay: eventLoop },
        database: { driver: database.driver, pool },
        cache: cacheStats,
        imports: activeImports,
        requests: { total, errors5xx: errors, errorRate: total > 0 ? errors / total : null },
        slowestRoutes: routes.slice(0, TOP),
        slowestQueries: queries.slice(0, TOP),
        performance: performanceScore({
          eventLoopDelayP99Ms: Math.max(eventLoop.p99Ms, current.p99Ms),
          worstRouteP99Ms: worst?.p99Ms ?? null,
          worstRoute: worst ? `${worst.method} ${worst.route}` : null,
          poolWaiting: pool.waiting,
          cacheLookups: cacheStats.hits + cacheStats.misses,
          cacheHitRate: cacheStats.hitRate,
          requests: total,
          errorRate: total > 0 ? errors / total : null,
        }),
      };
    },

    async flushCache(adminId: string, ctx: RequestContext) {
      const started = performance.now();
      let removed: number;
      try {
        removed = await cache.flush();
      } catch (error) {
        await auth.recordAdminAction(adminId, ctx, { action: 'cache_flush', backend: cache.backend, status: 'failed' });
        throw new AppError('ServiceUnavailable', 'cache_unavailable', 'The cache could not be flushed: Redis does not answer.', { reason: (error as Error).message });
      }
      const result = { backend: cache.backend, removedKeys: removed, durationMs: elapsed(started) };
      await auth.recordAdminAction(adminId, ctx, { action: 'cache_flush', status: 'ok', ...result });
      return result;
    },

    /** Runs the actions in the order given; one failing does not stop the others. */
    async maintain(adminId: string, ctx: RequestContext, requested: readonly MaintenanceAction[] = MAINTENANCE_ACTIONS) {
      const results: ActionResult[] = [];
      for (const action of new Set(requested)) {
        const started = performance.now();
        try {
          results.push({ action, status: 'ok', ...(await actions[action]()), durationMs: elapsed(started) });
        } catch (error) {
          results.push({ action, status: 'failed', durationMs: elapsed(started), error: (error as Error).message });
        }
      }
      await auth.recordAdminAction(adminId, ctx, {
        action: 'maintenance',
        results: results.map(({ action, status, count, unit, durationMs }) => ({ action, status, count, unit, durationMs })),
      });
      return { at: clock().toISOString(), results };
    },

    close() {
      clearInterval(rotate);
      loop.disable();
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
