import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, expectEnvelope } from '../../helpers/app.js';
import { login, refresh, register } from './auth-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const listEvents = (headers: Record<string, string>, query = '') => t.app.inject({ method: 'GET', url: `/api/v1/auth/events${query}`, headers });

describe('GET /auth/events', () => {
  it('lists the owner’s security events newest first with ip and user agent', async () => {
    const u = await register(t, { remoteAddress: '192.0.2.50', userAgent: 'Events/1.0' });
    await login(t, u.email, 'Wrong-Password-1-xyz', '192.0.2.51');
    await refresh(t, u.refreshToken);
    await refresh(t, u.refreshToken);
    const key = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: u.headers, payload: { name: 'k', scope: 'read' } });
    await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/api-keys/${key.json().id}`, headers: u.headers });
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/change-password', headers: u.headers, payload: { currentPassword: u.password, newPassword: 'Quiet-Meadow-Compass-77' } });
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout-all', headers: u.headers });

    const res = await listEvents(u.headers);
    expect(res.statusCode).toBe(200);
    const { data } = res.json();
    const types = data.map((e: { type: string }) => e.type);
    expect(types).toEqual(['logout_all', 'password_changed', 'api_key_revoked', 'api_key_created', 'refresh_token_reuse', 'login_failed', 'user_registered']);
    expect(data.find((e: { type: string }) => e.type === 'login_failed')).toMatchObject({ ip: '192.0.2.51' });
    expect(data.find((e: { type: string }) => e.type === 'user_registered')).toMatchObject({ ip: '192.0.2.50', userAgent: 'Events/1.0' });
    const times = data.map((e: { createdAt: string }) => e.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('records nothing user-visible for a failed login with an unknown email', async () => {
    const u = await register(t);
    await login(t, `x${u.email}`, 'Wrong-Password-1-xyz');
    const types = (await listEvents(u.headers)).json().data.map((e: { type: string }) => e.type);
    expect(types).toEqual(['user_registered']);
  });

  it('shows events only to their owner', async () => {
    const a = await register(t);
    const b = await register(t);
    await login(t, b.email, 'Wrong-Password-1-xyz');
    const aEvents = (await listEvents(a.headers)).json().data;
    const bEvents = (await listEvents(b.headers)).json().data;
    const aIds = new Set(aEvents.map((e: { id: string }) => e.id));
    expect(bEvents.some((e: { id: string }) => aIds.has(e.id))).toBe(false);
    expect(aEvents.map((e: { type: string }) => e.type)).toEqual(['user_registered']);
    expect(bEvents.map((e: { type: string }) => e.type)).toEqual(['login_failed', 'user_registered']);
  });

  it('pages with a cursor', async () => {
    const u = await register(t);
    await login(t, u.email, 'Wrong-Password-1-xyz');
    await login(t, u.email, 'Wrong-Password-2-xyz');
    const first = (await listEvents(u.headers, '?limit=2')).json();
    expect(first.data).toHaveLength(2);
    const second = (await listEvents(u.headers, `?limit=2&cursor=${first.page.nextCursor}`)).json();
    expect(second.data.map((e: { type: string }) => e.type)).toEqual(['user_registered']);
    expect(second.page.nextCursor).toBeNull();
  });

  it('answers 401 when anonymous and 400 for an unknown query parameter', async () => {
    expect((await listEvents({})).statusCode).toBe(401);
    const u = await register(t);
    const res = await listEvents(u.headers, '?userId=someone');
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'validation_failed');
  });
});
