import cookie from '@fastify/cookie';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { badRequest, unauthorized } from '../../platform/errors/app-error.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import type { CookieOptions } from './auth.cookies.js';
import { clearSessionCookies, refreshTokenFromCookie, setSessionCookies, wantsCookie } from './auth.cookies.js';
import {
  ApiKeyPage,
  AuthResult,
  ChangePasswordBody,
  CreateApiKeyBody,
  CreatedApiKey,
  IdParams,
  ListQuery,
  LoginBody,
  LogoutBody,
  NoContent,
  RefreshBody,
  RegisterBody,
  SecurityEventPage,
  SessionPage,
  UpdateMeBody,
  User,
} from './auth.schemas.js';
import type { AuthResult as AuthResultValue, AuthService, RequestContext } from './auth.service.js';

const context = (request: FastifyRequest): RequestContext => ({ ip: request.ip, userAgent: request.headers['user-agent'] });

/** /api/v1/auth: sign-up, sign-in, token refresh, sessions, API keys and the security log. */
export const authRoutes: FastifyPluginAsyncTypebox<{ auth: AuthService; cookies: CookieOptions }> = async (app, { auth, cookies }) => {
  await app.register(cookie);
  const tags = ['auth'];
  const cookieNote = ' A browser sends `X-Token-Transport: cookie` to get the refresh token as the httpOnly `ts_refresh` cookie (and the readable `ts_csrf` cookie) instead of in the body; see docs/auth.md.';

  /** In cookie mode the refresh token goes into the httpOnly cookie and never into the body a script can read. */
  const answer = (reply: FastifyReply, result: AuthResultValue, asCookie: boolean) => {
    if (!asCookie) return result;
    setSessionCookies(reply, cookies, result.refreshToken, new Date(result.refreshTokenExpiresAt));
    const { refreshToken: _hidden, ...rest } = result;
    return rest;
  };
  /** Sign-up, sign-in and refresh: no credentials, and the tight `auth` rate-limit class per client IP. */
  const pub = { public: true, rateLimit: 'auth' as const };

  app.post(
    '/register',
    {
      config: pub,
      schema: {
        tags,
        summary: 'Create an account and sign in',
        description: 'Password: 10–128 characters, not a common password, not containing the email. A broken rule answers 400 weak_password with details.rule.' + cookieNote,
        body: RegisterBody,
        response: { 201: AuthResult, ...errorResponses(400, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const result = await auth.register(request.body, context(request));
      return reply.code(201).send(answer(reply, result, wantsCookie(request)));
    },
  );

  app.post(
    '/login',
    {
      config: pub,
      schema: {
        tags,
        summary: 'Sign in with email and password',
        description: `After too many failures for one email from one IP the answer is 429 with Retry-After until the window ends.` + cookieNote,
        body: LoginBody,
        response: { 200: AuthResult, ...errorResponses(400, 401, 413, 415, 429) },
      },
    },
    async (request, reply) => answer(reply, await auth.login(request.body, context(request)), wantsCookie(request)),
  );

  app.post(
    '/refresh',
    {
      config: pub,
      schema: {
        tags,
        summary: 'Trade a refresh token for new access and refresh tokens',
        description:
          'Each refresh token works once. Presenting a used one ends its whole session (reuse detection). The token comes from the body, else from the ts_refresh cookie — then X-CSRF-Token must carry the ts_csrf cookie and a cross-site Origin is refused (403 csrf_failed), and the new token is set as a cookie again.',
        body: RefreshBody,
        response: { 200: AuthResult, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const fromBody = request.body.refreshToken;
      const token = fromBody ?? refreshTokenFromCookie(request, cookies);
      if (!token) throw badRequest('refresh_token_required', 'Send refreshToken in the body or the ts_refresh cookie.');
      try {
        return answer(reply, await auth.refresh(token, context(request)), fromBody === undefined || wantsCookie(request));
      } catch (error) {
        // A dead cookie would be sent again and again: drop it with the 401.
        if (fromBody === undefined) clearSessionCookies(reply, cookies);
        throw error;
      }
    },
  );

  app.post(
    '/logout',
    {
      config: { optionalAuth: true },
      schema: {
        tags,
        summary: 'End the current session',
        description:
          'The session of the access token, else of the refresh token in the body or in the ts_refresh cookie (with X-CSRF-Token, as for refresh). Its refresh token stops working at once and the session cookies are cleared; access tokens already issued stay valid until they expire.',
        body: LogoutBody,
        response: { 204: NoContent, ...errorResponses(400, 401, 403, 413, 415) },
      },
      // The body is optional: a logout without one is validated as {}.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      if (request.user) {
        await auth.logout(request.user, context(request));
      } else {
        const token = request.body.refreshToken ?? refreshTokenFromCookie(request, cookies);
        if (!token) throw unauthorized('unauthenticated', 'Authentication required.');
        await auth.logoutWithRefreshToken(token, context(request));
      }
      clearSessionCookies(reply, cookies);
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
