import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import { IdParams } from '../../platform/http/schemas.js';
import { CreateTagBody, Tag, TagListQuery, TagPage, UpdateTagBody } from './tags.schemas.js';
import type { TagsService } from './tags.service.js';

export async function tagsRoutes(plain: FastifyInstance, { tagsService }: { tagsService: TagsService }) {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['tags'];

  app.post(
    '/tags',
    { schema: { tags, summary: 'Create a tag', body: CreateTagBody, response: { 201: Tag, ...errorResponses(400, 401, 403, 409) } } },
    async (request, reply) => {
      const tag = await tagsService.createTag(requireUser(request).id, request.body);
      return reply.code(201).send(tag);
    },
  );

  app.get(
    '/tags',
    { schema: { tags, summary: "List the user's tags with usage counts", querystring: TagListQuery, response: { 200: TagPage, ...errorResponses(400, 401) } } },
    async (request) => tagsService.listTags(requireUser(request).id, request.query),
  );

  app.get(
    '/tags/:id',
    { schema: { tags, summary: 'Get a tag', params: IdParams, response: { 200: Tag, ...errorResponses(400, 401, 404) } } },
    async (request) => tagsService.getTag(requireUser(request).id, request.params.id),
  );

  app.patch(
    '/tags/:id',
    { schema: { tags, summary: 'Rename, recolour or re-kind a tag', params: IdParams, body: UpdateTagBody, response: { 200: Tag, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => tagsService.updateTag(requireUser(request).id, request.params.id, request.body),
  );

  app.delete(
    '/tags/:id',
    { schema: { tags, summary: 'Delete a tag (removes it from every trade)', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await tagsService.deleteTag(requireUser(request).id, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
