import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import {
  ApiKeyPage,
  AuthResult,
  ChangePasswordBody,
  CreateApiKeyBody,
  CreatedApiKey,
  IdParams,
  ListQuery,
  LoginBody,
  NoContent,
  RefreshBody,
  RegisterBody,
  SecurityEventPage,
  SessionPage,
  UpdateMeBody,
  User,
} from './auth.schemas.js';
import type { AuthService, RequestContext } from './auth.service.js';

const context = (request: FastifyRequest): RequestContext => ({ ip: request.ip, userAgent: request.headers['user-agent'] });

/** /api/v1/auth: sign-up, sign-in, token refresh, sessions, API keys and the security log. */
export const authRoutes: FastifyPluginAsyncTypebox<{ auth: AuthService }> = async (app, { auth }) => {
  const tags = ['auth'];
  /** Sign-up, sign-in and refresh: no credentials, and the tight `auth` rate-limit class per client IP. */
  const pub = { public: true, rateLimit: 'auth' as const };

  app.post(
    '/register',
    {
      config: pub,
      schema: {
        tags,
        summary: 'Create an account and sign in',
        description: 'Password: 10–128 characters, not a common password, not containing the email. A broken rule answers 400 weak_password with details.rule.',
        body: RegisterBody,
        response: { 201: AuthResult, ...errorResponses(400, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const result = await auth.register(request.body, context(request));
      return reply.code(201).send(result);
    },
  );

  app.post(
    '/login',
    {
      config: pub,
      schema: {
        tags,
        summary: 'Sign in with email and password',
        description: `After too many failures for one email from one IP the answer is 429 with Retry-After until the window ends.`,
        body: LoginBody,
        response: { 200: AuthResult, ...errorResponses(400, 401, 413, 415, 429) },
      },
    },
    async (request) => auth.login(request.body, context(request)),
  );

  app.post(
    '/refresh',
    {
      config: pub,
      schema: {
        tags,
        summary: 'Trade a refresh token for new access and refresh tokens',
        description: 'Each refresh token works once. Presenting a used one ends its whole session (reuse detection).',
        body: RefreshBody,
        response: { 200: AuthResult, ...errorResponses(400, 401, 413, 415) },
      },
    },
    async (request) => auth.refresh(request.body.refreshToken, context(request)),
  );

  app.post(
    '/logout',
    {
      schema: {
        tags,
        summary: 'End the current session',
        description: 'Its refresh token stops working at once; access tokens already issued stay valid until they expire.',
        response: { 204: NoContent, ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      await auth.logout(requireUser(request), context(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/logout-all',
    {
      schema: { tags, summary: 'End every session of the account', response: { 204: NoContent, ...errorResponses(401, 403) } },
    },
    async (request, reply) => {
      await auth.logoutAll(requireUser(request), context(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me',
    { schema: { tags, summary: 'The signed-in user', response: { 200: User, ...errorResponses(401) } } },
    async (request) => auth.getMe(requireUser(request).id),
  );

  app.patch(
    '/me',
    {
      schema: {
        tags,
        summary: 'Update profile settings',
        description: 'displayName (null clears it), IANA timezone, ISO 4217 baseCurrency, breakevenTolerance as a decimal string ≥ 0.',
        body: UpdateMeBody,
        response: { 200: User, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request) => auth.updateMe(requireUser(request).id, request.body),
  );

  app.post(
    '/change-password',
    {
      schema: {
        tags,
        summary: 'Change the password; ends every other session',
        body: ChangePasswordBody,
        response: { 204: NoContent, ...errorResponses(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      await auth.changePassword(requireUser(request), request.body, context(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/sessions',
    {
      schema: {
        tags,
        summary: 'Active sessions, newest first',
        querystring: ListQuery,
        response: { 200: SessionPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => auth.listSessions(requireUser(request), request.query),
  );

  app.delete(
    '/sessions/:id',
    {
      schema: {
        tags,
        summary: 'End one session',
        params: IdParams,
        response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await auth.revokeSession(requireUser(request), request.params.id, context(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api-keys',
    {
      schema: {
        tags,
        summary: 'Create an API key for scripts',
        description: 'The answer carries the key once; only its hash is stored. Use it as "Authorization: Bearer <key>". A read key may only GET.',
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const created = await auth.createApiKey(requireUser(request), request.body, context(request));
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/api-keys',
    {
      schema: {
        tags,
        summary: 'Active API keys (never their secret), newest first',
        querystring: ListQuery,
        response: { 200: ApiKeyPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => auth.listApiKeys(requireUser(request), request.query),
  );

  app.delete(
    '/api-keys/:id',
    {
      schema: { tags, summary: 'Revoke an API key', params: IdParams, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      await auth.revokeApiKey(requireUser(request), request.params.id, context(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/events',
    {
      schema: {
        tags,
        summary: 'Security events of the account, newest first',
        querystring: ListQuery,
        response: { 200: SecurityEventPage, ...errorResponses(400, 401) },
      },
    },
    async (request) => auth.listEvents(requireUser(request).id, request.query),
  );
};
