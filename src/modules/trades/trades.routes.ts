import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import { IdParams } from '../../platform/http/schemas.js';
import { sendJson } from '../../platform/http/serialization.js';
import { CreateManualTradeBody, ManualTradeResult, TradeDetail, TradeListQuery, TradePage } from './trades.schemas.js';
import type { TradesService } from './trades.service.js';

export async function tradesRoutes(plain: FastifyInstance, { tradesService }: { tradesService: TradesService }) {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['trades'];

  app.get(
    '/trades',
    {
      schema: {
        tags,
        summary: 'List trades with filters, multi-field sort and cursor pagination',
        description:
          'A trade is dated by closedAt, or openedAt while open. `from`/`to` take an instant (from inclusive, to exclusive) or a day YYYY-MM-DD in your time zone (both days inclusive). ' +
          'outcome compares net P&L with your breakeven tolerance. A cursor only continues the sort it was made for.',
        querystring: TradeListQuery,
        response: { 200: TradePage, ...errorResponses(400, 401) },
      },
    },
    // The page's JSON (cached or just made) is sent as it is, not serialised again.
    async (request, reply) => sendJson(reply, await tradesService.listTradesJson(requireUser(request).id, request.query)),
  );

  app.get(
    '/trades/:id',
    {
      schema: {
        tags,
        summary: 'Get a trade with its executions (and its share of each), notes, tags and rule checks',
        params: IdParams,
        response: { 200: TradeDetail, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => tradesService.getTrade(requireUser(request).id, request.params.id),
  );

  app.post(
    '/trades',
    {
      schema: {
        tags,
        summary: 'Record a trade by hand',
        description: 'Creates one execution per fill in one transaction, rebuilds the instrument and answers the trades the fills belong to (more than one if the fills cross zero or join an open trade).',
        body: CreateManualTradeBody,
        response: { 201: ManualTradeResult, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.code(201).send(await tradesService.createManualTrade(requireUser(request).id, request.body)),
  );

  app.delete(
    '/trades/:id',
    {
      schema: {
        tags,
        summary: "Delete a trade's executions and rebuild",
        description:
          'Deletes every execution of the trade. An execution that crossed zero (it closed this trade and opened the next) is deleted too, so the neighbouring trade is re-derived without it.',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await tradesService.deleteTrade(requireUser(request).id, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
