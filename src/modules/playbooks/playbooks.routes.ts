import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import { IdParams } from '../../platform/http/schemas.js';
import { CreatePlaybookBody, Playbook, PlaybookListQuery, PlaybookPage, UpdatePlaybookBody } from './playbooks.schemas.js';
import type { PlaybooksService } from './playbooks.service.js';

export async function playbooksRoutes(plain: FastifyInstance, { playbooksService }: { playbooksService: PlaybooksService }) {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['playbooks'];

  app.post(
    '/playbooks',
    { schema: { tags, summary: 'Create a playbook with its rule checklist', body: CreatePlaybookBody, response: { 201: Playbook, ...errorResponses(400, 401, 403, 409) } } },
    async (request, reply) => {
      const playbook = await playbooksService.createPlaybook(requireUser(request).id, request.body);
      return reply.code(201).send(playbook);
    },
  );

  app.get(
    '/playbooks',
    { schema: { tags, summary: "List the user's playbooks", querystring: PlaybookListQuery, response: { 200: PlaybookPage, ...errorResponses(400, 401) } } },
    async (request) => playbooksService.listPlaybooks(requireUser(request).id, request.query),
  );

  app.get(
    '/playbooks/:id',
    { schema: { tags, summary: 'Get a playbook', params: IdParams, response: { 200: Playbook, ...errorResponses(400, 401, 404) } } },
    async (request) => playbooksService.getPlaybook(requireUser(request).id, request.params.id),
  );

  app.patch(
    '/playbooks/:id',
    {
      schema: {
        tags,
        summary: 'Edit a playbook; `rules` replaces the checklist, keeping rules whose id is sent',
        params: IdParams,
        body: UpdatePlaybookBody,
        response: { 200: Playbook, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => playbooksService.updatePlaybook(requireUser(request).id, request.params.id, request.body),
  );

  app.delete(
    '/playbooks/:id',
    { schema: { tags, summary: 'Delete a playbook (its trades keep existing without one)', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await playbooksService.deletePlaybook(requireUser(request).id, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
