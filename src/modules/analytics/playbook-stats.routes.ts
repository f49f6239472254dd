import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import { IdParams } from '../../platform/http/schemas.js';
import { sendJson } from '../../platform/http/serialization.js';
import { FilterQuery, PlaybookStatsResponse } from './analytics.schemas.js';
import type { FilterInput } from './analytics.schemas.js';
import type { AnalyticsService } from './analytics.service.js';

/** Lives in analytics (the playbooks module owns the CRUD): it is a summary scoped to one playbook. */
export async function playbookStatsRoutes(plain: FastifyInstance, { analyticsService }: { analyticsService: AnalyticsService }) {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/playbooks/:id/stats',
    {
      config: { rateLimit: 'analytics' },
      schema: {
        tags: ['analytics', 'playbooks'],
        summary: "A playbook's summary metrics and, per rule, trades that followed it against trades that broke it",
        description:
          'The shared trade filters apply (playbookId is this playbook). Per rule: trade count, win rate, net P&L and expectancy of the checked trades on each side; unchecked = trades without a check for the rule.',
        params: IdParams,
        querystring: FilterQuery,
        response: { 200: PlaybookStatsResponse, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request, reply) => sendJson(reply, await analyticsService.playbookStats(requireUser(request).id, request.params.id, request.query as FilterInput)),
  );
}
