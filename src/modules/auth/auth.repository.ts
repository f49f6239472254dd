import { and, desc, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { apiKeys, refreshTokens, securityEvents, sessions, users } from '../../db/schema/index.js';
import type { Db, Executor } from '../../platform/db/database.js';
import type { Role } from '../../platform/auth/tokens.js';
import { userDataChanged } from '../../platform/db/data-changes.js';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type SecurityEventRow = typeof securityEvents.$inferSelect;

/** Keyset position over (created_at, id), newest first. */
export interface Cursor {
  at: string;
  id: string;
}

export interface PageRequest {
  limit: number;
  cursor?: Cursor;
}

export interface PageResult<T> {
  rows: T[];
  next: Cursor | undefined;
}

/** created_at as the database holds it (microseconds), so a cursor never skips rows written in the same millisecond. */
const cursorAt = (column: PgColumn) => sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Newest first: (created_at, id) strictly below the cursor. */
const before = (createdAt: PgColumn, id: PgColumn, cursor: Cursor | undefined) =>
  cursor ? sql`(${createdAt}, ${id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : undefined;

function toPage<T extends { id: string; cursorAt: string }>(rows: T[], limit: number): PageResult<Omit<T, 'cursorAt'>> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    rows: kept.map(({ cursorAt: _cursorAt, ...rest }) => rest),
    next: more && last ? { at: last.cursorAt, id: last.id } : undefined,
  };
}

export interface NewUser {
  email: string;
  passwordHash: string;
  displayName: string | null;
  timezone: string;
  baseCurrency: string;
  role: Role;
  now: Date;
}

export interface ProfilePatch {
  displayName?: string | null;
  timezone?: string;
  baseCurrency?: string;
  breakevenTolerance?: string;
}

export interface NewSession {
  userId: string;
  ip: string | null;
  userAgent: string | null;
  now: Date;
  expiresAt: Date;
}

export interface ActiveWindow {
  now: Date;
  /** Sessions unused since before this are idle-expired. */
  idleCutoff: Date;
}

/**
 * The only code in the auth module that builds SQL. Methods that act for a user take its id
 * and never touch another user's rows; the few that find the user (by email, token hash or
 * key hash) are the entry points of authentication itself.
 */
export function createAuthRepository(db: Db) {
  const activeSession = (window: ActiveWindow) =>
    and(isNull(sessions.revokedAt), gt(sessions.expiresAt, window.now), gt(sessions.lastUsedAt, window.idleCutoff));

  return {
    transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },

    async findUserByEmail(email: string, tx: Executor = db): Promise<UserRow | undefined> {
      const [row] = await tx.select().from(users).where(sql`lower(${users.email}) = lower(${email})`).limit(1);
      return row;
    },

    async findUserById(userId: string, tx: Executor = db): Promise<UserRow | undefined> {
      const [row] = await tx.select().from(users).where(eq(users.id, userId)).limit(1);
      return row;
    },

    /** Undefined when the email is taken (the unique index on lower(email) decides, race-free). */
    async insertUser(user: NewUser, tx: Executor = db): Promise<UserRow | undefined> {
      const [row] = await tx
        .insert(users)
        .values({
          email: user.email,
          passwordHash: user.passwordHash,
          displayName: user.displayName,
          timezone: user.timezone,
          baseCurrency: user.baseCurrency,
          role: user.role,
          createdAt: user.now,
          updatedAt: user.now,
        })
        .onConflictDoNothing()
        .returning();
      return row;
    },

    async updateProfile(userId: string, patch: ProfilePatch, now: Date, tx: Executor = db): Promise<UserRow | undefined> {
      const [row] = await tx
        .update(users)
        .set({ ...patch, updatedAt: now })
        .where(eq(users.id, userId))
        .returning();
      // Analytics results depend on the time zone and breakeven tolerance.
      if (row && (patch.timezone !== undefined || patch.breakevenTolerance !== undefined)) await userDataChanged(tx, userId);
      return row;
    },

    async updatePasswordHash(userId: string, passwordHash: string, now: Date, tx: Executor = db): Promise<void> {
      await tx.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, userId));
    },

    async setRoleByEmail(email: string, role: Role, now: Date, tx: Executor = db): Promise<UserRow | undefined> {
      const [row] = await tx
        .update(users)
        .set({ role, updatedAt: now })
        .where(sql`lower(${users.email}) = lower(${email})`)
        .returning();
      return row;
    },

    /** Serialises session bookkeeping of one user (the session cap) across concurrent logins. */
    async lockUser(userId: string, tx: Executor): Promise<void> {
      await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
    },

    /** For administrators: every user, newest first. */
    async listUsers(page: PageRequest, tx: Executor = db) {
      const rows = await tx
        .select({ id: users.id, email: users.email, role: users.role, createdAt: users.createdAt, cursorAt: cursorAt(users.createdAt) })
        .from(users)
        .where(before(users.createdAt, users.id, page.cursor))
        .orderBy(desc(users.createdAt), desc(users.id))
        .limit(page.limit + 1);
      return toPage(rows, page.limit);
    },

    async insertSession(session: NewSession, tx: Executor = db): Promise<SessionRow> {
      const [row] = await tx
        .insert(sessions)
        .values({
          userId: session.userId,
          ip: session.ip,
          userAgent: session.userAgent,
          createdAt: session.now,
          lastUsedAt: session.now,
          expiresAt: session.expiresAt,
        })
        .returning();
      return row!;
    },

    async insertRefreshToken(sessionId: string, tokenHash: string, now: Date, tx: Executor = db): Promise<void> {
      await tx.insert(refreshTokens).values({ sessionId, tokenHash, createdAt: now });
    },

    /** Marks an unused token used; undefined when it is unknown or was used already (atomic: one of two racing refreshes wins). */
    async consumeRefreshToken(tokenHash: string, now: Date, tx: Executor = db): Promise<{ sessionId: string } | undefined> {
      const [row] = await tx
        .update(refreshTokens)
        .set({ usedAt: now })
        .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.usedAt)))
        .returning({ sessionId: refreshTokens.sessionId });
      return row;
    },

    async findRefreshToken(tokenHash: string, tx: Executor = db): Promise<{ sessionId: string; usedAt: Date | null } | undefined> {
      const [row] = await tx
        .select({ sessionId: refreshTokens.sessionId, usedAt: refreshTokens.usedAt })
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, tokenHash))
        .limit(1);
      return row;
    },

    /** Found by the id a refresh token points at; the caller learns the owner from the row. */
    async findSessionById(sessionId: string, tx: Executor = db): Promise<SessionRow | undefined> {
      const [row] = await tx.select().from(sessions).where(eq(sessions.id, sessionId)).limit(1);
      return row;
    },

    async touchSession(userId: string, sessionId: string, now: Date, tx: Executor = db): Promise<void> {
      await tx
        .update(sessions)
        .set({ lastUsedAt: now })
        .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)));
    },

    /** True when an active session of this user was revoked now. */
    async revokeSession(userId: string, sessionId: string, reason: string, window: ActiveWindow, tx: Executor = db): Promise<boolean> {
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: window.now, revokedReason: reason })
        .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), activeSession(window)))
        .returning({ id: sessions.id });
      return rows.length > 0;
    },

    /** Revokes a session whatever its state (reuse of a refresh token); keeps the first revocation reason. */
    async revokeSessionFamily(userId: string, sessionId: string, reason: string, now: Date, tx: Executor = db): Promise<void> {
      await tx
        .update(sessions)
        .set({ revokedAt: now, revokedReason: reason })
        .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)));
    },

    /** Revokes every unrevoked session of the user, except one when given; returns how many. */
    async revokeAllSessions(userId: string, reason: string, now: Date, exceptSessionId: string | undefined, tx: Executor = db): Promise<number> {
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: now, revokedReason: reason })
        .where(
          and(
            eq(sessions.userId, userId),
            isNull(sessions.revokedAt),
            exceptSessionId ? sql`${sessions.id} <> ${exceptSessionId}::uuid` : undefined,
          ),
        )
        .returning({ id: sessions.id });
      return rows.length;
    },

    /**
     * Keeps the `keep` newest active sessions other than `newSessionId` and revokes the older
     * ones; returns the revoked ids. The new session is left out so that equal timestamps can
     * never make it its own victim.
     */
    async revokeSessionsBeyond(
      userId: string,
      newSessionId: string,
      keep: number,
      reason: string,
      window: ActiveWindow,
      tx: Executor = db,
    ): Promise<string[]> {
      const excess = tx
        .select({ id: sessions.id })
        .from(sessions)
        .where(and(eq(sessions.userId, userId), activeSession(window), sql`${sessions.id} <> ${newSessionId}::uuid`))
        .orderBy(desc(sessions.createdAt), desc(sessions.id))
        .offset(keep);
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: window.now, revokedReason: reason })
        .where(and(eq(sessions.userId, userId), inArray(sessions.id, excess)))
        .returning({ id: sessions.id });
      return rows.map((r) => r.id);
    },

    async listActiveSessions(userId: string, window: ActiveWindow, page: PageRequest, tx: Executor = db) {
      const rows = await tx
        .select({
          id: sessions.id,
          ip: sessions.ip,
          userAgent: sessions.userAgent,
          createdAt: sessions.createdAt,
          lastUsedAt: sessions.lastUsedAt,
          cursorAt: cursorAt(sessions.createdAt),
        })
        .from(sessions)
        .where(and(eq(sessions.userId, userId), activeSession(window), before(sessions.createdAt, sessions.id, page.cursor)))
        .orderBy(desc(sessions.createdAt), desc(sessions.id))
        .limit(page.limit + 1);
      return toPage(rows, page.limit);
    },

    async insertApiKey(
      key: { userId: string; name: string; prefix: string; keyHash: string; scope: 'read' | 'write'; now: Date },
      tx: Executor = db,
    ): Promise<ApiKeyRow> {
      const [row] = await tx
        .insert(apiKeys)
        .values({ userId: key.userId, name: key.name, prefix: key.prefix, keyHash: key.keyHash, scope: key.scope, createdAt: key.now })
        .returning();
      return row!;
    },

    async listApiKeys(userId: string, page: PageRequest, tx: Executor = db) {
      const rows = await tx
        .select({
          id: apiKeys.id,
          name: apiKeys.name,
          prefix: apiKeys.prefix,
          scope: apiKeys.scope,
          createdAt: apiKeys.createdAt,
          lastUsedAt: apiKeys.lastUsedAt,
          cursorAt: cursorAt(apiKeys.createdAt),
        })
        .from(apiKeys)
        .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt), before(apiKeys.createdAt, apiKeys.id, page.cursor)))
        .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
        .limit(page.limit + 1);
      return toPage(rows, page.limit);
    },

    async revokeApiKey(userId: string, apiKeyId: string, now: Date, tx: Executor = db): Promise<ApiKeyRow | undefined> {
      const [row] = await tx
        .update(apiKeys)
        .set({ revokedAt: now })
        .where(and(eq(apiKeys.id, apiKeyId), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
        .returning();
      return row;
    },

    /** An unrevoked key by the hash of its full text, with its owner's current role. */
    async findApiKeyByHash(keyHash: string, tx: Executor = db) {
      const [row] = await tx
        .select({ id: apiKeys.id, userId: apiKeys.userId, scope: apiKeys.scope, lastUsedAt: apiKeys.lastUsedAt, role: users.role })
        .from(apiKeys)
        .innerJoin(users, eq(users.id, apiKeys.userId))
        .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
        .limit(1);
      return row;
    },

    /** Records use at most once per `staleBefore` window, so busy scripts do not write on every request. */
    async touchApiKey(userId: string, apiKeyId: string, now: Date, staleBefore: Date, tx: Executor = db): Promise<void> {
      await tx
        .update(apiKeys)
        .set({ lastUsedAt: now })
        .where(
          and(
            eq(apiKeys.id, apiKeyId),
            eq(apiKeys.userId, userId),
            or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, staleBefore)),
          ),
        );
    },

    async insertSecurityEvent(
      event: { userId: string; type: string; ip: string | null; userAgent: string | null; details: Record<string, unknown>; now: Date },
      tx: Executor = db,
    ): Promise<void> {
      await tx.insert(securityEvents).values({
        userId: event.userId,
        type: event.type,
        ip: event.ip,
        userAgent: event.userAgent,
        details: event.details,
        createdAt: event.now,
      });
    },

    /**
     * Deletes security events created before `before`, `batchSize` rows per statement so no
     * statement holds locks over a large table for long. Returns how many went.
     */
    async deleteSecurityEventsBefore(before: Date, batchSize: number, tx: Executor = db): Promise<number> {
      let deleted = 0;
      for (;;) {
        const result = await tx.execute(sql`
          with gone as (
            delete from ${securityEvents}
            where ${securityEvents.id} in (select ${securityEvents.id} from ${securityEvents} where ${securityEvents.createdAt} < ${before.toISOString()}::timestamptz limit ${batchSize})
            returning 1
          )
          select count(*)::int as n from gone`);
        const n = Number((result as unknown as { rows: { n: number | string }[] }).rows[0]?.n ?? 0);
        deleted += n;
        if (n < batchSize) return deleted;
      }
    },

    async listSecurityEvents(userId: string, page: PageRequest, tx: Executor = db) {
      const rows = await tx
        .select({
          id: securityEvents.id,
          type: securityEvents.type,
          ip: securityEvents.ip,
          userAgent: securityEvents.userAgent,
          details: securityEvents.details,
          createdAt: securityEvents.createdAt,
          cursorAt: cursorAt(securityEvents.createdAt),
        })
        .from(securityEvents)
        .where(and(eq(securityEvents.userId, userId), before(securityEvents.createdAt, securityEvents.id, page.cursor)))
        .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
        .limit(page.limit + 1);
      return toPage(rows, page.limit);
    },
  };
}

export type AuthRepository = ReturnType<typeof createAuthRepository>;
