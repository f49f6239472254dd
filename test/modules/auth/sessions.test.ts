import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from '../../../src/db/schema/index.js';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, expectEnvelope } from '../../helpers/app.js';
import { PASSWORD, bearer, login, refresh, register } from './auth-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const listSessions = (headers: Record<string, string>, query = '') => t.app.inject({ method: 'GET', url: `/api/v1/auth/sessions${query}`, headers });
const activeSessionIds = async (userId: string) =>
  (await t.database.db.select({ id: sessions.id }).from(sessions).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))).map((r) => r.id);

describe('GET /auth/sessions', () => {
  it('lists active sessions with ip and user agent and marks the current one', async () => {
    const u = await register(t, { remoteAddress: '192.0.2.1', userAgent: 'Browser/1.0' });
    const second = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: u.email, password: u.password }, remoteAddress: '192.0.2.2', headers: { 'user-agent': 'Script/2.0' } })).json();
    const res = await listSessions(bearer(second.accessToken));
    expect(res.statusCode).toBe(200);
    const { data, page } = res.json();
    expect(page).toEqual({ nextCursor: null, limit: 50 });
    expect(data).toHaveLength(2);
    expect(data[0]).toMatchObject({ ip: '192.0.2.2', userAgent: 'Script/2.0', current: true });
    expect(data[1]).toMatchObject({ ip: '192.0.2.1', userAgent: 'Browser/1.0', current: false });
    expect(Object.keys(data[0]).sort()).toEqual(['createdAt', 'current', 'id', 'ip', 'lastUsedAt', 'userAgent']);
  });

  it('pages with a cursor without repeating or skipping sessions', async () => {
    const u = await register(t);
    for (let i = 0; i < 2; i++) await login(t, u.email, u.password);
    const first = (await listSessions(u.headers, '?limit=2')).json();
    expect(first.data).toHaveLength(2);
    expect(first.page.nextCursor).toEqual(expect.any(String));
    const second = (await listSessions(u.headers, `?limit=2&cursor=${first.page.nextCursor}`)).json();
    expect(second.data).toHaveLength(1);
    expect(second.page.nextCursor).toBeNull();
    const ids = [...first.data, ...second.data].map((s: { id: string }) => s.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids.sort()).toEqual((await activeSessionIds(u.id)).sort());
  });

  it('answers 400 invalid_cursor for a forged cursor and 401 when anonymous', async () => {
    const u = await register(t);
    const bad = await listSessions(u.headers, '?cursor=garbage');
    expect(bad.statusCode).toBe(400);
    expectEnvelope(bad.json(), 'invalid_cursor');
    const anon = await t.app.inject({ method: 'GET', url: '/api/v1/auth/sessions' });
    expect(anon.statusCode).toBe(401);
  });

  it('shows only the caller’s sessions', async () => {
    const a = await register(t);
    const b = await register(t);
    const ids = (await listSessions(a.headers)).json().data.map((s: { id: string }) => s.id);
    const bIds = await activeSessionIds(b.id);
    expect(ids.some((id: string) => bIds.includes(id))).toBe(false);
  });
});

describe('DELETE /auth/sessions/:id', () => {
  it('revokes one session: its refresh token stops working and the others keep working', async () => {
    const u = await register(t);
    const other = (await login(t, u.email, u.password)).json();
    const otherId = (await listSessions(u.headers)).json().data.find((s: { current: boolean }) => !s.current).id;
    const res = await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${otherId}`, headers: u.headers });
    expect(res.statusCode).toBe(204);
    expect((await refresh(t, other.refreshToken)).statusCode).toBe(401);
    expect((await refresh(t, u.refreshToken)).statusCode).toBe(200);
    const again = await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${otherId}`, headers: u.headers });
    expect(again.statusCode).toBe(404);
  });

  it('answers 404 session_not_found for another user’s session and leaves it active', async () => {
    const a = await register(t);
    const b = await register(t);
    const [bSession] = await activeSessionIds(b.id);
    const res = await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${bSession}`, headers: a.headers });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'session_not_found');
    expect(await activeSessionIds(b.id)).toEqual([bSession]);
    expect((await refresh(t, b.refreshToken)).statusCode).toBe(200);
  });

  it('answers 400 for an id that is not a uuid and 401 when anonymous', async () => {
    const u = await register(t);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/auth/sessions/not-a-uuid', headers: u.headers })).statusCode).toBe(400);
    const [id] = await activeSessionIds(u.id);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${id}` })).statusCode).toBe(401);
    expect(await activeSessionIds(u.id)).toEqual([id]);
  });
});

describe('session limit', () => {
  it('keeps at most maxSessionsPerUser: the 21st login revokes the oldest session', async () => {
    const u = await register(t);
    const max = t.config.auth.maxSessionsPerUser;
    const logins = [];
    for (let i = 1; i < max; i++) logins.push((await login(t, u.email, u.password)).json());
    expect(await activeSessionIds(u.id)).toHaveLength(max);
    const newest = await login(t, u.email, u.password);
    expect(newest.statusCode).toBe(200);
    expect(await activeSessionIds(u.id)).toHaveLength(max);
    const oldest = await refresh(t, u.refreshToken);
    expect(oldest.statusCode).toBe(401);
    expectEnvelope(oldest.json(), 'session_revoked');
    expect((await refresh(t, logins[0].refreshToken)).statusCode).toBe(200);
    expect((await refresh(t, newest.json().refreshToken)).statusCode).toBe(200);
  });
});

describe('POST /auth/logout and /auth/logout-all', () => {
  it('logout ends only the current session and is safe to repeat', async () => {
    const u = await register(t);
    const other = (await login(t, u.email, u.password)).json();
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: u.headers })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: u.headers })).statusCode).toBe(204);
    expect((await refresh(t, u.refreshToken)).statusCode).toBe(401);
    expect((await refresh(t, other.refreshToken)).statusCode).toBe(200);
  });

  it('access tokens stay valid until they expire after logout (documented behaviour)', async () => {
    const u = await register(t);
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: u.headers });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: u.headers })).statusCode).toBe(200);
  });

  it('logout-all ends every session of the user and no other user’s', async () => {
    const u = await register(t);
    const other = (await login(t, u.email, u.password)).json();
    const bystander = await register(t);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout-all', headers: u.headers });
    expect(res.statusCode).toBe(204);
    expect(await activeSessionIds(u.id)).toEqual([]);
    expect((await refresh(t, u.refreshToken)).statusCode).toBe(401);
    expect((await refresh(t, other.refreshToken)).statusCode).toBe(401);
    expect((await refresh(t, bystander.refreshToken)).statusCode).toBe(200);
  });

  it('answer 401 when anonymous', async () => {
    for (const url of ['/api/v1/auth/logout', '/api/v1/auth/logout-all']) {
      const res = await t.app.inject({ method: 'POST', url });
      expect(res.statusCode).toBe(401);
      expectEnvelope(res.json(), 'unauthenticated');
    }
  });
});

describe('POST /auth/change-password', () => {
  const change = (headers: Record<string, string>, payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/auth/change-password', headers, payload });

  it('changes the password, keeps the current session, and ends the others', async () => {
    const u = await register(t);
    const other = (await login(t, u.email, u.password)).json();
    const res = await change(u.headers, { currentPassword: u.password, newPassword: 'Quiet-Meadow-Compass-77' });
    expect(res.statusCode).toBe(204);
    expect((await refresh(t, other.refreshToken)).statusCode).toBe(401);
    expect((await refresh(t, u.refreshToken)).statusCode).toBe(200);
    expect((await login(t, u.email, u.password)).statusCode).toBe(401);
    expect((await login(t, u.email, 'Quiet-Meadow-Compass-77')).statusCode).toBe(200);
  });

  it('answers 400 invalid_current_password for a wrong current password and changes nothing', async () => {
    const u = await register(t);
    const other = (await login(t, u.email, u.password)).json();
    const res = await change(u.headers, { currentPassword: 'Not-My-Password-11', newPassword: 'Quiet-Meadow-Compass-77' });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'invalid_current_password');
    expect((await login(t, u.email, u.password)).statusCode).toBe(200);
    expect((await refresh(t, other.refreshToken)).statusCode).toBe(200);
  });

  it('applies the password policy to the new password and refuses the same password', async () => {
    const u = await register(t);
    for (const [newPassword, rule] of [
      ['short', 'too_short'],
      ['password123', 'common_password'],
      [PASSWORD, 'same_as_current'],
    ] as const) {
      const res = await change(u.headers, { currentPassword: u.password, newPassword });
      expect(res.statusCode).toBe(400);
      expectEnvelope(res.json(), 'weak_password');
      expect(res.json().details.rule).toBe(rule);
    }
    expect((await login(t, u.email, u.password)).statusCode).toBe(200);
  });

  it('answers 400 for unknown fields and 401 when anonymous', async () => {
    const u = await register(t);
    const res = await change(u.headers, { currentPassword: u.password, newPassword: 'Quiet-Meadow-Compass-77', confirm: 'x' });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.fields.map((f: { field: string }) => f.field)).toContain('confirm');
    expect((await change({}, { currentPassword: u.password, newPassword: 'Quiet-Meadow-Compass-77' })).statusCode).toBe(401);
    expect((await login(t, u.email, u.password)).statusCode).toBe(200);
  });
});
