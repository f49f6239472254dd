import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import { IdParams } from '../../platform/http/schemas.js';
import { Account, AccountListQuery, AccountPage, CreateAccountBody, DeleteAccountQuery, UpdateAccountBody } from './accounts.schemas.js';
import type { AccountsService } from './accounts.service.js';

export async function accountsRoutes(plain: FastifyInstance, { accountsService }: { accountsService: AccountsService }) {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['accounts'];

  app.post(
    '/accounts',
    { schema: { tags, summary: 'Create a trading account', body: CreateAccountBody, response: { 201: Account, ...errorResponses(400, 401, 403, 409) } } },
    async (request, reply) => reply.code(201).send(await accountsService.createAccount(requireUser(request).id, request.body)),
  );

  app.get(
    '/accounts',
    { schema: { tags, summary: "List the user's accounts, oldest first", querystring: AccountListQuery, response: { 200: AccountPage, ...errorResponses(400, 401) } } },
    async (request) => accountsService.listAccounts(requireUser(request).id, request.query),
  );

  app.get(
    '/accounts/:id',
    { schema: { tags, summary: 'Get an account', params: IdParams, response: { 200: Account, ...errorResponses(400, 401, 404) } } },
    async (request) => accountsService.getAccount(requireUser(request).id, request.params.id),
  );

  app.patch(
    '/accounts/:id',
    {
      schema: { tags, summary: 'Change an account', params: IdParams, body: UpdateAccountBody, response: { 200: Account, ...errorResponses(400, 401, 403, 404, 409) } },
    },
    async (request) => accountsService.updateAccount(requireUser(request).id, request.params.id, request.body),
  );

  app.delete(
    '/accounts/:id',
    {
      schema: {
        tags,
        summary: 'Delete an account',
        description: 'An account with executions answers 409 account_has_executions unless `confirm=true`, which deletes its executions and trades in the same transaction.',
        params: IdParams,
        querystring: DeleteAccountQuery,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await accountsService.deleteAccount(requireUser(request).id, request.params.id, { confirm: request.query.confirm });
      return reply.code(204).send(null);
    },
  );
}
