import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityEvents, users } from '../../../src/db/schema/index.js';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, expectEnvelope } from '../../helpers/app.js';
import { PASSWORD, bearer, login, newEmail, register } from './auth-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const post = (url: string, payload: unknown, extra: Record<string, unknown> = {}) => t.app.inject({ method: 'POST', url: `/api/v1/auth${url}`, payload: payload as object, ...extra });

async function countUsersWithEmail(email: string) {
  const rows = await t.database.db.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = lower(${email})`);
  return rows.length;
}

describe('POST /auth/register', () => {
  it('creates a user with defaults and answers 201 with tokens and the public user', async () => {
    const email = newEmail('mixed-case');
    const res = await post('/register', { email: email.toUpperCase(), password: PASSWORD, displayName: 'Jane' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.user).toMatchObject({ email: email.toLowerCase(), displayName: 'Jane', timezone: 'UTC', baseCurrency: 'USD', breakevenTolerance: '0', role: 'user' });
    expect(Object.keys(body.user).sort()).toEqual(['baseCurrency', 'breakevenTolerance', 'createdAt', 'displayName', 'email', 'id', 'role', 'timezone']);
    expect(body.tokenType).toBe('Bearer');
    expect(body.expiresIn).toBe(t.config.auth.accessTokenTtlSeconds);
    expect(Buffer.from(body.refreshToken, 'base64url').length).toBeGreaterThanOrEqual(32);
    const idleMs = t.config.auth.refreshIdleDays * 86_400_000;
    expect(Math.abs(new Date(body.refreshTokenExpiresAt).getTime() - (Date.now() + idleMs))).toBeLessThan(60_000);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(body.accessToken) });
    expect(me.json()).toEqual(body.user);
  });

  it('stores an argon2id hash with the OWASP parameters, never the password', async () => {
    const u = await register(t);
    const [row] = await t.database.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, u.id));
    expect(row!.hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(row!.hash).not.toContain(PASSWORD);
  });

  it('accepts timezone and currency and stores their canonical forms', async () => {
    const res = await post('/register', { email: newEmail(), password: PASSWORD, timezone: 'europe/berlin', baseCurrency: 'eur' });
    expect(res.statusCode).toBe(201);
    expect(res.json().user).toMatchObject({ timezone: 'Europe/Berlin', baseCurrency: 'EUR' });
  });

  it('answers 409 email_taken for an email already registered in another case, and creates nothing', async () => {
    const u = await register(t);
    const res = await post('/register', { email: u.email.toUpperCase(), password: PASSWORD });
    expect(res.statusCode).toBe(409);
    expectEnvelope(res.json(), 'email_taken');
    expect(await countUsersWithEmail(u.email)).toBe(1);
  });

  it('never grants admin, even when asked for a role', async () => {
    const email = newEmail();
    const res = await post('/register', { email, password: PASSWORD, role: 'admin' });
    expect(res.statusCode).toBe(400);
    expect(await countUsersWithEmail(email)).toBe(0);
    const ok = await register(t);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: ok.headers });
    expect(me.json().role).toBe('user');
  });

  it.each([
    ['too_short', () => 'Sh0rt-pw!'],
    ['too_long', () => 'Lq9#'.repeat(33)],
    ['common_password', () => 'password123'],
    ['common_password', () => 'Football2024!'],
    ['contains_email', (email: string) => `${email.split('@')[0]}!X`],
    ['contains_email', (email: string) => email.toUpperCase()],
  ])('rejects a password breaking %s with 400 weak_password naming the rule, and creates nothing', async (rule, make) => {
    const email = newEmail();
    const res = await post('/register', { email, password: make(email) });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expectEnvelope(body, 'weak_password');
    expect(body.details.rule).toBe(rule);
    expect(await countUsersWithEmail(email)).toBe(0);
  });

  it.each([
    ['invalid email', { email: 'not-an-email', password: PASSWORD }, 'invalid_email'],
    ['unknown timezone', { email: newEmail(), password: PASSWORD, timezone: 'Mars/Base' }, 'invalid_timezone'],
    ['unknown currency', { email: newEmail(), password: PASSWORD, baseCurrency: 'ZZZ' }, 'invalid_currency'],
  ])('answers 400 for an %s', async (_name, payload, code) => {
    const res = await post('/register', payload);
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), code);
  });

  it('answers 400 with field details for unknown and missing fields', async () => {
    const res = await post('/register', { email: newEmail(), password: PASSWORD, isAdmin: true, extra: 1 });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expectEnvelope(body, 'validation_failed');
    const fields = body.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['isAdmin', 'extra']));
    const missing = await post('/register', { email: newEmail() });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details.fields.map((f: { field: string }) => f.field)).toContain('password');
  });

  it('answers 400 envelope for malformed JSON', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', headers: { 'content-type': 'application/json' }, payload: '{"email": "a@b.test", "password": ' });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json());
  });

  it('answers 413 envelope for a body over 1 MB, creating nothing', async () => {
    const email = newEmail();
    const payload = JSON.stringify({ email, password: PASSWORD, displayName: 'x'.repeat(1_100_000) });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', headers: { 'content-type': 'application/json' }, payload });
    expect(res.statusCode).toBe(413);
    expectEnvelope(res.json());
    expect(await countUsersWithEmail(email)).toBe(0);
  });

  it('stores SQL-injection strings verbatim in the email local part and display name; the tables survive', async () => {
    const local = `x'or'1'='1--${Date.now()}`;
    const email = `${local}@example.test`;
    const displayName = "'); DROP TABLE users;--";
    const res = await post('/register', { email, password: PASSWORD, displayName });
    expect(res.statusCode).toBe(201);
    expect(res.json().user).toMatchObject({ email, displayName });
    const again = await login(t, email, PASSWORD);
    expect(again.statusCode).toBe(200);
    expect(again.json().user).toMatchObject({ email, displayName });
    // Its own per run: failed logins of one email are counted (in Redis, across runs) and locked out.
    const other = await login(t, `' OR '1'='1' --${Date.now()}`, "' OR '1'='1");
    expect(other.statusCode).toBe(401);
    const tables = await t.database.db.execute(sql`select to_regclass('public.users') as users, to_regclass('public.sessions') as sessions`);
    expect((tables as unknown as { rows: Record<string, unknown>[] }).rows[0]).toEqual({ users: 'users', sessions: 'sessions' });
  });
});

describe('POST /auth/login', () => {
  it('signs in with any case of the email and answers the user and tokens', async () => {
    const u = await register(t);
    const res = await login(t, u.email.toUpperCase(), u.password);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user.id).toBe(u.id);
    expect(body.refreshToken).not.toBe(u.refreshToken);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(body.accessToken) });
    expect(me.statusCode).toBe(200);
  });

  it('answers the same 401 invalid_credentials for an unknown email and for a wrong password', async () => {
    const u = await register(t);
    const wrong = await login(t, u.email, 'Not-The-Password-99');
    const unknown = await login(t, newEmail(), 'Not-The-Password-99');
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expectEnvelope(res.json(), 'invalid_credentials');
    }
    const strip = (b: Record<string, unknown>) => ({ ...b, timestamp: undefined, request_id: undefined });
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
  });

  it('records login_failed for an existing email and login_succeeded after a good password', async () => {
    const u = await register(t);
    await login(t, u.email, 'Not-The-Password-99', '198.51.100.7');
    await login(t, u.email, u.password, '198.51.100.7');
    const rows = await t.database.db.select().from(securityEvents).where(eq(securityEvents.userId, u.id));
    const types = rows.map((r) => r.type);
    expect(types.filter((x) => x === 'login_failed')).toHaveLength(1);
    expect(types.filter((x) => x === 'login_succeeded')).toHaveLength(1);
    expect(rows.find((r) => r.type === 'login_failed')!.ip).toBe('198.51.100.7');
  });

  it('answers 400 for unknown fields', async () => {
    const res = await post('/login', { email: newEmail(), password: PASSWORD, remember: true });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.fields.map((f: { field: string }) => f.field)).toContain('remember');
  });
});

describe('login throttling', () => {
  it('answers 429 with Retry-After after 5 failures, refuses even the right password, and leaves other IPs alone', async () => {
    const u = await register(t);
    const ip = '203.0.113.10';
    for (let i = 0; i < t.config.auth.loginMaxFailures; i++) {
      const res = await login(t, u.email, `Wrong-Password-${i}-xyz`, ip);
      expect(res.statusCode).toBe(401);
    }
    const blocked = await login(t, u.email, u.password, ip);
    expect(blocked.statusCode).toBe(429);
    expectEnvelope(blocked.json(), 'too_many_login_attempts');
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(t.config.auth.loginWindowSeconds);

    const otherIp = await login(t, u.email, u.password, '203.0.113.11');
    expect(otherIp.statusCode).toBe(200);
  });

  it('throttles unknown emails the same way, so the limit does not reveal which accounts exist', async () => {
    const email = newEmail();
    const ip = '203.0.113.12';
    for (let i = 0; i < t.config.auth.loginMaxFailures; i++) expect((await login(t, email, `Wrong-Password-${i}-xyz`, ip)).statusCode).toBe(401);
    expect((await login(t, email, 'Wrong-Password-x-xyz', ip)).statusCode).toBe(429);
  });

  it('clears the count after a successful login', async () => {
    const u = await register(t);
    const ip = '203.0.113.13';
    for (let i = 0; i < t.config.auth.loginMaxFailures - 1; i++) await login(t, u.email, `Wrong-Password-${i}-xyz`, ip);
    expect((await login(t, u.email, u.password, ip)).statusCode).toBe(200);
    for (let i = 0; i < t.config.auth.loginMaxFailures - 1; i++) expect((await login(t, u.email, `Wrong-Password-${i}-xyz`, ip)).statusCode).toBe(401);
    expect((await login(t, u.email, u.password, ip)).statusCode).toBe(200);
  });
});
