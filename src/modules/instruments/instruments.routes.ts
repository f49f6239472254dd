import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../platform/errors/app-error.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import { InvalidInstrumentError, describeInstrument } from './instruments.domain.js';
import { InstrumentDescription, InstrumentParams, InstrumentQuery } from './instruments.schemas.js';

export async function instrumentsRoutes(plain: FastifyInstance) {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/instruments/:symbol',
    {
      schema: {
        tags: ['instruments'],
        summary: 'What TradeSense assumes about a symbol',
        description: 'The asset class, the multiplier used for P&L and where it comes from (futures point value by root, 100 for options, else 1), and option fields parsed from an OCC symbol.',
        params: InstrumentParams,
        querystring: InstrumentQuery,
        response: { 200: InstrumentDescription, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      try {
        return describeInstrument(request.params.symbol, request.query.assetClass);
      } catch (error) {
        if (error instanceof InvalidInstrumentError) throw badRequest('invalid_instrument', error.message, { field: error.field });
        throw error;
      }
    },
  );
}
