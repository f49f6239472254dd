import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.js';
import { authPlugin } from './platform/auth/auth.plugin.js';
import { createTokenService } from './platform/auth/tokens.js';
import type { Cache } from './platform/cache/cache.js';
import { openCache } from './platform/cache/cache.js';
import type { Database, DatabaseOptions } from './platform/db/database.js';
import { openDatabase } from './platform/db/database.js';
import { errorsPlugin } from './platform/errors/errors.plugin.js';
import type { EventBus } from './platform/events/event-bus.js';
import { openEventBus } from './platform/events/event-bus.js';
import { drainPlugin } from './platform/http/drain.plugin.js';
import { genReqId, httpPlugin } from './platform/http/http.plugin.js';
import { openapiPlugin } from './platform/http/openapi.plugin.js';
import { lazySerializerFactory } from './platform/http/serialization.js';
import { createValidatorCompiler } from './platform/http/validation.js';
import { webPlugin } from './platform/http/web.plugin.js';
import { healthRoutes } from './platform/observability/health.routes.js';
import { lazyChildLoggerFactory, loggerOptions } from './platform/observability/logger.js';
import { dbObservabilityPlugin } from './platform/observability/db-observability.plugin.js';
import { metricsPlugin } from './platform/observability/metrics.plugin.js';
import { registerCacheMetrics } from './platform/observability/cache-metrics.js';
import type { Tracing } from './platform/observability/tracing.js';
import { startTracing } from './platform/observability/tracing.js';
import { tracingPlugin } from './platform/observability/tracing.plugin.js';
import { loadSheddingPlugin } from './platform/security/load-shedding.plugin.js';
import { rateLimitPlugin } from './platform/security/rate-limit.plugin.js';
import { adminUsersRoutes } from './modules/auth/admin-users.routes.js';
import { createPasswordHasher, loadCommonPasswords } from './modules/auth/auth.passwords.js';
import { createAuthRepository } from './modules/auth/auth.repository.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { accountsRoutes } from './modules/accounts/accounts.routes.js';
import { createAccountsRepository } from './modules/accounts/accounts.repository.js';
import { createAccountsService } from './modules/accounts/accounts.service.js';
import { createExecutionsRepository } from './modules/executions/executions.repository.js';
import { executionsRoutes } from './modules/executions/executions.routes.js';
import { createExecutionsService } from './modules/executions/executions.service.js';
import { instrumentsRoutes } from './modules/instruments/instruments.routes.js';
import { createTradesRepository, rebuildDailyAggregates, repairDailySequences } from './modules/trades/trades.repository.js';
import { tradesRoutes } from './modules/trades/trades.routes.js';
import { createTradesService } from './modules/trades/trades.service.js';
import { createPlaybooksRepository } from './modules/playbooks/playbooks.repository.js';
import { playbooksRoutes } from './modules/playbooks/playbooks.routes.js';
import { createPlaybooksService } from './modules/playbooks/playbooks.service.js';
import { createTagsRepository } from './modules/tags/tags.repository.js';
import { tagsRoutes } from './modules/tags/tags.routes.js';
import { createTagsService } from './modules/tags/tags.service.js';
import { createAnnotationsRepository } from './modules/annotations/annotations.repository.js';
import { annotationsRoutes } from './modules/annotations/annotations.routes.js';
import { createAnnotationsService } from './modules/annotations/annotations.service.js';
import { createJournalRepository } from './modules/journal/journal.repository.js';
import { journalRoutes } from './modules/journal/journal.routes.js';
import { createJournalService } from './modules/journal/journal.service.js';
import { createAnalyticsRepository } from './modules/analytics/analytics.repository.js';
import { analyticsRoutes } from './modules/analytics/analytics.routes.js';
import { createAnalyticsService } from './modules/analytics/analytics.service.js';
import { playbookStatsRoutes } from './modules/analytics/playbook-stats.routes.js';
import { createImportPipeline } from './modules/imports/imports.pipeline.js';
import { createImportsRepository } from './modules/imports/imports.repository.js';
import { importsRoutes } from './modules/imports/imports.routes.js';
import { createImportsService } from './modules/imports/imports.service.js';
import { createExportsRepository } from './modules/exports/exports.repository.js';
import { exportsRoutes } from './modules/exports/exports.routes.js';
import { createExportsService } from './modules/exports/exports.service.js';
import { createImportMetrics } from './modules/imports/imports.metrics.js';
import { createAdminRepository } from './modules/admin/admin.repository.js';
import { adminRoutes } from './modules/admin/admin.routes.js';
import { createAdminService } from './modules/admin/admin.service.js';
import { realtimeRoutes } from './modules/realtime/realtime.routes.js';
import { createRealtimeService } from './modules/realtime/realtime.service.js';
import { createUserDataVersions } from './platform/cache/user-data-versions.js';

export interface AppDeps {
  /** A database the caller owns (tests share one); otherwise opened from config and closed with the app. */
  database?: Database;
  cache?: Cache;
  /** The real-time event bus; apps given the same one (tests) deliver each other's events. */
  events?: EventBus;
  clock?: () => Date;
  databaseOptions?: DatabaseOptions;
  /** Tracing started by the caller; otherwise started here when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  tracing?: Tracing;
}

export type App = FastifyInstance;

/** The composition root: platform plugins first, then every module, in one explicit list. */
export async function buildApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const startedAt = Date.now();
  const clock = deps.clock ?? (() => new Date());
  const app = Fastify({
    logger: loggerOptions(config),
    childLoggerFactory: lazyChildLoggerFactory,
    genReqId,
    requestIdHeader: false,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.trustProxy,
    requestTimeout: config.http.requestTimeoutMs,
    // A request already on an open connection when shutdown starts is answered, not refused.
    return503OnClosing: false,
    schemaController: { compilersFactory: { buildSerializer: lazySerializerFactory() } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(createValidatorCompiler());

  // Opened side by side: PGlite's file reads and WASM compilation and Redis's connects overlap.
  const [openedDatabase, openedCache, openedEvents] = await Promise.allSettled([
    deps.database ?? openDatabase(config, deps.databaseOptions),
    deps.cache ?? openCache(config),
    deps.events ?? openEventBus(config),
  ]);
  if (openedDatabase.status === 'rejected' || openedCache.status === 'rejected' || openedEvents.status === 'rejected') {
    if (!deps.database && openedDatabase.status === 'fulfilled') await openedDatabase.value.close();
    if (!deps.cache && openedCache.status === 'fulfilled') await openedCache.value.close();
    if (!deps.events && openedEvents.status === 'fulfilled') await openedEvents.value.close();
    throw [openedDatabase, openedCache, openedEvents].flatMap((result) => (result.status === 'rejected' ? [result.reason] : []))[0];
  }
  const database = openedDatabase.value;
  const cache = openedCache.value;
  const events = openedEvents.value;
  app.addHook('onClose', async () => {
    if (!deps.events) await events.close();
    if (!deps.cache) await cache.close();
    if (!deps.database) await database.close();
  });

  const tokens = createTokenService(config, clock);

  await app.register(errorsPlugin);
  await app.register(httpPlugin, { config });
  // Half the grace period at most, so requests in flight still have the other half.
  await app.register(drainPlugin, { maxDrainMs: Math.floor(config.http.shutdownGraceMs / 2) });
  await app.register(metricsPlugin, { enabled: config.metricsEnabled });
  if (config.metricsEnabled) registerCacheMetrics(app.metrics, cache);
  await app.register(tracingPlugin, { tracing: deps.tracing ?? (await startTracing(config)) });
  await app.register(dbObservabilityPlugin, { database });
  await app.register(openapiPlugin);
  await app.register(loadSheddingPlugin, { config });
  await app.register(authPlugin, { tokens });
  await app.register(rateLimitPlugin, { config, cache });
  const auth = createAuthService({ repository: createAuthRepository(database.db), hasher: createPasswordHasher(), tokens, cache, clock, config: config.auth, commonPasswords: loadCommonPasswords, rebuildDailyAggregates: (userId, tx) => rebuildDailyAggregates(tx, userId) });
  app.setApiKeyVerifier(auth.verifyApiKey);
  const admin = await auth.bootstrapAdmin();
  if (admin) app.log.info(admin, 'admin account from ADMIN_EMAIL');

  await app.register(
    async (api) => {
      await api.register(healthRoutes, { database, cache, events, startedAt });
      const cookies = { secure: config.auth.cookieSecure, trustedOrigins: config.http.corsOrigins.filter((o) => o !== '*') };
      await api.register(authRoutes, { prefix: '/auth', auth, cookies });
      await api.register(adminUsersRoutes, { prefix: '/admin', auth });
      const accountsService = createAccountsService({
        accountsRepository: createAccountsRepository(database.db),
        events,
        repairDailySequences: (userId, tx) => repairDailySequences(tx, userId),
      });
      const executionsRepository = createExecutionsRepository(database.db);
      const tradesService = createTradesService({
        tradesRepository: createTradesRepository(database.db),
        executionsRepository,
        accountsService,
        events,
        pageCache: { cache, ttlSeconds: config.cache.ttlSeconds },
      });
      const executionsService = createExecutionsService({ executionsRepository, accountsService, tradesService });
      await api.register(accountsRoutes, { accountsService });
      await api.register(executionsRoutes, { executionsService });
      await api.register(tradesRoutes, { tradesService });
      await api.register(instrumentsRoutes);
      const tagsService = createTagsService({ tagsRepository: createTagsRepository(database.db) });
      const playbooksService = createPlaybooksService({ playbooksRepository: createPlaybooksRepository(database.db) });
      await api.register(tagsRoutes, { tagsService });
      await api.register(playbooksRoutes, { playbooksService });
      const annotationsRepository = createAnnotationsRepository(database.db);
      await api.register(annotationsRoutes, { annotationsService: createAnnotationsService({ annotationsRepository, tradesService, tagsService, playbooksService, events }) });
      await api.register(journalRoutes, { journalService: createJournalService({ journalRepository: createJournalRepository(database.db), tradesService, events }) });
      const analyticsRepository = createAnalyticsRepository(database.db);
      const readRepository = database.readDb === database.db ? analyticsRepository : createAnalyticsRepository(database.readDb);
      const analyticsService = createAnalyticsService({ analyticsRepository, readRepository, playbooksService, cache, ttlSeconds: config.cache.ttlSeconds });
      // One renewal makes the cached analytics answers and list pages stale; announced only after it,
      // so a dashboard that refetches on the event sees the write.
      const dataVersions = createUserDataVersions(cache);
      const unsubscribe = database.onUserDataChanged(async (userIds) => {
        try {
          await dataVersions.renew(userIds);
        } finally {
          for (const userId of userIds) events.publish(userId, 'analytics.invalidated', {});
        }
      });
      api.addHook('onClose', async () => unsubscribe());
      await api.register(analyticsRoutes, { analyticsService });
      await api.register(playbookStatsRoutes, { analyticsService });
      const userTimezone = (userId: string) => executionsRepository.userTimezone(userId);
      const importsRepository = createImportsRepository(database.db);
      const importMetrics = createImportMetrics(app.metrics);
      const importsPipeline = createImportPipeline({
        importsRepository,
        accountsService,
        accountsRepository: createAccountsRepository(database.db),
        tradesService,
        config: config.imports,
        singleProcess: database.driver === 'pglite',
        log: app.log,
        onFinished: importMetrics.finished,
        events,
      });
      importMetrics.track(importsPipeline.stats);
      await importsPipeline.recover();
      const importsService = createImportsService({ importsRepository, accountsService, tradesService, userTimezone, pipeline: importsPipeline, config: config.imports });
      await api.register(importsRoutes, { importsService, pipeline: importsPipeline, config: config.imports });
      const realtime = createRealtimeService({ events, limits: config.realtime, registry: app.metrics });
      await api.register(realtimeRoutes, { realtime, limits: config.realtime, corsOrigins: config.http.corsOrigins });
      await api.register(exportsRoutes, { exportsService: createExportsService({ exportsRepository: createExportsRepository(database.db), tradesService, accountsService, userTimezone }) });
      const adminService = createAdminService({
        database,
        cache,
        metrics: app.metrics,
        auth,
        imports: importsService,
        analytics: analyticsService,
        adminRepository: createAdminRepository(database.db),
        securityEventRetentionDays: config.auth.securityEventRetentionDays,
        startedAt,
        clock,
      });
      api.addHook('onClose', async () => adminService.close());
      await api.register(adminRoutes, { prefix: '/admin', adminService });
    },
    { prefix: '/api/v1' },
  );
  await app.register(webPlugin, { distDir: config.web.distDir });

  return app;
}
