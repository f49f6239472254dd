import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import { IdParams } from '../../platform/http/schemas.js';
import type { ImportPipeline, ImportsConfig } from './imports.pipeline.js';
import { ImportAccepted, ImportDetail, ImportFormats, ImportListQuery, ImportPage, ImportPreview, ImportUploadBody } from './imports.schemas.js';
import type { ImportsService } from './imports.service.js';
import { receiveUpload } from './imports.upload.js';

export interface ImportsRoutesOptions {
  importsService: ImportsService;
  pipeline: Pick<ImportPipeline, 'stop'>;
  config: ImportsConfig;
}

/**
 * The upload body is multipart and streamed: it is not parsed before the handler runs, so the
 * body schema documents the form (OpenAPI) while the parts are checked as they arrive
 * (imports.upload.ts) and the fields with the same TypeBox schema (ImportForm) in the service.
 */
const documentedOnly = () => () => true;

export async function importsRoutes(plain: FastifyInstance, { importsService, pipeline, config }: ImportsRoutesOptions) {
  // throwFileSizeLimit off: a truncated file part is answered 413 by receiveUpload itself.
  await plain.register(multipart, { throwFileSizeLimit: false });
  plain.addHook('onClose', async () => pipeline.stop());
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['imports'];
  const upload = { dir: config.dir, maxFileBytes: config.maxFileBytes };

  app.get(
    '/imports/formats',
    { schema: { tags, summary: 'Supported broker formats and the columns each expects', response: { 200: ImportFormats, ...errorResponses(401) } } },
    async () => importsService.formats(),
  );

  app.post(
    '/imports',
    {
      config: { rateLimit: 'imports' },
      validatorCompiler: documentedOnly,
      schema: {
        tags,
        summary: 'Import a broker file (multipart); processing continues in the background',
        description:
          'Answers 202 with the import id once the file is received and its format recognised; poll GET /imports/{id}. The file lands whole or not at all; executions the account already has are skipped.',
        consumes: ['multipart/form-data'],
        body: ImportUploadBody,
        response: { 202: ImportAccepted, ...errorResponses(400, 401, 404, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      await importsService.assertCanStart(user.id);
      const received = await receiveUpload(request, upload);
      const accepted = await importsService.startImport(user.id, received);
      return reply.code(202).header('location', `/api/v1/imports/${accepted.id}`).send(accepted);
    },
  );

  app.post(
    '/imports/preview',
    {
      config: { rateLimit: 'imports' },
      validatorCompiler: documentedOnly,
      schema: {
        tags,
        summary: 'Preview a broker file: the first 20 executions, row errors and the detected format; writes nothing',
        consumes: ['multipart/form-data'],
        body: ImportUploadBody,
        response: { 200: ImportPreview, ...errorResponses(400, 401, 404, 413, 415, 422) },
      },
    },
    async (request) => importsService.preview(requireUser(request).id, await receiveUpload(request, upload)),
  );

  app.get(
    '/imports',
    { schema: { tags, summary: 'List your imports, newest first', querystring: ImportListQuery, response: { 200: ImportPage, ...errorResponses(400, 401) } } },
    async (request) => importsService.listImports(requireUser(request).id, request.query),
  );

  app.get(
    '/imports/:id',
    {
      schema: {
        tags,
        summary: 'Status, progress, counts and the first 100 row errors of an import',
        params: IdParams,
        response: { 200: ImportDetail, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => importsService.getImport(requireUser(request).id, request.params.id),
  );

  app.delete(
    '/imports/:id',
    {
      schema: {
        tags,
        summary: 'Undo an import: remove exactly its executions and rebuild the affected trades',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await importsService.deleteImport(requireUser(request).id, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
