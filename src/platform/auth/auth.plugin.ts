import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, forbidden, unauthorized } from '../errors/app-error.js';
import { prependOnRequest } from '../http/route-hooks.js';
import type { Role, TokenService } from './tokens.js';

export interface AuthUser {
  id: string;
  role: Role;
  /** What the credential may do: sessions can write, API keys carry their own scope. */
  scope: 'read' | 'write';
  sessionId?: string;
  apiKeyId?: string;
}

/** Resolves an API key (`ts_...`) to its owner; registered by the auth module. */
export type ApiKeyVerifier = (key: string) => Promise<AuthUser | undefined>;

export const API_KEY_PREFIX = 'ts_';

/** A verified credential; API keys do not expire on their own (null). */
export interface Authenticated {
  user: AuthUser;
  expiresAt: Date | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every authenticated route; read it with `requireUser(request)`. */
    user: AuthUser | null;
  }
  interface FastifyInstance {
    tokens: TokenService;
    /** Verifies an access token or API key outside the request hook (WebSocket and SSE auth); throws 401 AppErrors. */
    authenticate(token: string): Promise<Authenticated>;
    setApiKeyVerifier(verifier: ApiKeyVerifier): void;
  }
  interface FastifyContextConfig {
    /** No credentials needed (health, login, ...). Every other /api route requires them. */
    public?: boolean;
    /** Credentials are checked when present, but the handler also serves anonymous requests. */
    optionalAuth?: boolean;
    /** Only this role may call the route. */
    role?: Role;
    /** Overrides the scope derived from the method (GET/HEAD read, others write). */
    scope?: 'read' | 'write';
  }
}

export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw unauthorized('unauthenticated', 'Authentication required.');
  return request.user;
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized('invalid_authorization', 'Use "Authorization: Bearer <token>".');
  return match[1];
}

/**
 * Secure by default: every /api route needs a valid access token or API key unless its
 * route config says `public: true`.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, { tokens }: { tokens: TokenService }) => {
    let verifyApiKey: ApiKeyVerifier = async () => undefined;
    app.decorate('tokens', tokens);
    app.decorate('setApiKeyVerifier', (verifier: ApiKeyVerifier) => {
      verifyApiKey = verifier;
    });
    app.decorateRequest('user', null);

    /** Verifies an access token or API key outside the request hook (WebSocket and SSE use it to learn the expiry). */
    async function authenticateToken(token: string): Promise<Authenticated> {
      if (token.startsWith(API_KEY_PREFIX)) {
        const user = await verifyApiKey(token);
        if (!user) throw unauthorized('invalid_api_key', 'The API key is invalid or revoked.');
        return { user, expiresAt: null };
      }
      const claims = tokens.verifyAccess(token);
      return { user: { id: claims.userId, role: claims.role, scope: 'write', sessionId: claims.sessionId }, expiresAt: claims.expiresAt };
    }
    app.decorate('authenticate', authenticateToken);

    function authorize(request: FastifyRequest, user: AuthUser) {
      request.user = user;
      request.log = request.log.child({ userId: user.id });
      const config = request.routeOptions.config;
      if (config.role && user.role !== config.role) throw forbidden('forbidden', 'You do not have access to this resource.');
      const needed = config.scope ?? (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write');
      if (needed === 'write' && user.scope !== 'write') {
        throw new AppError('Forbidden', 'insufficient_scope', 'This API key is read-only.');
      }
    }

    // Callback style: an access token is checked synchronously, without a promise; only an API key waits for the database.
    function authenticate(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
      try {
        const token = bearer(request);
        if (!token) {
          if (request.routeOptions.config.optionalAuth) return done();
          throw unauthorized('unauthenticated', 'Authentication required.');
        }
        if (token.startsWith(API_KEY_PREFIX)) {
          authenticateToken(token).then(({ user }) => authorize(request, user)).then(() => done(), done);
          return;
        }
        const claims = tokens.verifyAccess(token);
        authorize(request, { id: claims.userId, role: claims.role, scope: 'write', sessionId: claims.sessionId });
      } catch (error) {
        return done(error as Error);
      }
      done();
    }

    // Attached at start to each /api route that is not public, so public routes (health) pay nothing per request.
    app.addHook('onRoute', (route) => {
      if (route.config?.public || !route.url.startsWith('/api/')) return;
      prependOnRequest(route, authenticate);
    });
  },
  { name: 'auth', dependencies: ['errors'] },
);
