import type { Config } from '../../config/config.js';
import type { AuthUser } from '../../platform/auth/auth.plugin.js';
import type { Role, TokenService } from '../../platform/auth/tokens.js';
import type { Cache } from '../../platform/cache/cache.js';
import { toDecimal } from '../../lib/decimal.js';
import type { Executor } from '../../platform/db/database.js';
import { AppError, conflict, forbidden, notFound, tooManyRequests, unauthorized } from '../../platform/errors/app-error.js';
import type { PasswordRule } from './auth.domain.js';
import {
  API_KEY_FORMAT,
  PASSWORD_RULE_MESSAGES,
  absoluteExpiry,
  canonicalTimeZone,
  checkPasswordPolicy,
  idleCutoff,
  newApiKey,
  newRefreshToken,
  normaliseCurrency,
  normaliseEmail,
  refreshTokenExpiry,
  sha256,
  storableIp,
  storableUserAgent,
} from './auth.domain.js';
import { decodeCursor, encodeCursor, isInstant, isUuid } from '../../platform/http/cursor.js';
import type { PasswordHasher } from './auth.passwords.js';
import type { ActiveWindow, AuthRepository, PageRequest, ProfilePatch, UserRow } from './auth.repository.js';

export type SecurityEventType =
  | 'user_registered'
  | 'login_succeeded'
  | 'login_failed'
  | 'refresh_token_reuse'
  | 'password_changed'
  | 'api_key_created'
  | 'api_key_revoked'
  | 'session_revoked'
  | 'logout_all'
  | 'admin_action';

/** Where a request came from, recorded with sessions and security events. */
export interface RequestContext {
  ip: string;
  userAgent: string | undefined;
}

export interface PublicUser {
  id: string;
  email: string;
  displayName: string | null;
  timezone: string;
  baseCurrency: string;
  breakevenTolerance: string;
  role: Role;
  createdAt: string;
}

export interface AuthResult {
  user: PublicUser;
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

export interface Page<T> {
  data: T[];
  page: { nextCursor: string | null; limit: number };
}

export interface AuthServiceDeps {
  repository: AuthRepository;
  hasher: PasswordHasher;
  tokens: Pick<TokenService, 'signAccess'>;
  cache: Pick<Cache, 'incr' | 'del'>;
  clock: () => Date;
  config: Pick<
    Config['auth'],
    'refreshIdleDays' | 'refreshAbsoluteDays' | 'maxSessionsPerUser' | 'loginMaxFailures' | 'loginWindowSeconds' | 'adminEmail' | 'adminPassword'
  >;
  /** The common-passwords list, asked for when a password is checked (reading it costs start-up time otherwise). */
  commonPasswords: () => ReadonlySet<string>;
  /**
   * Recomputes the user's analytics daily aggregates inside `tx` (they depend on the time zone
   * and the breakeven tolerance); absent where nothing keeps aggregates (some tests).
   */
  rebuildDailyAggregates?: (userId: string, tx: Executor) => Promise<void>;
}

/** Security events deleted per statement by the retention purge. */
const SECURITY_EVENT_PURGE_BATCH = 5_000;

/** last_used_at of an API key is written at most this often. */
const API_KEY_TOUCH_INTERVAL_MS = 60_000;

const invalidCredentials = () => unauthorized('invalid_credentials', 'The email or password is incorrect.');

function passwordRejected(rule: PasswordRule): AppError {
  return new AppError('Validation', 'weak_password', PASSWORD_RULE_MESSAGES[rule], { rule, field: 'password' });
}

function invalidField(code: string, field: string, message: string): AppError {
  return new AppError('Validation', code, message, { field });
}

/** Managing credentials needs a login: an API key must not mint keys or end sessions. */
function sessionIdOf(user: AuthUser): string {
  if (!user.sessionId) throw forbidden('session_required', 'This action needs a signed-in session, not an API key.');
  return user.sessionId;
}

function toPublicUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    timezone: row.timezone,
    baseCurrency: row.baseCurrency,
    breakevenTolerance: row.breakevenTolerance,
    role: row.role,
    createdAt: row.createdAt.toISOString(),
  };
}

function pageRequest(query: { limit?: number; cursor?: string }): PageRequest {
  const limit = query.limit ?? 50;
  if (query.cursor === undefined) return { limit };
  const [at, id] = decodeCursor<[string, string]>(query.cursor, isInstant, isUuid);
  return { limit, cursor: { at, id } };
}

function toPage<R, T>(result: { rows: R[]; next: { at: string; id: string } | undefined }, limit: number, map: (row: R) => T): Page<T> {
  return { data: result.rows.map(map), page: { nextCursor: result.next ? encodeCursor([result.next.at, result.next.id]) : null, limit } };
}

export function createAuthService(deps: AuthServiceDeps) {
  const { repository: repo, hasher, tokens, cache, clock, config, commonPasswords, rebuildDailyAggregates } = deps;

  const activeWindow = (now: Date): ActiveWindow => ({ now, idleCutoff: idleCutoff(now, config.refreshIdleDays) });

  function recordEvent(
    userId: string,
    type: SecurityEventType,
    ctx: RequestContext,
    details: Record<string, unknown> = {},
    tx?: Executor,
  ): Promise<void> {
    return repo.insertSecurityEvent(
      { userId, type, ip: storableIp(ctx.ip), userAgent: storableUserAgent(ctx.userAgent), details, now: clock() },
      tx,
    );
  }

  /**
   * Counts every attempt for (email, ip) before the password is checked, so parallel guesses
   * cannot outrun the limit; a success clears the count. The window is fixed from the first
   * failure, so there is no permanent lockout.
   */
  async function countAttempt(email: string, ip: string): Promise<void> {
    const { count, ttlSeconds } = await cache.incr(throttleKey(email, ip), config.loginWindowSeconds);
    if (count > config.loginMaxFailures) {
      throw tooManyRequests('too_many_login_attempts', 'Too many failed sign-in attempts; try again later.', ttlSeconds);
    }
  }

  const throttleKey = (email: string, ip: string) => `auth:login-attempts:${sha256(email)}:${ip}`;

  async function startSession(user: UserRow, ctx: RequestContext, event: 'login_succeeded' | 'user_registered'): Promise<AuthResult> {
    const now = clock();
    const refreshToken = newRefreshToken();
    const session = await repo.transaction(async (tx) => {
      await repo.lockUser(user.id, tx);
      const created = await repo.insertSession(
        {
          userId: user.id,
          ip: storableIp(ctx.ip),
          userAgent: storableUserAgent(ctx.userAgent),
          now,
          expiresAt: absoluteExpiry(now, config.refreshAbsoluteDays),
        },
        tx,
      );
      await repo.insertRefreshToken(created.id, sha256(refreshToken), now, tx);
      const evicted = await repo.revokeSessionsBeyond(user.id, created.id, config.maxSessionsPerUser - 1, 'session_limit', activeWindow(now), tx);
      for (const sessionId of evicted) await recordEvent(user.id, 'session_revoked', ctx, { sessionId, reason: 'session_limit' }, tx);
      await recordEvent(user.id, event, ctx, { sessionId: created.id }, tx);
      return created;
    });
    return issueTokens(user, session, refreshToken);
  }

  async function issueTokens(user: UserRow, session: { id: string; lastUsedAt: Date; expiresAt: Date }, refreshToken: string): Promise<AuthResult> {
    const access = await tokens.signAccess({ userId: user.id, role: user.role, sessionId: session.id });
    return {
      user: toPublicUser(user),
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: access.expiresIn,
      refreshToken,
      refreshTokenExpiresAt: refreshTokenExpiry(session, config.refreshIdleDays).toISOString(),
    };
  }

  function assertPasswordPolicy(password: string, email: string) {
    const rule = checkPasswordPolicy(password, email, commonPasswords());
    if (rule) throw passwordRejected(rule);
  }

  return {
    async register(
      input: { email: string; password: string; displayName?: string | null; timezone?: string; baseCurrency?: string },
      ctx: RequestContext,
    ): Promise<AuthResult> {
      const email = normaliseEmail(input.email);
      if (!email) throw invalidField('invalid_email', 'email', 'The email address is not valid.');
      assertPasswordPolicy(input.password, email);
      const timezone = canonicalTimeZone(input.timezone ?? 'UTC');
      if (!timezone) throw invalidField('invalid_timezone', 'timezone', 'The timezone must be an IANA name such as Europe/Berlin.');
      const baseCurrency = normaliseCurrency(input.baseCurrency ?? 'USD');
      if (!baseCurrency) throw invalidField('invalid_currency', 'baseCurrency', 'The base currency must be an ISO 4217 code such as USD.');

      const taken = () => conflict('email_taken', 'An account with this email already exists.');
      if (await repo.findUserByEmail(email)) throw taken();
      const user = await repo.insertUser({
        email,
        passwordHash: await hasher.hash(input.password),
        displayName: input.displayName ?? null,
        timezone,
        baseCurrency,
        // Registration never grants admin; admins come from ADMIN_EMAIL or the promote CLI.
        role: 'user',
        now: clock(),
      });
      if (!user) throw taken();
      return startSession(user, ctx, 'user_registered');
    },

    async login(input: { email: string; password: string }, ctx: RequestContext): Promise<AuthResult> {
      // An unparseable email is just an unknown one: the answer must not tell which.
      const email = normaliseEmail(input.email) ?? input.email.trim().toLowerCase();
      await countAttempt(email, ctx.ip);
      const user = await repo.findUserByEmail(email);
      if (!user) {
        await hasher.verifyDummy(input.password);
        throw invalidCredentials();
      }
      if (!(await hasher.verify(user.passwordHash, input.password))) {
        await recordEvent(user.id, 'login_failed', ctx, { reason: 'wrong_password' });
        throw invalidCredentials();
      }
      await cache.del(throttleKey(email, ctx.ip));
      return startSession(user, ctx, 'login_succeeded');
    },

    async refresh(refreshToken: string, ctx: RequestContext): Promise<AuthResult> {
      const tokenHash = sha256(refreshToken);
      const now = clock();
      const outcome = await repo.transaction(async (tx) => {
        const token = await repo.findRefreshToken(tokenHash, tx);
        if (!token) return { kind: 'unknown' as const };
        const session = await repo.findSessionById(token.sessionId, tx);
        if (!session) return { kind: 'unknown' as const };

        const reuse = async () => {
          // A used token shown again means two parties hold this family: end it for both.
          if (!session.revokedAt) {
            await repo.revokeSessionFamily(session.userId, session.id, 'refresh_token_reuse', now, tx);
            await recordEvent(session.userId, 'refresh_token_reuse', ctx, { sessionId: session.id }, tx);
          }
          return { kind: 'reused' as const };
        };
        if (token.usedAt) return reuse();
        if (session.revokedAt) return { kind: 'revoked' as const };
        if (refreshTokenExpiry(session, config.refreshIdleDays) <= now) return { kind: 'expired' as const };
        // Another request may have spent the same token since it was read: that is reuse too.
        if (!(await repo.consumeRefreshToken(tokenHash, now, tx))) return reuse();

        const user = await repo.findUserById(session.userId, tx);
        if (!user) return { kind: 'unknown' as const };
        const next = newRefreshToken();
        await repo.insertRefreshToken(session.id, sha256(next), now, tx);
        await repo.touchSession(user.id, session.id, now, tx);
        return { kind: 'ok' as const, user, session: { ...session, lastUsedAt: now }, next };
      });

      switch (outcome.kind) {
        case 'ok':
          return issueTokens(outcome.user, outcome.session, outcome.next);
        case 'reused':
          throw unauthorized('refresh_token_reused', 'This refresh token was already used; the session has been ended. Sign in again.');
        case 'revoked':
          throw unauthorized('session_revoked', 'The session has ended. Sign in again.');
        case 'expired':
          throw unauthorized('refresh_token_expired', 'The refresh token has expired. Sign in again.');
        case 'unknown':
          throw unauthorized('invalid_refresh_token', 'The refresh token is invalid.');
      }
    },

    async logout(user: AuthUser, ctx: RequestContext): Promise<void> {
      const sessionId = sessionIdOf(user);
      if (await repo.revokeSession(user.id, sessionId, 'logout', activeWindow(clock()))) {
        await recordEvent(user.id, 'session_revoked', ctx, { sessionId, reason: 'logout' });
      }
    },

    /** Logout by refresh token (a browser whose access token is gone): ends that token's session. */
    async logoutWithRefreshToken(refreshToken: string, ctx: RequestContext): Promise<void> {
      const token = await repo.findRefreshToken(sha256(refreshToken));
      const session = token && !token.usedAt ? await repo.findSessionById(token.sessionId) : undefined;
      if (!session) throw unauthorized('invalid_refresh_token', 'The refresh token is invalid.');
      if (await repo.revokeSession(session.userId, session.id, 'logout', activeWindow(clock()))) {
        await recordEvent(session.userId, 'session_revoked', ctx, { sessionId: session.id, reason: 'logout' });
      }
    },

    async logoutAll(user: AuthUser, ctx: RequestContext): Promise<{ revoked: number }> {
      sessionIdOf(user);
      const revoked = await repo.revokeAllSessions(user.id, 'logout_all', clock(), undefined);
      await recordEvent(user.id, 'logout_all', ctx, { revoked });
      return { revoked };
    },

    async getMe(userId: string): Promise<PublicUser> {
      const user = await repo.findUserById(userId);
      if (!user) throw unauthorized('unauthenticated', 'The account no longer exists.');
      return toPublicUser(user);
    },

    async updateMe(
      userId: string,
      input: { displayName?: string | null; timezone?: string; baseCurrency?: string; breakevenTolerance?: string },
    ): Promise<PublicUser> {
      const patch: ProfilePatch = {};
      if (input.displayName !== undefined) patch.displayName = input.displayName;
      if (input.timezone !== undefined) {
        const timezone = canonicalTimeZone(input.timezone);
        if (!timezone) throw invalidField('invalid_timezone', 'timezone', 'The timezone must be an IANA name such as Europe/Berlin.');
        patch.timezone = timezone;
      }
      if (input.baseCurrency !== undefined) {
        const baseCurrency = normaliseCurrency(input.baseCurrency);
        if (!baseCurrency) throw invalidField('invalid_currency', 'baseCurrency', 'The base currency must be an ISO 4217 code such as USD.');
        patch.baseCurrency = baseCurrency;
      }
      if (input.breakevenTolerance !== undefined) patch.breakevenTolerance = input.breakevenTolerance;
      const user = await repo.transaction(async (tx) => {
        const before = await repo.findUserById(userId, tx);
        const updated = await repo.updateProfile(userId, patch, clock(), tx);
        const daysOrOutcomesChange =
          before !== undefined &&
          updated !== undefined &&
          (before.timezone !== updated.timezone || toDecimal(before.breakevenTolerance).comparedTo(toDecimal(updated.breakevenTolerance)) !== 0);
        // In the same transaction, so analytics never reads aggregates made with the other settings.
        if (daysOrOutcomesChange && rebuildDailyAggregates) await rebuildDailyAggregates(userId, tx);
        return updated;
      });
      if (!user) throw unauthorized('unauthenticated', 'The account no longer exists.');
      return toPublicUser(user);
    },

    async changePassword(user: AuthUser, input: { currentPassword: string; newPassword: string }, ctx: RequestContext): Promise<void> {
      const sessionId = sessionIdOf(user);
      const row = await repo.findUserById(user.id);
      if (!row) throw unauthorized('unauthenticated', 'The account no longer exists.');
      // Shares the sign-in throttle: a stolen access token must not become a password oracle.
      await countAttempt(row.email, ctx.ip);
      if (!(await hasher.verify(row.passwordHash, input.currentPassword))) {
        await recordEvent(user.id, 'login_failed', ctx, { reason: 'wrong_current_password' });
        throw new AppError('Validation', 'invalid_current_password', 'The current password is incorrect.', { field: 'currentPassword' });
      }
      await cache.del(throttleKey(row.email, ctx.ip));
      assertPasswordPolicy(input.newPassword, row.email);
      if (input.newPassword === input.currentPassword) throw passwordRejected('same_as_current');
      const passwordHash = await hasher.hash(input.newPassword);
      const now = clock();
      await repo.transaction(async (tx) => {
        await repo.updatePasswordHash(user.id, passwordHash, now, tx);
        const revoked = await repo.revokeAllSessions(user.id, 'password_changed', now, sessionId, tx);
        await recordEvent(user.id, 'password_changed', ctx, { otherSessionsRevoked: revoked }, tx);
      });
    },

    async listSessions(user: AuthUser, query: { limit?: number; cursor?: string }) {
      const current = sessionIdOf(user);
      const page = pageRequest(query);
      const result = await repo.listActiveSessions(user.id, activeWindow(clock()), page);
      return toPage(result, page.limit, (s) => ({
        id: s.id,
        createdAt: s.createdAt.toISOString(),
        lastUsedAt: s.lastUsedAt.toISOString(),
        ip: s.ip,
        userAgent: s.userAgent,
        current: s.id === current,
      }));
    },

    async revokeSession(user: AuthUser, sessionId: string, ctx: RequestContext): Promise<void> {
      sessionIdOf(user);
      if (!(await repo.revokeSession(user.id, sessionId, 'revoked_by_user', activeWindow(clock())))) {
        throw notFound('session_not_found', 'Session not found.');
      }
      await recordEvent(user.id, 'session_revoked', ctx, { sessionId, reason: 'revoked_by_user' });
    },

    async createApiKey(user: AuthUser, input: { name: string; scope: 'read' | 'write' }, ctx: RequestContext) {
      sessionIdOf(user);
      const { key, prefix } = newApiKey();
      const row = await repo.transaction(async (tx) => {
        const created = await repo.insertApiKey({ userId: user.id, name: input.name, prefix, keyHash: sha256(key), scope: input.scope, now: clock() }, tx);
        await recordEvent(user.id, 'api_key_created', ctx, { apiKeyId: created.id, name: created.name, prefix, scope: created.scope }, tx);
        return created;
      });
      return { ...toPublicApiKey(row), key };
    },

    async listApiKeys(user: AuthUser, query: { limit?: number; cursor?: string }) {
      sessionIdOf(user);
      const page = pageRequest(query);
      return toPage(await repo.listApiKeys(user.id, page), page.limit, toPublicApiKey);
    },

    async revokeApiKey(user: AuthUser, apiKeyId: string, ctx: RequestContext): Promise<void> {
      sessionIdOf(user);
      const row = await repo.revokeApiKey(user.id, apiKeyId, clock());
      if (!row) throw notFound('api_key_not_found', 'API key not found.');
      await recordEvent(user.id, 'api_key_revoked', ctx, { apiKeyId: row.id, name: row.name, prefix: row.prefix });
    },

    /** Registered with the auth plugin: resolves `ts_...` keys to their owner. */
    async verifyApiKey(key: string): Promise<AuthUser | undefined> {
      if (!API_KEY_FORMAT.test(key)) return undefined;
      const row = await repo.findApiKeyByHash(sha256(key));
      if (!row) return undefined;
      const now = clock();
      if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= API_KEY_TOUCH_INTERVAL_MS) {
        await repo.touchApiKey(row.userId, row.id, now, new Date(now.getTime() - API_KEY_TOUCH_INTERVAL_MS));
      }
      return { id: row.userId, role: row.role, scope: row.scope, apiKeyId: row.id };
    },

    async listEvents(userId: string, query: { limit?: number; cursor?: string }) {
      const page = pageRequest(query);
      return toPage(await repo.listSecurityEvents(userId, page), page.limit, (e) => ({
        id: e.id,
        type: e.type,
        ip: e.ip,
        userAgent: e.userAgent,
        details: e.details,
        createdAt: e.createdAt.toISOString(),
      }));
    },

    /** An administrator's action (cache flush, maintenance), in the acting admin's security log. */
    recordAdminAction: (userId: string, ctx: RequestContext, details: Record<string, unknown>) => recordEvent(userId, 'admin_action', ctx, details),

    /** Removes security events older than the retention period; answers how many went and the cut-off. */
    async purgeSecurityEvents(retentionDays: number): Promise<{ deleted: number; before: Date }> {
      const before = new Date(clock().getTime() - retentionDays * 86_400_000);
      return { deleted: await repo.deleteSecurityEventsBefore(before, SECURITY_EVENT_PURGE_BATCH), before };
    },

    async listUsers(query: { limit?: number; cursor?: string }) {
      const page = pageRequest(query);
      return toPage(await repo.listUsers(page), page.limit, (u) => ({ id: u.id, email: u.email, role: u.role, createdAt: u.createdAt.toISOString() }));
    },

    /** Makes an existing user admin; `changed` is false when it already was. */
    promoteAdmin: (email: string) => promoteAdmin(repo, email, clock()),

    /**
     * ADMIN_EMAIL + ADMIN_PASSWORD: create that user as admin, or promote it when it exists
     * (its password is then left alone). Safe when several processes start at once.
     */
    async bootstrapAdmin(): Promise<{ email: string; action: 'created' | 'promoted' } | undefined> {
      const { adminEmail, adminPassword } = config;
      if (!adminEmail || !adminPassword) return undefined;
      const email = normaliseEmail(adminEmail);
      if (!email) throw new Error('ADMIN_EMAIL is not a valid email address');
      if (await repo.setRoleByEmail(email, 'admin', clock())) return { email, action: 'promoted' };
      const rule = checkPasswordPolicy(adminPassword, email, commonPasswords());
      if (rule) throw new Error(`ADMIN_PASSWORD breaks the password policy (${rule}): ${PASSWORD_RULE_MESSAGES[rule]}`);
      const created = await repo.insertUser({
        email,
        passwordHash: await hasher.hash(adminPassword),
        displayName: null,
        timezone: 'UTC',
        baseCurrency: 'USD',
        role: 'admin',
        now: clock(),
      });
      if (created) return { email, action: 'created' };
      await repo.setRoleByEmail(email, 'admin', clock());
      return { email, action: 'promoted' };
    },
  };
}

/** Makes an existing user admin (the CLI calls this without the rest of the service); `changed` is false when it already was. */
export async function promoteAdmin(
  repo: Pick<AuthRepository, 'findUserByEmail' | 'setRoleByEmail'>,
  rawEmail: string,
  now: Date,
): Promise<{ user: PublicUser; changed: boolean }> {
  const email = normaliseEmail(rawEmail) ?? rawEmail.trim().toLowerCase();
  const before = await repo.findUserByEmail(email);
  if (!before) throw notFound('user_not_found', `No user has the email ${email}.`);
  const after = await repo.setRoleByEmail(email, 'admin', now);
  if (!after) throw notFound('user_not_found', `No user has the email ${email}.`);
  return { user: toPublicUser(after), changed: before.role !== 'admin' };
}

function toPublicApiKey(row: { id: string; name: string; prefix: string; scope: 'read' | 'write'; createdAt: Date; lastUsedAt: Date | null }) {
  return {
    id: row.id,
    name: row.name,
    prefix: `ts_${row.prefix}`,
    scope: row.scope,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt ? row.lastUsedAt.toISOString() : null,
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
