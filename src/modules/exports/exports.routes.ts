import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import { ExecutionExportQuery, ExecutionsCsv, ExecutionsJson, TradeExportQuery, TradesCsv, TradesJson } from './exports.schemas.js';
import type { ExportFormat, ExportsService } from './exports.service.js';

function stream(reply: FastifyReply, body: AsyncIterable<string>, name: string, format: ExportFormat) {
  return reply
    .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.${format}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(body));
}

export async function exportsRoutes(plain: FastifyInstance, { exportsService }: { exportsService: ExportsService }) {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['exports'];
  const config = { rateLimit: 'exports' as const };

  for (const format of ['csv', 'json'] as const) {
    app.get(
      `/exports/executions.${format}`,
      {
        config,
        schema: {
          tags,
          summary: format === 'csv' ? 'Export executions as TradeSense CSV (re-importable), oldest first, streamed' : 'Export executions as a JSON array, oldest first, streamed',
          querystring: ExecutionExportQuery,
          response: { 200: format === 'csv' ? ExecutionsCsv : ExecutionsJson, ...errorResponses(400, 401, 404) },
        },
      },
      async (request, reply) => stream(reply, await exportsService.executions(requireUser(request).id, request.query, format), 'executions', format),
    );

    app.get(
      `/exports/trades.${format}`,
      {
        config,
        schema: {
          tags,
          summary: format === 'csv' ? 'Export trades as CSV with the trade-list filters, streamed' : 'Export trades as a JSON array with the trade-list filters, streamed',
          querystring: TradeExportQuery,
          response: { 200: format === 'csv' ? TradesCsv : TradesJson, ...errorResponses(400, 401, 404) },
        },
      },
      async (request, reply) => stream(reply, await exportsService.trades(requireUser(request).id, request.query, format), 'trades', format),
    );
  }
}
