import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys } from '../../../src/db/schema/index.js';
import { sha256 } from '../../../src/modules/auth/auth.domain.js';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, expectEnvelope } from '../../helpers/app.js';
import type { Registered } from './auth-helpers.js';
import { bearer, register } from './auth-helpers.js';

let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({}, { clock });
});
afterAll(() => t.close());

async function createKey(u: Registered, name: string, scope: 'read' | 'write') {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: u.headers, payload: { name, scope } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; key: string; prefix: string; name: string; scope: string };
}

const keyRow = async (id: string) => (await t.database.db.select().from(apiKeys).where(eq(apiKeys.id, id)))[0]!;

describe('POST /auth/api-keys', () => {
  it('answers 201 with the key once, in the ts_<prefix>_<secret> format, storing only its SHA-256', async () => {
    const u = await register(t);
    const created = await createKey(u, 'nightly import', 'write');
    expect(created.key).toMatch(/^ts_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);
    expect(created).toMatchObject({ name: 'nightly import', scope: 'write', lastUsedAt: null });
    const row = await keyRow(created.id);
    expect(row.keyHash).toBe(sha256(created.key));
    expect(JSON.stringify(row)).not.toContain(created.key);
  });

  it('stores SQL-injection names verbatim', async () => {
    const u = await register(t);
    const name = "'); DROP TABLE api_keys;-- ' OR '1'='1";
    const created = await createKey(u, name, 'read');
    expect(created.name).toBe(name);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/auth/api-keys', headers: u.headers });
    expect(list.json().data[0].name).toBe(name);
  });

  it('answers 400 for a bad scope, an empty name or unknown fields, and creates nothing', async () => {
    const u = await register(t);
    for (const payload of [{ name: 'x', scope: 'admin' }, { name: '', scope: 'read' }, { name: 'x', scope: 'read', userId: u.id }]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: u.headers, payload });
      expect(res.statusCode).toBe(400);
      expectEnvelope(res.json(), 'validation_failed');
    }
    expect(await t.database.db.select().from(apiKeys).where(eq(apiKeys.userId, u.id))).toEqual([]);
  });

  it('answers 401 when anonymous', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', payload: { name: 'x', scope: 'read' } });
    expect(res.statusCode).toBe(401);
  });
});

describe('using an API key', () => {
  it('authenticates GET /auth/me as its owner, with a read key', async () => {
    const u = await register(t);
    const { key } = await createKey(u, 'reader', 'read');
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(key) });
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(u.id);
  });

  it('refuses writes with a read key: 403 insufficient_scope, nothing changed', async () => {
    const u = await register(t);
    const { key } = await createKey(u, 'reader', 'read');
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: bearer(key), payload: { displayName: 'changed' } });
    expect(res.statusCode).toBe(403);
    expectEnvelope(res.json(), 'insufficient_scope');
    const post = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(key) });
    expect(post.statusCode).toBe(403);
    expectEnvelope(post.json(), 'insufficient_scope');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: u.headers });
    expect(me.json().displayName).toBeNull();
  });

  it('lets a write key write', async () => {
    const u = await register(t);
    const { key } = await createKey(u, 'writer', 'write');
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: bearer(key), payload: { displayName: 'via key' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().displayName).toBe('via key');
  });

  it('cannot mint keys, list or revoke keys and sessions, change the password or log out: 403 session_required', async () => {
    const u = await register(t);
    const { key, id } = await createKey(u, 'writer', 'write');
    const h = bearer(key);
    const attempts = [
      { method: 'POST' as const, url: '/api/v1/auth/api-keys', payload: { name: 'minted', scope: 'write' } },
      { method: 'GET' as const, url: '/api/v1/auth/api-keys' },
      { method: 'DELETE' as const, url: `/api/v1/auth/api-keys/${id}` },
      { method: 'GET' as const, url: '/api/v1/auth/sessions' },
      { method: 'POST' as const, url: '/api/v1/auth/change-password', payload: { currentPassword: u.password, newPassword: 'Quiet-Meadow-Compass-77' } },
      { method: 'POST' as const, url: '/api/v1/auth/logout-all' },
      { method: 'POST' as const, url: '/api/v1/auth/logout' },
    ];
    for (const attempt of attempts) {
      const res = await t.app.inject({ ...attempt, headers: h });
      expect(res.statusCode, attempt.url).toBe(403);
      expectEnvelope(res.json(), 'session_required');
    }
    expect(await t.database.db.select().from(apiKeys).where(eq(apiKeys.userId, u.id))).toHaveLength(1);
    expect((await keyRow(id)).revokedAt).toBeNull();
  });

  it('answers 401 invalid_api_key for a revoked key and for a made-up one', async () => {
    const u = await register(t);
    const { key, id } = await createKey(u, 'temp', 'write');
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/api-keys/${id}`, headers: u.headers });
    expect(del.statusCode).toBe(204);
    for (const k of [key, `ts_abcdefgh_${'A'.repeat(43)}`, 'ts_garbage']) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(k) });
      expect(res.statusCode).toBe(401);
      expectEnvelope(res.json(), 'invalid_api_key');
    }
  });

  it('updates last_used_at at most once a minute', async () => {
    const u = await register(t);
    const { key, id } = await createKey(u, 'busy', 'read');
    offsetMs = 0;
    try {
      await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(key) });
      const first = (await keyRow(id)).lastUsedAt;
      expect(first).not.toBeNull();
      offsetMs = 30_000;
      await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(key) });
      expect((await keyRow(id)).lastUsedAt).toEqual(first);
      offsetMs = 61_000;
      await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(key) });
      expect((await keyRow(id)).lastUsedAt!.getTime()).toBeGreaterThan(first!.getTime() + 60_000);
    } finally {
      offsetMs = 0;
    }
  });
});

describe('GET /auth/api-keys and DELETE /auth/api-keys/:id', () => {
  it('lists the caller’s active keys newest first, never with the secret', async () => {
    const u = await register(t);
    const a = await createKey(u, 'first', 'read');
    const b = await createKey(u, 'second', 'write');
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/api-keys', headers: u.headers });
    expect(res.statusCode).toBe(200);
    const { data } = res.json();
    expect(data.map((k: { id: string }) => k.id)).toEqual([b.id, a.id]);
    expect(res.body).not.toContain(a.key);
    expect(res.body).not.toContain(b.key.slice(12));
    expect(Object.keys(data[0]).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'prefix', 'scope']);
  });

  it('answers 404 api_key_not_found for another user’s key and leaves it working', async () => {
    const a = await register(t);
    const b = await register(t);
    const bKey = await createKey(b, 'mine', 'read');
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/api-keys/${bKey.id}`, headers: a.headers });
    expect(del.statusCode).toBe(404);
    expectEnvelope(del.json(), 'api_key_not_found');
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/auth/api-keys', headers: a.headers });
    expect(list.json().data).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(bKey.key) })).statusCode).toBe(200);
  });

  it('revoking removes the key from the list; revoking it again answers 404', async () => {
    const u = await register(t);
    const k = await createKey(u, 'gone', 'read');
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/api-keys/${k.id}`, headers: u.headers })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/api-keys', headers: u.headers })).json().data).toEqual([]);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/api-keys/${k.id}`, headers: u.headers })).statusCode).toBe(404);
  });

  it('answers 401 when anonymous', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/api-keys' })).statusCode).toBe(401);
  });
});
