import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tags, users } from '../../../src/db/schema/index.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from '../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

async function createTag(user: TestUser, body: Record<string, unknown>) {
  const res = await call(t, user, { method: 'POST', url: '/api/v1/tags', payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

const storedTags = (userId: string) => t.database.db.select().from(tags).where(eq(tags.userId, userId));
const dataGeneration = async (userId: string) => (await t.database.db.select({ g: users.dataGeneration }).from(users).where(eq(users.id, userId)))[0]!.g;

describe('POST /api/v1/tags', () => {
  it('creates a tag with kind custom by default and answers 201 with a zero usage count', async () => {
    const user = await createUser(t);
    const res = await call(t, user, { method: 'POST', url: '/api/v1/tags', payload: { name: 'Breakout' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'Breakout', kind: 'custom', color: null, usageCount: 0 });
    expect(res.json().id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await storedTags(user.id)).toHaveLength(1);
  });

  it('stores kind and a lower-cased colour, and trims the name', async () => {
    const user = await createUser(t);
    const tag = await createTag(user, { name: '  FOMO ', kind: 'mistake', color: '#FFAA00' });
    expect(tag).toMatchObject({ name: 'FOMO', kind: 'mistake', color: '#ffaa00' });
  });

  it('answers 409 tag_exists for a name that differs only in case, and stores nothing', async () => {
    const user = await createUser(t);
    await createTag(user, { name: 'Breakout' });
    const res = await call(t, user, { method: 'POST', url: '/api/v1/tags', payload: { name: 'BREAKOUT' } });
    expect(res.statusCode).toBe(409);
    expectEnvelope(res.json(), 'tag_exists');
    expect(await storedTags(user.id)).toHaveLength(1);
  });

  it('lets two users own tags with the same name', async () => {
    const [a, b] = [await createUser(t), await createUser(t)];
    await createTag(a, { name: 'Gap fill' });
    const tag = await createTag(b, { name: 'Gap fill' });
    expect(tag.name).toBe('Gap fill');
  });

  it.each([
    ['a bad colour', { name: 'x', color: 'red' }],
    ['a colour without #', { name: 'x', color: 'ff0000' }],
    ['an empty colour', { name: 'x', color: '' }],
    ['an unknown kind', { name: 'x', kind: 'other' }],
    ['an empty name', { name: '' }],
    ['a blank name', { name: '   ' }],
    ['a name over 64 characters', { name: 'x'.repeat(65) }],
    ['an unknown field', { name: 'x', userId: '00000000-0000-0000-0000-000000000000' }],
    ['no name', { kind: 'setup' }],
  ])('rejects %s with the 400 envelope and stores nothing', async (_label, payload) => {
    const user = await createUser(t);
    const res = await call(t, user, { method: 'POST', url: '/api/v1/tags', payload });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'validation_failed');
    expect(await storedTags(user.id)).toHaveLength(0);
  });

  it('stores SQL-looking names verbatim', async () => {
    const user = await createUser(t);
    const name = "x'); drop table tags; --";
    const tag = await createTag(user, { name });
    expect(tag.name).toBe(name);
    const get = await call(t, user, { method: 'GET', url: `/api/v1/tags/${tag.id}` });
    expect(get.json().name).toBe(name);
  });

  it('answers 401 without credentials', async () => {
    const res = await call(t, null, { method: 'POST', url: '/api/v1/tags', payload: { name: 'x' } });
    expect(res.statusCode).toBe(401);
    expectEnvelope(res.json(), 'unauthenticated');
  });
});

describe('GET /api/v1/tags', () => {
  it("lists only the user's own tags, ordered by name case-insensitively", async () => {
    const [user, other] = [await createUser(t), await createUser(t)];
    await createTag(user, { name: 'beta' });
    await createTag(user, { name: 'Alpha' });
    await createTag(user, { name: 'gamma' });
    await createTag(other, { name: 'Aardvark' });
    const res = await call(t, user, { method: 'GET', url: '/api/v1/tags' });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.map((x: { name: string }) => x.name)).toEqual(['Alpha', 'beta', 'gamma']);
    expect(res.json().page).toEqual({ nextCursor: null, limit: 50 });
  });

  it('filters by kind', async () => {
    const user = await createUser(t);
    await createTag(user, { name: 'FOMO', kind: 'mistake' });
    await createTag(user, { name: 'Breakout', kind: 'setup' });
    await createTag(user, { name: 'Late entry', kind: 'mistake' });
    const res = await call(t, user, { method: 'GET', url: '/api/v1/tags?kind=mistake' });
    expect(res.json().data.map((x: { name: string }) => x.name)).toEqual(['FOMO', 'Late entry']);
  });

  it('pages with an opaque cursor and visits every tag once', async () => {
    const user = await createUser(t);
    const names = ['a', 'B', 'c', 'D', 'e'];
    for (const name of names) await createTag(user, { name });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/tags?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await call(t, user, { method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.json().data.length).toBeLessThanOrEqual(2);
      seen.push(...res.json().data.map((x: { name: string }) => x.name));
      cursor = res.json().page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(names);
  });

  it('answers 400 for a bad kind, limit or cursor', async () => {
    const user = await createUser(t);
    for (const url of ['/api/v1/tags?kind=nope', '/api/v1/tags?limit=501', '/api/v1/tags?cursor=not-a-cursor']) {
      const res = await call(t, user, { method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expectEnvelope(res.json());
    }
  });

  it('answers 401 without credentials', async () => {
    const res = await call(t, null, { method: 'GET', url: '/api/v1/tags' });
    expect(res.statusCode).toBe(401);
  });
});

describe('GET /api/v1/tags/:id', () => {
  it('returns the tag', async () => {
    const user = await createUser(t);
    const tag = await createTag(user, { name: 'Breakout', kind: 'setup', color: '#00ff00' });
    const res = await call(t, user, { method: 'GET', url: `/api/v1/tags/${tag.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(tag);
  });

  it("answers 404 tag_not_found for another user's tag and for a missing one", async () => {
    const [owner, other] = [await createUser(t), await createUser(t)];
    const tag = await createTag(owner, { name: 'Mine' });
    for (const id of [tag.id, '00000000-0000-4000-8000-000000000000']) {
      const res = await call(t, other, { method: 'GET', url: `/api/v1/tags/${id}` });
      expect(res.statusCode).toBe(404);
      expectEnvelope(res.json(), 'tag_not_found');
    }
  });

  it('answers 400 for an id that is not a uuid and 401 without credentials', async () => {
    const user = await createUser(t);
    const bad = await call(t, user, { method: 'GET', url: '/api/v1/tags/123' });
    expect(bad.statusCode).toBe(400);
    expectEnvelope(bad.json(), 'validation_failed');
    const anon = await call(t, null, { method: 'GET', url: '/api/v1/tags/00000000-0000-4000-8000-000000000000' });
    expect(anon.statusCode).toBe(401);
  });
});

describe('PATCH /api/v1/tags/:id', () => {
  it('renames, re-kinds and clears the colour, and bumps the data generation', async () => {
    const user = await createUser(t);
    const tag = await createTag(user, { name: 'Breakout', color: '#000000' });
    const before = await dataGeneration(user.id);
    const res = await call(t, user, { method: 'PATCH', url: `/api/v1/tags/${tag.id}`, payload: { name: 'Breakout v2', kind: 'setup', color: null } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: tag.id, name: 'Breakout v2', kind: 'setup', color: null });
    expect(await dataGeneration(user.id)).toBe(before + 1);
  });

  it('allows changing only the case of its own name', async () => {
    const user = await createUser(t);
    const tag = await createTag(user, { name: 'fomo' });
    const res = await call(t, user, { method: 'PATCH', url: `/api/v1/tags/${tag.id}`, payload: { name: 'FOMO' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().name).toBe('FOMO');
  });

  it("answers 409 tag_exists when renaming onto another tag's name, and changes nothing", async () => {
    const user = await createUser(t);
    await createTag(user, { name: 'Alpha' });
    const beta = await createTag(user, { name: 'Beta' });
    const res = await call(t, user, { method: 'PATCH', url: `/api/v1/tags/${beta.id}`, payload: { name: 'alpha' } });
    expect(res.statusCode).toBe(409);
    expectEnvelope(res.json(), 'tag_exists');
    expect((await call(t, user, { method: 'GET', url: `/api/v1/tags/${beta.id}` })).json().name).toBe('Beta');
  });

  it('rejects an empty patch, a bad colour and unknown fields with 400', async () => {
    const user = await createUser(t);
    const tag = await createTag(user, { name: 'x' });
    for (const payload of [{}, { color: '#12345' }, { usageCount: 3 }]) {
      const res = await call(t, user, { method: 'PATCH', url: `/api/v1/tags/${tag.id}`, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expectEnvelope(res.json(), 'validation_failed');
    }
  });

  it("answers 404 for another user's tag and leaves it unchanged", async () => {
    const [owner, other] = [await createUser(t), await createUser(t)];
    const tag = await createTag(owner, { name: 'Mine' });
    const res = await call(t, other, { method: 'PATCH', url: `/api/v1/tags/${tag.id}`, payload: { name: 'Stolen' } });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'tag_not_found');
    expect((await storedTags(owner.id))[0]!.name).toBe('Mine');
  });

  it('answers 401 without credentials', async () => {
    const res = await call(t, null, { method: 'PATCH', url: '/api/v1/tags/00000000-0000-4000-8000-000000000000', payload: { name: 'x' } });
    expect(res.statusCode).toBe(401);
  });
});

describe('DELETE /api/v1/tags/:id', () => {
  it('deletes the tag with 204', async () => {
    const user = await createUser(t);
    const tag = await createTag(user, { name: 'x' });
    const res = await call(t, user, { method: 'DELETE', url: `/api/v1/tags/${tag.id}` });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(await storedTags(user.id)).toHaveLength(0);
    expect((await call(t, user, { method: 'GET', url: `/api/v1/tags/${tag.id}` })).statusCode).toBe(404);
  });

  it("answers 404 for another user's tag and keeps it", async () => {
    const [owner, other] = [await createUser(t), await createUser(t)];
    const tag = await createTag(owner, { name: 'Mine' });
    const res = await call(t, other, { method: 'DELETE', url: `/api/v1/tags/${tag.id}` });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'tag_not_found');
    expect(await storedTags(owner.id)).toHaveLength(1);
  });

  it('answers 401 without credentials', async () => {
    const res = await call(t, null, { method: 'DELETE', url: '/api/v1/tags/00000000-0000-4000-8000-000000000000' });
    expect(res.statusCode).toBe(401);
  });
});
