import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import { IdParams } from '../../platform/http/schemas.js';
import { CreateExecutionBody, ExecutionDetail, ExecutionListQuery, ExecutionPage } from './executions.schemas.js';
import type { ExecutionsService } from './executions.service.js';

export async function executionsRoutes(plain: FastifyInstance, { executionsService }: { executionsService: ExecutionsService }) {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['executions'];

  app.post(
    '/executions',
    {
      schema: {
        tags,
        summary: 'Record an execution (manual entry)',
        description: "Rebuilds the trades of the execution's instrument in the same transaction and answers the execution with the ids of the trades it now belongs to.",
        body: CreateExecutionBody,
        response: { 201: ExecutionDetail, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await executionsService.createExecution(requireUser(request).id, request.body)),
  );

  app.get(
    '/executions',
    {
      schema: {
        tags,
        summary: 'List executions, newest first',
        description: 'Ordered by executedAt descending, then by insertion order. A bare day in `from`/`to` is a whole day in your time zone.',
        querystring: ExecutionListQuery,
        response: { 200: ExecutionPage, ...errorResponses(400, 401) },
      },
    },
    async (request) => executionsService.listExecutions(requireUser(request).id, request.query),
  );

  app.get(
    '/executions/:id',
    { schema: { tags, summary: 'Get an execution and the trades it belongs to', params: IdParams, response: { 200: ExecutionDetail, ...errorResponses(400, 401, 404) } } },
    async (request) => executionsService.getExecution(requireUser(request).id, request.params.id),
  );

  app.delete(
    '/executions/:id',
    {
      schema: {
        tags,
        summary: "Delete an execution and rebuild its instrument's trades",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await executionsService.deleteExecution(requireUser(request).id, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
