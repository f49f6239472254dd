import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trades, users } from '../../../src/db/schema/index.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from '../../helpers/app.js';
import { addExecution, createAccount, someTrade } from './trade-fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

interface TagRef {
  id: string;
  name: string;
  kind: string;
}

async function createTag(user: TestUser, name: string, kind: 'setup' | 'mistake' | 'custom' = 'custom'): Promise<string> {
  const res = await call(t, user, { method: 'POST', url: '/api/v1/tags', payload: { name, kind } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function createPlaybook(user: TestUser, name: string, rules: string[]): Promise<{ id: string; rules: { id: string; text: string }[] }> {
  const res = await call(t, user, { method: 'POST', url: '/api/v1/playbooks', payload: { name, rules: rules.map((text) => ({ text })) } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

const patch = (user: TestUser | null, tradeId: string, payload: unknown) => call(t, user, { method: 'PATCH', url: `/api/v1/trades/${tradeId}`, payload: payload as object });
const getTrade = async (user: TestUser, tradeId: string) => {
  const res = await call(t, user, { method: 'GET', url: `/api/v1/trades/${tradeId}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const dataGeneration = async (userId: string) => (await t.database.db.select({ g: users.dataGeneration }).from(users).where(eq(users.id, userId)))[0]!.g;
const tagNames = (trade: { tags: TagRef[] }) => trade.tags.map((x) => x.name).sort();

describe('PATCH /api/v1/trades/:id', () => {
  it('sets notes, stop, risk and rating, answers the trade detail and bumps the data generation once', async () => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const before = await getTrade(user, tradeId);
    const generation = await dataGeneration(user.id);
    const res = await patch(user, tradeId, { notes: '## Plan\nFaded the open.', stopPrice: '9.5', initialRisk: '50', rating: 4 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ id: tradeId, notes: '## Plan\nFaded the open.', stopPrice: '9.5', initialRisk: '50', rating: 4 });
    expect(body.executions).toHaveLength(2);
    expect(body.ruleChecks).toEqual([]);
    // The derived columns are the trades module's: an annotation leaves them as they were.
    for (const key of ['netPnl', 'grossPnl', 'fees', 'quantity', 'avgEntry', 'avgExit', 'openedAt', 'closedAt', 'status', 'executionCount']) {
      expect(body[key], key).toEqual(before[key]);
    }
    expect(body.rMultiple).not.toBeNull();
    expect(await getTrade(user, tradeId)).toEqual(body);
    expect(await dataGeneration(user.id)).toBe(generation + 1);
  });

  it('clears stop, risk, rating and playbook with null', async () => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const playbook = await createPlaybook(user, 'ORB', []);
    await patch(user, tradeId, { stopPrice: '9', initialRisk: '10', rating: 2, playbookId: playbook.id });
    const res = await patch(user, tradeId, { stopPrice: null, initialRisk: null, rating: null, playbookId: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ stopPrice: null, initialRisk: null, rating: null, playbookId: null, rMultiple: null });
  });

  it("replaces the trade's tags with tagIds, and an empty list removes them all", async () => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const [a, b, c] = [await createTag(user, 'A', 'setup'), await createTag(user, 'B'), await createTag(user, 'C')];
    expect(tagNames((await patch(user, tradeId, { tagIds: [a, b] })).json())).toEqual(['A', 'B']);
    expect(tagNames((await patch(user, tradeId, { tagIds: [c] })).json())).toEqual(['C']);
    expect((await patch(user, tradeId, { tagIds: [] })).json().tags).toEqual([]);
  });

  it('mistakes replaces only the mistake tags and keeps the others', async () => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const setup = await createTag(user, 'Breakout', 'setup');
    const fomo = await createTag(user, 'FOMO', 'mistake');
    const late = await createTag(user, 'Late', 'mistake');
    await patch(user, tradeId, { tagIds: [setup, fomo] });
    expect(tagNames((await patch(user, tradeId, { mistakes: [late] })).json())).toEqual(['Breakout', 'Late']);
    expect(tagNames((await patch(user, tradeId, { mistakes: [] })).json())).toEqual(['Breakout']);
    // With both, tagIds sets the base and mistakes decides the mistake tags.
    expect(tagNames((await patch(user, tradeId, { tagIds: [setup, fomo], mistakes: [late] })).json())).toEqual(['Breakout', 'Late']);
  });

  it('answers 400 tag_not_mistake for a non-mistake tag in mistakes, and changes nothing', async () => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const setup = await createTag(user, 'Breakout', 'setup');
    const before = await getTrade(user, tradeId);
    const res = await patch(user, tradeId, { notes: 'changed', mistakes: [setup] });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'tag_not_mistake');
    expect(await getTrade(user, tradeId)).toEqual(before);
  });

  it("answers 404 tag_not_found for another user's tag or a missing one, and changes nothing", async () => {
    const [user, other] = [await createUser(t), await createUser(t)];
    const { tradeId } = await someTrade(t, user);
    const mine = await createTag(user, 'Mine');
    const theirs = await createTag(other, 'Theirs', 'mistake');
    await patch(user, tradeId, { tagIds: [mine] });
    const before = await getTrade(user, tradeId);
    const generation = await dataGeneration(user.id);
    for (const payload of [{ notes: 'x', tagIds: [theirs] }, { mistakes: [theirs] }, { tagIds: ['00000000-0000-4000-8000-000000000000'] }]) {
      const res = await patch(user, tradeId, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(404);
      expectEnvelope(res.json(), 'tag_not_found');
    }
    expect(await getTrade(user, tradeId)).toEqual(before);
    expect(await dataGeneration(user.id)).toBe(generation);
  });

  it("answers 404 playbook_not_found for another user's playbook, and changes nothing", async () => {
    const [user, other] = [await createUser(t), await createUser(t)];
    const { tradeId } = await someTrade(t, user);
    const theirs = await createPlaybook(other, 'Theirs', ['r']);
    const before = await getTrade(user, tradeId);
    const res = await patch(user, tradeId, { rating: 5, playbookId: theirs.id });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'playbook_not_found');
    expect(await getTrade(user, tradeId)).toEqual(before);
  });

  it("stores rule checks of the trade's playbook and replaces them on the next patch", async () => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const playbook = await createPlaybook(user, 'ORB', ['Wait 5 min', 'Volume', 'Stop under range']);
    const [r1, r2, r3] = playbook.rules.map((r) => r.id);
    const first = await patch(user, tradeId, { playbookId: playbook.id, ruleChecks: [{ ruleId: r1, followed: true }, { ruleId: r2, followed: false }] });
    expect(first.statusCode).toBe(200);
    expect(first.json().playbookId).toBe(playbook.id);
    expect(first.json().ruleChecks).toEqual(expect.arrayContaining([{ ruleId: r1, followed: true }, { ruleId: r2, followed: false }]));
    expect(first.json().ruleChecks).toHaveLength(2);
    const second = await patch(user, tradeId, { ruleChecks: [{ ruleId: r3, followed: true }] });
    expect(second.json().ruleChecks).toEqual([{ ruleId: r3, followed: true }]);
  });

  it('answers 400 rule_not_in_playbook for a rule of another playbook or a trade without playbook, and changes nothing', async () => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const orb = await createPlaybook(user, 'ORB', ['a']);
    const other = await createPlaybook(user, 'Other', ['b']);
    const without = await patch(user, tradeId, { ruleChecks: [{ ruleId: orb.rules[0]!.id, followed: true }] });
    expect(without.statusCode).toBe(400);
    expectEnvelope(without.json(), 'rule_not_in_playbook');
    await patch(user, tradeId, { playbookId: orb.id });
    const before = await getTrade(user, tradeId);
    const res = await patch(user, tradeId, { notes: 'x', ruleChecks: [{ ruleId: other.rules[0]!.id, followed: true }] });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'rule_not_in_playbook');
    expect(await getTrade(user, tradeId)).toEqual(before);
  });

  it('answers 400 duplicate_rule_check when a rule is listed twice', async () => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const orb = await createPlaybook(user, 'ORB', ['a']);
    const ruleId = orb.rules[0]!.id;
    const res = await patch(user, tradeId, { playbookId: orb.id, ruleChecks: [{ ruleId, followed: true }, { ruleId, followed: false }] });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'duplicate_rule_check');
  });

  it("drops the previous playbook's rule checks when the playbook changes", async () => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const orb = await createPlaybook(user, 'ORB', ['a']);
    const vwap = await createPlaybook(user, 'VWAP', ['b']);
    await patch(user, tradeId, { playbookId: orb.id, ruleChecks: [{ ruleId: orb.rules[0]!.id, followed: true }] });
    const res = await patch(user, tradeId, { playbookId: vwap.id });
    expect(res.json()).toMatchObject({ playbookId: vwap.id, ruleChecks: [] });
  });

  it("keeps the checks of kept rules when the playbook's checklist is edited", async () => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const orb = await createPlaybook(user, 'ORB', ['keep', 'drop']);
    const [keep, drop] = orb.rules.map((r) => r.id);
    await patch(user, tradeId, { playbookId: orb.id, ruleChecks: [{ ruleId: keep, followed: false }, { ruleId: drop, followed: true }] });
    const edit = await call(t, user, { method: 'PATCH', url: `/api/v1/playbooks/${orb.id}`, payload: { rules: [{ text: 'new first' }, { id: keep, text: 'keep, reworded' }] } });
    expect(edit.statusCode).toBe(200);
    expect((await getTrade(user, tradeId)).ruleChecks).toEqual([{ ruleId: keep, followed: false }]);
  });

  it('leaves a trade without playbook or rule checks when its playbook is deleted', async () => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const orb = await createPlaybook(user, 'ORB', ['a']);
    await patch(user, tradeId, { playbookId: orb.id, ruleChecks: [{ ruleId: orb.rules[0]!.id, followed: true }] });
    expect((await call(t, user, { method: 'DELETE', url: `/api/v1/playbooks/${orb.id}` })).statusCode).toBe(204);
    expect(await getTrade(user, tradeId)).toMatchObject({ playbookId: null, ruleChecks: [] });
  });

  it('counts tagged trades in the tag list and trades in the playbook', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const [one] = await addExecution(t, user, accountId, { executedAt: '2025-03-03T15:00:00Z', side: 'buy', price: '10', symbol: 'AAA' });
    const [two] = await addExecution(t, user, accountId, { executedAt: '2025-03-03T15:00:00Z', side: 'buy', price: '10', symbol: 'BBB' });
    const used = await createTag(user, 'Used');
    const once = await createTag(user, 'Once');
    await createTag(user, 'Unused');
    const orb = await createPlaybook(user, 'ORB', []);
    await patch(user, one!, { tagIds: [used, once], playbookId: orb.id });
    await patch(user, two!, { tagIds: [used], playbookId: orb.id });
    const list = (await call(t, user, { method: 'GET', url: '/api/v1/tags' })).json();
    expect(Object.fromEntries(list.data.map((x: { name: string; usageCount: number }) => [x.name, x.usageCount]))).toEqual({ Once: 1, Unused: 0, Used: 2 });
    expect((await call(t, user, { method: 'GET', url: `/api/v1/tags/${used}` })).json().usageCount).toBe(2);
    expect((await call(t, user, { method: 'GET', url: `/api/v1/playbooks/${orb.id}` })).json().tradeCount).toBe(2);
    // Deleting a tag takes it off its trades.
    await call(t, user, { method: 'DELETE', url: `/api/v1/tags/${once}` });
    expect(tagNames(await getTrade(user, one!))).toEqual(['Used']);
  });

  it('keeps tags, notes and rule checks when a new execution rebuilds the trade', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const [tradeId] = await addExecution(t, user, accountId, { executedAt: '2025-03-03T15:00:00Z', side: 'buy', price: '10' });
    const tag = await createTag(user, 'Breakout', 'setup');
    const orb = await createPlaybook(user, 'ORB', ['a']);
    await patch(user, tradeId!, { tagIds: [tag], notes: 'scaling in', playbookId: orb.id, ruleChecks: [{ ruleId: orb.rules[0]!.id, followed: true }] });
    const [again] = await addExecution(t, user, accountId, { executedAt: '2025-03-03T15:30:00Z', side: 'buy', price: '11' });
    expect(again).toBe(tradeId);
    const trade = await getTrade(user, tradeId!);
    expect(trade.executionCount).toBe(2);
    expect(trade).toMatchObject({ notes: 'scaling in', playbookId: orb.id, ruleChecks: [{ ruleId: orb.rules[0]!.id, followed: true }] });
    expect(tagNames(trade)).toEqual(['Breakout']);
  });

  it('stores SQL-looking notes verbatim', async () => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const notes = "Robert'); DROP TABLE trades;-- \\x00 $$ ${x} <script>";
    expect((await patch(user, tradeId, { notes })).json().notes).toBe(notes);
    expect((await getTrade(user, tradeId)).notes).toBe(notes);
  });

  it.each([
    ['rating 6', { rating: 6 }],
    ['rating 0', { rating: 0 }],
    ['a fractional rating', { rating: 2.5 }],
    ['a zero stop price', { stopPrice: '0' }],
    ['a zero stop price as a number', { stopPrice: 0 }],
    ['an empty playbook id', { playbookId: '' }],
    ['rating false', { rating: false }],
    ['a negative risk', { initialRisk: '-5' }],
    ['a non-decimal stop', { stopPrice: 'abc' }],
    ['notes over 100,000 characters', { notes: 'x'.repeat(100_001) }],
    ['an unknown field', { netPnl: '1000000' }],
    ['an empty patch', {}],
    ['a tag id that is not a uuid', { tagIds: ['nope'] }],
    ['a rule check without followed', { ruleChecks: [{ ruleId: '00000000-0000-4000-8000-000000000000' }] }],
  ])('rejects %s with the 400 envelope and changes nothing', async (_label, payload) => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const before = await getTrade(user, tradeId);
    const res = await patch(user, tradeId, payload);
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'validation_failed');
    expect(await getTrade(user, tradeId)).toEqual(before);
  });

  it('accepts notes of exactly 100,000 characters', async () => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const res = await patch(user, tradeId, { notes: 'x'.repeat(100_000) });
    expect(res.statusCode).toBe(200);
    expect(res.json().notes).toHaveLength(100_000);
  });

  it("answers 404 trade_not_found for another user's trade and changes nothing for either user", async () => {
    const [owner, intruder] = [await createUser(t), await createUser(t)];
    const { tradeId } = await someTrade(t, owner);
    const intruderTag = await createTag(intruder, 'Mine');
    const [before] = await t.database.db.select().from(trades).where(eq(trades.id, tradeId));
    const generations = [await dataGeneration(owner.id), await dataGeneration(intruder.id)];
    for (const payload of [{ notes: 'pwned', rating: 1 }, { tagIds: [intruderTag] }]) {
      const res = await patch(intruder, tradeId, payload);
      expect(res.statusCode).toBe(404);
      expectEnvelope(res.json(), 'trade_not_found');
    }
    const [after] = await t.database.db.select().from(trades).where(eq(trades.id, tradeId));
    expect(after).toEqual(before);
    expect((await getTrade(owner, tradeId)).tags).toEqual([]);
    expect([await dataGeneration(owner.id), await dataGeneration(intruder.id)]).toEqual(generations);
  });

  it('answers 404 for a missing trade and 400 for a malformed id', async () => {
    const user = await createUser(t);
    const missing = await patch(user, '00000000-0000-4000-8000-000000000000', { notes: 'x' });
    expect(missing.statusCode).toBe(404);
    expectEnvelope(missing.json(), 'trade_not_found');
    const malformed = await patch(user, 'abc', { notes: 'x' });
    expect(malformed.statusCode).toBe(400);
    expectEnvelope(malformed.json(), 'validation_failed');
  });

  it('answers 401 without credentials and changes nothing', async () => {
    const user = await createUser(t);
    const { tradeId } = await someTrade(t, user);
    const res = await patch(null, tradeId, { notes: 'anonymous' });
    expect(res.statusCode).toBe(401);
    expectEnvelope(res.json(), 'unauthenticated');
    expect((await getTrade(user, tradeId)).notes).toBe('');
  });
});
