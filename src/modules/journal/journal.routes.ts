import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import { DayParams, JournalDay, JournalMonth, MonthQuery, PutJournalBody } from './journal.schemas.js';
import type { TradeView } from '../trades/trades.schemas.js';
import type { JournalService } from './journal.service.js';

export async function journalRoutes(plain: FastifyInstance, { journalService }: { journalService: JournalService<TradeView> }) {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['journal'];

  app.get(
    '/journal',
    {
      schema: {
        tags,
        summary: 'Calendar of a month: days with an entry or closed trades',
        querystring: MonthQuery,
        response: { 200: JournalMonth, ...errorResponses(400, 401) },
      },
    },
    async (request) => journalService.getMonth(requireUser(request).id, request.query.month),
  );

  app.get(
    '/journal/:date',
    { schema: { tags, summary: "A day's journal entry, trades and P&L", params: DayParams, response: { 200: JournalDay, ...errorResponses(400, 401) } } },
    async (request) => journalService.getDay(requireUser(request).id, request.params.date),
  );

  app.put(
    '/journal/:date',
    {
      schema: {
        tags,
        summary: "Write (create or replace) a day's journal entry",
        params: DayParams,
        body: PutJournalBody,
        response: { 200: JournalDay, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => journalService.putDay(requireUser(request).id, request.params.date, request.body),
  );

  app.delete(
    '/journal/:date',
    { schema: { tags, summary: "Delete a day's journal entry", params: DayParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await journalService.deleteDay(requireUser(request).id, request.params.date);
      return reply.code(204).send(null);
    },
  );
}
