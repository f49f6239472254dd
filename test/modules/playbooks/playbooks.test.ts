import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playbookRules, playbooks, users } from '../../../src/db/schema/index.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from '../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

interface Rule {
  id: string;
  position: number;
  text: string;
}

async function createPlaybook(user: TestUser, body: Record<string, unknown>) {
  const res = await call(t, user, { method: 'POST', url: '/api/v1/playbooks', payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

const storedPlaybooks = (userId: string) => t.database.db.select().from(playbooks).where(eq(playbooks.userId, userId));
const storedRules = (playbookId: string) => t.database.db.select().from(playbookRules).where(eq(playbookRules.playbookId, playbookId));
const dataGeneration = async (userId: string) => (await t.database.db.select({ g: users.dataGeneration }).from(users).where(eq(users.id, userId)))[0]!.g;

describe('POST /api/v1/playbooks', () => {
  it('creates a playbook whose rules keep the order given, numbered from 1', async () => {
    const user = await createUser(t);
    const res = await call(t, user, {
      method: 'POST',
      url: '/api/v1/playbooks',
      payload: { name: 'Opening range breakout', description: '# ORB\nWait for the *first* 5 minutes.', rules: [{ text: 'Wait 5 min' }, { text: 'Volume > 2x' }, { text: 'Stop under range' }] },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ name: 'Opening range breakout', description: '# ORB\nWait for the *first* 5 minutes.', tradeCount: 0 });
    expect(body.rules.map((r: Rule) => [r.position, r.text])).toEqual([
      [1, 'Wait 5 min'],
      [2, 'Volume > 2x'],
      [3, 'Stop under range'],
    ]);
    expect(new Date(body.createdAt).getTime()).not.toBeNaN();
    expect(await storedRules(body.id)).toHaveLength(3);
  });

  it('creates a playbook with only a name: empty description and no rules', async () => {
    const user = await createUser(t);
    const body = await createPlaybook(user, { name: 'Minimal' });
    expect(body).toMatchObject({ description: '', rules: [] });
  });

  it('answers 409 playbook_exists for a name differing only in case, and stores nothing more', async () => {
    const user = await createUser(t);
    await createPlaybook(user, { name: 'ORB' });
    const res = await call(t, user, { method: 'POST', url: '/api/v1/playbooks', payload: { name: 'orb', rules: [{ text: 'x' }] } });
    expect(res.statusCode).toBe(409);
    expectEnvelope(res.json(), 'playbook_exists');
    expect(await storedPlaybooks(user.id)).toHaveLength(1);
  });

  it.each([
    ['no name', { rules: [] }],
    ['a blank name', { name: ' ' }],
    ['a rule with an empty text', { name: 'x', rules: [{ text: '' }] }],
    ['a rule with an id on create', { name: 'x', rules: [{ id: '00000000-0000-4000-8000-000000000000', text: 'a' }] }],
    ['an unknown field', { name: 'x', tradeCount: 3 }],
    ['more than 100 rules', { name: 'x', rules: Array.from({ length: 101 }, (_, i) => ({ text: `r${i}` })) }],
  ])('rejects %s with 400 and stores nothing', async (_label, payload) => {
    const user = await createUser(t);
    const res = await call(t, user, { method: 'POST', url: '/api/v1/playbooks', payload });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'validation_failed');
    expect(await storedPlaybooks(user.id)).toHaveLength(0);
  });

  it('stores SQL-looking names, descriptions and rules verbatim', async () => {
    const user = await createUser(t);
    const evil = "'; delete from playbooks where '1'='1";
    const body = await createPlaybook(user, { name: evil, description: evil, rules: [{ text: evil }] });
    const got = (await call(t, user, { method: 'GET', url: `/api/v1/playbooks/${body.id}` })).json();
    expect([got.name, got.description, got.rules[0].text]).toEqual([evil, evil, evil]);
  });

  it('answers 401 without credentials', async () => {
    const res = await call(t, null, { method: 'POST', url: '/api/v1/playbooks', payload: { name: 'x' } });
    expect(res.statusCode).toBe(401);
    expectEnvelope(res.json(), 'unauthenticated');
  });
});

describe('GET /api/v1/playbooks', () => {
  it("lists the user's own playbooks by name with their rules, paging with a cursor", async () => {
    const [user, other] = [await createUser(t), await createUser(t)];
    await createPlaybook(user, { name: 'b', rules: [{ text: 'b1' }] });
    await createPlaybook(user, { name: 'A', rules: [{ text: 'a1' }, { text: 'a2' }] });
    await createPlaybook(user, { name: 'c' });
    await createPlaybook(other, { name: 'a0' });
    const first = (await call(t, user, { method: 'GET', url: '/api/v1/playbooks?limit=2' })).json();
    expect(first.data.map((p: { name: string }) => p.name)).toEqual(['A', 'b']);
    expect(first.data[0].rules.map((r: Rule) => r.text)).toEqual(['a1', 'a2']);
    expect(first.data[1].rules.map((r: Rule) => r.text)).toEqual(['b1']);
    const second = (await call(t, user, { method: 'GET', url: `/api/v1/playbooks?limit=2&cursor=${first.page.nextCursor}` })).json();
    expect(second.data.map((p: { name: string }) => p.name)).toEqual(['c']);
    expect(second.page.nextCursor).toBeNull();
  });

  it('answers 400 for a bad cursor and 401 without credentials', async () => {
    const user = await createUser(t);
    const bad = await call(t, user, { method: 'GET', url: '/api/v1/playbooks?cursor=zzz' });
    expect(bad.statusCode).toBe(400);
    expectEnvelope(bad.json(), 'invalid_cursor');
    expect((await call(t, null, { method: 'GET', url: '/api/v1/playbooks' })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/playbooks/:id', () => {
  it('returns the playbook', async () => {
    const user = await createUser(t);
    const created = await createPlaybook(user, { name: 'x', rules: [{ text: 'one' }] });
    const res = await call(t, user, { method: 'GET', url: `/api/v1/playbooks/${created.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(created);
  });

  it("answers 404 playbook_not_found for another user's playbook", async () => {
    const [owner, other] = [await createUser(t), await createUser(t)];
    const created = await createPlaybook(owner, { name: 'x' });
    const res = await call(t, other, { method: 'GET', url: `/api/v1/playbooks/${created.id}` });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'playbook_not_found');
  });

  it('answers 401 without credentials', async () => {
    expect((await call(t, null, { method: 'GET', url: '/api/v1/playbooks/00000000-0000-4000-8000-000000000000' })).statusCode).toBe(401);
  });
});

describe('PATCH /api/v1/playbooks/:id', () => {
  it('replaces the rules: kept ids stay (reordered, re-worded), new ones are added, missing ones are deleted', async () => {
    const user = await createUser(t);
    const created = await createPlaybook(user, { name: 'x', rules: [{ text: 'one' }, { text: 'two' }, { text: 'three' }] });
    const [one, two, three] = created.rules as Rule[];
    const res = await call(t, user, {
      method: 'PATCH',
      url: `/api/v1/playbooks/${created.id}`,
      payload: { rules: [{ id: three!.id, text: 'three!' }, { text: 'new' }, { id: one!.id, text: 'one' }] },
    });
    expect(res.statusCode).toBe(200);
    const rules = res.json().rules as Rule[];
    expect(rules.map((r) => [r.position, r.text])).toEqual([
      [1, 'three!'],
      [2, 'new'],
      [3, 'one'],
    ]);
    expect(rules[0]!.id).toBe(three!.id);
    expect(rules[2]!.id).toBe(one!.id);
    expect(rules.map((r) => r.id)).not.toContain(two!.id);
    expect(await storedRules(created.id)).toHaveLength(3);
  });

  it('edits name and description without touching the rules, and bumps the data generation', async () => {
    const user = await createUser(t);
    const created = await createPlaybook(user, { name: 'x', rules: [{ text: 'one' }] });
    const before = await dataGeneration(user.id);
    const res = await call(t, user, { method: 'PATCH', url: `/api/v1/playbooks/${created.id}`, payload: { name: 'y', description: 'new' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'y', description: 'new', rules: created.rules });
    expect(new Date(res.json().updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.updatedAt).getTime());
    expect(await dataGeneration(user.id)).toBe(before + 1);
  });

  it('clears the checklist with an empty rules list', async () => {
    const user = await createUser(t);
    const created = await createPlaybook(user, { name: 'x', rules: [{ text: 'one' }] });
    const res = await call(t, user, { method: 'PATCH', url: `/api/v1/playbooks/${created.id}`, payload: { rules: [] } });
    expect(res.json().rules).toEqual([]);
  });

  it("answers 400 rule_not_in_playbook for a rule id of another playbook, and changes nothing", async () => {
    const user = await createUser(t);
    const a = await createPlaybook(user, { name: 'a', rules: [{ text: 'a1' }] });
    const b = await createPlaybook(user, { name: 'b', rules: [{ text: 'b1' }] });
    const res = await call(t, user, { method: 'PATCH', url: `/api/v1/playbooks/${a.id}`, payload: { name: 'renamed', rules: [{ id: b.rules[0].id, text: 'stolen' }] } });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'rule_not_in_playbook');
    const after = (await call(t, user, { method: 'GET', url: `/api/v1/playbooks/${a.id}` })).json();
    expect(after).toEqual(a);
    expect((await storedRules(b.id))[0]!.text).toBe('b1');
  });

  it('answers 400 duplicate_rule when a rule id is listed twice', async () => {
    const user = await createUser(t);
    const a = await createPlaybook(user, { name: 'a', rules: [{ text: 'a1' }] });
    const id = a.rules[0].id;
    const res = await call(t, user, { method: 'PATCH', url: `/api/v1/playbooks/${a.id}`, payload: { rules: [{ id, text: 'x' }, { id, text: 'y' }] } });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'duplicate_rule');
  });

  it('answers 409 playbook_exists when renaming onto another playbook', async () => {
    const user = await createUser(t);
    await createPlaybook(user, { name: 'a' });
    const b = await createPlaybook(user, { name: 'b' });
    const res = await call(t, user, { method: 'PATCH', url: `/api/v1/playbooks/${b.id}`, payload: { name: 'A' } });
    expect(res.statusCode).toBe(409);
    expectEnvelope(res.json(), 'playbook_exists');
  });

  it('rejects an empty patch and unknown fields with 400', async () => {
    const user = await createUser(t);
    const a = await createPlaybook(user, { name: 'a' });
    for (const payload of [{}, { rules: [{ text: 'x', position: 3 }] }, { owner: 'me' }]) {
      const res = await call(t, user, { method: 'PATCH', url: `/api/v1/playbooks/${a.id}`, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expectEnvelope(res.json(), 'validation_failed');
    }
  });

  it("answers 404 for another user's playbook and changes nothing", async () => {
    const [owner, other] = [await createUser(t), await createUser(t)];
    const a = await createPlaybook(owner, { name: 'a', rules: [{ text: 'a1' }] });
    const res = await call(t, other, { method: 'PATCH', url: `/api/v1/playbooks/${a.id}`, payload: { name: 'mine', rules: [] } });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'playbook_not_found');
    expect((await call(t, owner, { method: 'GET', url: `/api/v1/playbooks/${a.id}` })).json()).toEqual(a);
  });

  it('answers 401 without credentials', async () => {
    expect((await call(t, null, { method: 'PATCH', url: '/api/v1/playbooks/00000000-0000-4000-8000-000000000000', payload: { name: 'x' } })).statusCode).toBe(401);
  });
});

describe('DELETE /api/v1/playbooks/:id', () => {
  it('deletes the playbook and its rules with 204', async () => {
    const user = await createUser(t);
    const a = await createPlaybook(user, { name: 'a', rules: [{ text: 'a1' }] });
    const res = await call(t, user, { method: 'DELETE', url: `/api/v1/playbooks/${a.id}` });
    expect(res.statusCode).toBe(204);
    expect(await storedPlaybooks(user.id)).toHaveLength(0);
    expect(await storedRules(a.id)).toHaveLength(0);
  });

  it("answers 404 for another user's playbook and keeps it", async () => {
    const [owner, other] = [await createUser(t), await createUser(t)];
    const a = await createPlaybook(owner, { name: 'a' });
    const res = await call(t, other, { method: 'DELETE', url: `/api/v1/playbooks/${a.id}` });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'playbook_not_found');
    expect(await storedPlaybooks(owner.id)).toHaveLength(1);
  });

  it('answers 401 without credentials', async () => {
    expect((await call(t, null, { method: 'DELETE', url: '/api/v1/playbooks/00000000-0000-4000-8000-000000000000' })).statusCode).toBe(401);
  });
});
