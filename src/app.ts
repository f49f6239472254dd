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
import { genReqId, httpPlugin } from './platform/http/http.plugin.js';
import { openapiPlugin } from './platform/http/openapi.plugin.js';
import { healthRoutes } from './platform/observability/health.routes.js';
import { loggerOptions } from './platform/observability/logger.js';
import { dbObservabilityPlugin } from './platform/observability/db-observability.plugin.js';
import { metricsPlugin } from './platform/observability/metrics.plugin.js';
import { loadSheddingPlugin } from './platform/security/load-shedding.plugin.js';
import { rateLimitPlugin } from './platform/security/rate-limit.plugin.js';
import { adminUsersRoutes } from './modules/auth/admin-users.routes.js';
import { createPasswordHasher, loadCommonPasswords } from './modules/auth/auth.passwords.js';
import { createAuthRepository } from './modules/auth/auth.repository.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { createAuthService } from './modules/auth/auth.service.js';

export interface AppDeps {
  /** A database the caller owns (tests share one); otherwise opened from config and closed with the app. */
  database?: Database;
  cache?: Cache;
  clock?: () => Date;
  databaseOptions?: DatabaseOptions;
}

export type App = FastifyInstance;

/** The composition root: platform plugins first, then every module, in one explicit list. */
export async function buildApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const startedAt = Date.now();
  const clock = deps.clock ?? (() => new Date());
  const app = Fastify({
    logger: loggerOptions(config),
    genReqId,
    requestIdHeader: false,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.trustProxy,
    requestTimeout: config.http.requestTimeoutMs,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const database = deps.database ?? (await openDatabase(config, deps.databaseOptions));
  const cache = deps.cache ?? (await openCache(config));
  app.addHook('onClose', async () => {
    if (!deps.cache) await cache.close();
    if (!deps.database) await database.close();
  });

  const tokens = createTokenService(config, clock);

  await app.register(errorsPlugin);
  await app.register(httpPlugin, { config });
  await app.register(metricsPlugin, { enabled: config.metricsEnabled });
  await app.register(dbObservabilityPlugin, { database });
  await app.register(openapiPlugin);
  await app.register(loadSheddingPlugin, { config });
  await app.register(authPlugin, { tokens });
  await app.register(rateLimitPlugin, { config, cache });
  const auth = createAuthService({ repository: createAuthRepository(database.db), hasher: createPasswordHasher(), tokens, cache, clock, config: config.auth, commonPasswords: loadCommonPasswords() });
  app.setApiKeyVerifier(auth.verifyApiKey);
  const admin = await auth.bootstrapAdmin();
  if (admin) app.log.info(admin, 'admin account from ADMIN_EMAIL');

  await app.register(
    async (api) => {
      await api.register(healthRoutes, { database, cache, startedAt });
      await api.register(authRoutes, { prefix: '/auth', auth });
      await api.register(adminUsersRoutes, { prefix: '/admin', auth });
    },
    { prefix: '/api/v1' },
  );

  return app;
}
