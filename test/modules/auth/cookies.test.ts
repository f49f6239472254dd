import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, expectEnvelope } from '../../helpers/app.js';
import { PASSWORD, bearer, newEmail, refresh } from './auth-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ CORS_ORIGINS: 'https://app.example.com' });
});
afterAll(() => t.close());

interface Jar {
  refresh: string;
  csrf: string;
}

function cookiesOf(res: LightMyRequestResponse) {
  return Object.fromEntries(res.cookies.map((c) => [c.name, c]));
}

function jarOf(res: LightMyRequestResponse): Jar {
  const c = cookiesOf(res);
  expect(c.ts_refresh?.value).toEqual(expect.any(String));
  return { refresh: c.ts_refresh!.value, csrf: c.ts_csrf!.value };
}

async function signUpWithCookie() {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    headers: { 'x-token-transport': 'cookie' },
    payload: { email: newEmail('cookie'), password: PASSWORD },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { res, jar: jarOf(res) };
}

const refreshWithCookie = (jar: Jar, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/refresh',
    headers: { 'x-csrf-token': jar.csrf, origin: 'http://localhost:80', ...headers },
    cookies: { ts_refresh: jar.refresh, ts_csrf: jar.csrf },
    payload: {},
  });

describe('refresh token as an httpOnly cookie', () => {
  it('sets an httpOnly Secure SameSite=Strict cookie on /api/v1/auth and keeps the token out of the body', async () => {
    const { res } = await signUpWithCookie();
    const body = res.json();
    expect(body.accessToken).toEqual(expect.any(String));
    expect(body).not.toHaveProperty('refreshToken');
    const c = cookiesOf(res);
    expect(c.ts_refresh).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/api/v1/auth' });
    expect(c.ts_refresh!.expires).toBeInstanceOf(Date);
    expect(c.ts_csrf).toMatchObject({ secure: true, sameSite: 'Strict', path: '/' });
    expect(c.ts_csrf!.httpOnly).toBeUndefined();
  });

  it('login in cookie mode does the same; without the header the body carries the token as before', async () => {
    const email = newEmail('cookie');
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: PASSWORD } });
    const plain = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD } });
    expect(plain.json().refreshToken).toEqual(expect.any(String));
    expect(plain.cookies).toHaveLength(0);
    const cookie = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'x-token-transport': 'cookie' }, payload: { email, password: PASSWORD } });
    expect(cookie.statusCode).toBe(200);
    expect(cookie.json()).not.toHaveProperty('refreshToken');
    jarOf(cookie);
  });

  it('refreshes from the cookie with the CSRF header, rotating both cookies', async () => {
    const { jar } = await signUpWithCookie();
    const res = await refreshWithCookie(jar);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).not.toHaveProperty('refreshToken');
    const next = jarOf(res);
    expect(next.refresh).not.toBe(jar.refresh);
    expect(next.csrf).not.toBe(jar.csrf);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(res.json().accessToken) });
    expect(me.statusCode).toBe(200);
    // The old cookie is spent: showing it again is reuse, and the answer drops the cookies.
    const reused = await refreshWithCookie(jar);
    expect(reused.statusCode).toBe(401);
    expectEnvelope(reused.json(), 'refresh_token_reused');
    expect(cookiesOf(reused).ts_refresh?.value).toBe('');
  });

  it('refuses the cookie without the CSRF header, with a wrong one, or from another site', async () => {
    const { jar } = await signUpWithCookie();
    const missing = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', cookies: { ts_refresh: jar.refresh }, payload: {} });
    expect(missing.statusCode).toBe(403);
    expectEnvelope(missing.json(), 'csrf_failed');
    const wrong = await refreshWithCookie(jar, { 'x-csrf-token': 'a'.repeat(43) });
    expectEnvelope(wrong.json(), 'csrf_failed');
    // A planted csrf cookie does not help: the value must derive from the refresh token.
    const planted = await refreshWithCookie({ refresh: jar.refresh, csrf: 'planted' });
    expectEnvelope(planted.json(), 'csrf_failed');
    const foreign = await refreshWithCookie(jar, { origin: 'https://evil.example' });
    expect(foreign.statusCode).toBe(403);
    expectEnvelope(foreign.json(), 'csrf_failed');
    const crossSite = await refreshWithCookie(jar, { 'sec-fetch-site': 'cross-site' });
    expectEnvelope(crossSite.json(), 'csrf_failed');
    // The session survived the refused attempts.
    const trusted = await refreshWithCookie(jar, { origin: 'https://app.example.com' });
    expect(trusted.statusCode, trusted.body).toBe(200);
  });

  it('answers 400 refresh_token_required with neither a body token nor a cookie', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: {} });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'refresh_token_required');
  });
});

describe('logout with the cookie', () => {
  it('ends the session of the refresh cookie without an access token and clears the cookies', async () => {
    const { jar } = await signUpWithCookie();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { 'x-csrf-token': jar.csrf },
      cookies: { ts_refresh: jar.refresh },
    });
    expect(res.statusCode, res.body).toBe(204);
    const c = cookiesOf(res);
    expect(c.ts_refresh?.value).toBe('');
    expect(c.ts_csrf?.value).toBe('');
    const after = await refreshWithCookie(jar);
    expect(after.statusCode).toBe(401);
  });

  it('accepts the refresh token in the body, and refuses a cookie without CSRF', async () => {
    const email = newEmail('cookie');
    const reg = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: PASSWORD } })).json();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', payload: { refreshToken: reg.refreshToken } });
    expect(res.statusCode).toBe(204);
    expectEnvelope((await refresh(t, reg.refreshToken)).json(), 'session_revoked');

    const { jar } = await signUpWithCookie();
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { ts_refresh: jar.refresh } });
    expect(noCsrf.statusCode).toBe(403);
    expectEnvelope(noCsrf.json(), 'csrf_failed');
  });

  it('with an access token ends its session and clears the cookies; anonymous is 401', async () => {
    const { res: signup, jar } = await signUpWithCookie();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(signup.json().accessToken) });
    expect(res.statusCode).toBe(204);
    expect(cookiesOf(res).ts_refresh?.value).toBe('');
    expect((await refreshWithCookie(jar)).statusCode).toBe(401);
    const anon = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout' });
    expect(anon.statusCode).toBe(401);
    expectEnvelope(anon.json(), 'unauthenticated');
    const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', payload: { refreshToken: 'nope' } });
    expectEnvelope(unknown.json(), 'invalid_refresh_token');
  });
});
