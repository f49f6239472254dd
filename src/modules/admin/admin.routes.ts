import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import { AdminStatus, CacheFlushResult, MaintenanceBody, MaintenanceResult } from './admin.schemas.js';
import type { AdminService } from './admin.service.js';

/** /api/v1/admin: operations for administrators only (the auth plugin enforces `role`), in the `admin` rate-limit class. */
export const adminRoutes: FastifyPluginAsyncTypebox<{ adminService: AdminService }> = async (app, { adminService }) => {
  const tags = ['admin'];
  const config = { role: 'admin' as const, rateLimit: 'admin' as const };
  const context = (request: { ip: string; headers: { 'user-agent'?: string } }) => ({ ip: request.ip, userAgent: request.headers['user-agent'] });

  app.get(
    '/status',
    {
      config,
      schema: {
        tags,
        summary: 'Process, database, cache and import state, slowest routes and queries, and a performance score (admin only)',
        description: 'Latency percentiles are computed from the Prometheus histograms of this process (as histogram_quantile does). The score formula is in docs/operations.md.',
        response: { 200: AdminStatus, ...errorResponses(401, 403, 429) },
      },
    },
    async () => adminService.status(),
  );

  app.post(
    '/cache/flush',
    {
      config,
      schema: {
        tags,
        summary: 'Empty the cache (admin only)',
        description: 'Memory: the whole LRU. Redis: only keys under CACHE_KEY_PREFIX (SCAN + UNLINK in batches). Rate-limit windows and sign-in throttles start over. Recorded in the admin’s security events.',
        response: { 200: CacheFlushResult, ...errorResponses(401, 403, 429, 503) },
      },
    },
    async (request) => adminService.flushCache(requireUser(request).id, context(request)),
  );

  app.post(
    '/maintenance',
    {
      config,
      // No body at all means the defaults, as `{}` does.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary: 'Run database maintenance (admin only)',
        description:
          'analyze: ANALYZE every table. purge_security_events: delete security events older than SECURITY_EVENT_RETENTION_DAYS. rebuild_aggregates: recompute derived analytics (for now: every cached analytics result is invalidated). Each result says what was done, how much and how long it took; one failing action does not stop the others. Recorded in the admin’s security events.',
        body: MaintenanceBody,
        response: { 200: MaintenanceResult, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => adminService.maintain(requireUser(request).id, context(request), request.body?.actions),
  );
};
