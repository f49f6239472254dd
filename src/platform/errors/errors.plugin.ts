import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from './app-error.js';
import { ErrorEnvelope, errorResponses } from './error-schemas.js';

interface Envelope {
  success: false;
  error: string;
  code: string;
  message: string;
  details: Record<string, unknown>;
  timestamp: string;
  request_id: string;
}

function envelope(request: FastifyRequest, error: string, code: string, message: string, details: Record<string, unknown> = {}): Envelope {
  return { success: false, error, code, message, details, timestamp: new Date().toISOString(), request_id: request.id };
}

interface AjvIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** Field-level details from Fastify's Ajv validation errors. */
function validationDetails(error: FastifyError): Record<string, unknown> {
  const issues = (error.validation ?? []) as AjvIssue[];
  const context = error.validationContext ?? 'body';
  return {
    fields: issues.map((issue) => {
      let field = (issue.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
      if (issue.keyword === 'required' && typeof issue.params?.missingProperty === 'string') {
        field = field ? `${field}.${issue.params.missingProperty}` : issue.params.missingProperty;
      }
      if (issue.keyword === 'additionalProperties' && typeof issue.params?.additionalProperty === 'string') {
        field = field ? `${field}.${issue.params.additionalProperty}` : issue.params.additionalProperty;
      }
      return { in: context, field: field || context, message: issue.message ?? 'is invalid' };
    }),
  };
}

function fromPgError(error: { code?: string }): AppError | undefined {
  // Connection-level failures: the database is down or restarting.
  if (['57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes(error.code ?? '')) {
    return new AppError('ServiceUnavailable', 'database_unavailable', 'The database is unavailable; try again shortly.', {}, { 'retry-after': '5' });
  }
  if (error.code === '57014') {
    return new AppError('Timeout', 'statement_timeout', 'The query took too long and was cancelled.', {}, { 'retry-after': '5' });
  }
  return undefined;
}

/**
 * Statuses any API route can answer because of the platform (auth, validation, rate limits,
 * timeouts, an unreachable database), added to every route's declared responses so the
 * OpenAPI document is true without each route repeating them.
 */
function platformStatuses(route: RouteOptions): number[] {
  const schema = route.schema as { body?: unknown; querystring?: unknown; params?: unknown } | undefined;
  const config = (route.config ?? {}) as { public?: boolean; rateLimit?: unknown };
  const statuses = [500, 503];
  if (schema?.body || schema?.querystring || schema?.params) statuses.push(400);
  if (!config.public) statuses.push(401, 403);
  if (config.rateLimit !== false) statuses.push(429);
  return statuses;
}

export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.addSchema(ErrorEnvelope);

    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/api/')) return;
      const schema = (route.schema ??= {}) as { hide?: boolean; response?: Record<string, unknown> };
      if (schema.hide) return;
      schema.response = { ...errorResponses(...platformStatuses(route)), ...(schema.response ?? {}) };
    });

    app.setNotFoundHandler((request, reply) => {
      reply.code(404).send(envelope(request, 'NotFoundError', 'route_not_found', `Route ${request.method} ${request.url.split('?')[0]} not found`));
    });

    app.setErrorHandler((error: FastifyError & { code?: string }, request: FastifyRequest, reply: FastifyReply) => {
      if (error instanceof AppError) {
        if (error.status >= 500) request.log.error({ err: error }, error.message);
        reply.headers(error.headers).code(error.status).send(envelope(request, error.name, error.code, error.message, error.details));
        return;
      }
      if (error.validation) {
        reply.code(400).send(envelope(request, 'ValidationError', 'validation_failed', 'The request is invalid.', validationDetails(error)));
        return;
      }
      const pgMapped = fromPgError(error);
      if (pgMapped) {
        request.log.error({ err: error }, pgMapped.message);
        reply.headers(pgMapped.headers).code(pgMapped.status).send(envelope(request, pgMapped.name, pgMapped.code, pgMapped.message));
        return;
      }
      const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
      if (status >= 400 && status < 500) {
        // Fastify's own client errors: bad JSON, body too large, wrong content type, ...
        const code = (error.code ?? 'bad_request').replace(/^FST_ERR_/, '').toLowerCase();
        const name = status === 413 ? 'PayloadTooLargeError' : status === 415 ? 'UnsupportedMediaTypeError' : status === 408 ? 'TimeoutError' : 'BadRequestError';
        reply.code(status).send(envelope(request, name, code, error.message));
        return;
      }
      // Unexpected: log everything, tell the client nothing about internals.
      request.log.error({ err: error }, 'unhandled error');
      reply.code(500).send(envelope(request, 'InternalError', 'internal_error', 'Something went wrong on our side. Quote the request id when reporting it.'));
    });
  },
  { name: 'errors' },
);
