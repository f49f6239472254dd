import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import { IdParams } from '../../platform/http/schemas.js';
import { TradeDetail } from '../trades/trades.schemas.js';
import type { TradeDetailView } from '../trades/trades.schemas.js';
import { PatchTradeBody } from './annotations.schemas.js';
import type { AnnotationsService } from './annotations.service.js';

export async function annotationsRoutes(plain: FastifyInstance, { annotationsService }: { annotationsService: AnnotationsService<TradeDetailView> }) {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();

  app.patch(
    '/trades/:id',
    {
      schema: {
        tags: ['trades'],
        summary: 'Annotate a trade: notes, tags, mistakes, playbook and rule checks, stop, risk, rating',
        params: IdParams,
        body: PatchTradeBody,
        response: { 200: TradeDetail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => annotationsService.annotateTrade(requireUser(request).id, request.params.id, request.body),
  );
}
