import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from '../../helpers/app.js';
import { fiveTrades, getJson } from './analytics-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

async function createPlaybook(user: TestUser, rules: string[]) {
  const res = await call(t, user, { method: 'POST', url: '/api/v1/playbooks', payload: { name: `Breakout ${Math.random()}`, rules: rules.map((text) => ({ text })) } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; rules: { id: string; text: string; position: number }[] };
}

async function patchTrade(user: TestUser, id: string, payload: Record<string, unknown>) {
  const res = await call(t, user, { method: 'PATCH', url: `/api/v1/trades/${id}`, payload });
  expect(res.statusCode, res.body).toBe(200);
}

describe('GET /playbooks/:id/stats', () => {
  it("answers the playbook's summary and, per rule, followed against broken", async () => {
    const user = await createUser(t);
    const { ids } = await fiveTrades(t, user);
    const playbook = await createPlaybook(user, ['Wait for the retest', 'Size by the stop']);
    const [retest, size] = playbook.rules;
    // T1 +10 followed both; T2 −5 broke the retest; T3 −10 broke both; T4 +20 followed the retest, size unchecked. T5 not in the playbook.
    await patchTrade(user, ids[0]!, { playbookId: playbook.id, ruleChecks: [{ ruleId: retest!.id, followed: true }, { ruleId: size!.id, followed: true }] });
    await patchTrade(user, ids[1]!, { playbookId: playbook.id, ruleChecks: [{ ruleId: retest!.id, followed: false }] });
    await patchTrade(user, ids[2]!, { playbookId: playbook.id, ruleChecks: [{ ruleId: retest!.id, followed: false }, { ruleId: size!.id, followed: false }] });
    await patchTrade(user, ids[3]!, { playbookId: playbook.id, ruleChecks: [{ ruleId: retest!.id, followed: true }] });

    const body = await getJson(t, user, `/api/v1/playbooks/${playbook.id}/stats`);
    expect(body.playbookId).toBe(playbook.id);
    expect(body.summary).toMatchObject({ tradeCount: 4, netPnl: '15.00', wins: 2, losses: 2, profitFactor: 2 });
    expect(body.rules).toEqual([
      {
        ruleId: retest!.id,
        position: retest!.position,
        text: 'Wait for the retest',
        followed: { tradeCount: 2, winRate: 1, netPnl: '30.00', expectancy: '15.00' },
        broken: { tradeCount: 2, winRate: 0, netPnl: '-15.00', expectancy: '-7.50' },
        unchecked: 0,
      },
      {
        ruleId: size!.id,
        position: size!.position,
        text: 'Size by the stop',
        followed: { tradeCount: 1, winRate: 1, netPnl: '10.00', expectancy: '10.00' },
        broken: { tradeCount: 1, winRate: 0, netPnl: '-10.00', expectancy: '-10.00' },
        unchecked: 2,
      },
    ]);
  });

  it('answers empty sides for a playbook without trades', async () => {
    const user = await createUser(t);
    const playbook = await createPlaybook(user, ['One rule']);
    const body = await getJson(t, user, `/api/v1/playbooks/${playbook.id}/stats`);
    expect(body.summary.tradeCount).toBe(0);
    expect(body.rules[0]).toMatchObject({ followed: { tradeCount: 0, winRate: null, netPnl: '0.00', expectancy: null }, unchecked: 0 });
  });

  it("answers 404 for another user's playbook and for a missing one", async () => {
    const owner = await createUser(t);
    const other = await createUser(t);
    const playbook = await createPlaybook(owner, ['Rule']);
    const foreign = await call(t, other, { method: 'GET', url: `/api/v1/playbooks/${playbook.id}/stats` });
    expect(foreign.statusCode).toBe(404);
    expectEnvelope(foreign.json(), 'playbook_not_found');
    const missing = await call(t, owner, { method: 'GET', url: '/api/v1/playbooks/00000000-0000-4000-8000-000000000000/stats' });
    expect(missing.statusCode).toBe(404);
    expectEnvelope(missing.json(), 'playbook_not_found');
  });

  it('answers 401 to anonymous callers and 400 to a malformed id', async () => {
    const anonymous = await call(t, null, { method: 'GET', url: '/api/v1/playbooks/00000000-0000-4000-8000-000000000000/stats' });
    expect(anonymous.statusCode).toBe(401);
    expectEnvelope(anonymous.json(), 'unauthenticated');
    const user = await createUser(t);
    const malformed = await call(t, user, { method: 'GET', url: '/api/v1/playbooks/not-a-uuid/stats' });
    expect(malformed.statusCode).toBe(400);
    expectEnvelope(malformed.json());
  });
});

describe('every analytics route', () => {
  const urls = [
    '/api/v1/analytics/summary',
    '/api/v1/analytics/equity-curve',
    '/api/v1/analytics/calendar?year=2025',
    '/api/v1/analytics/breakdown?by=symbol',
    '/api/v1/analytics/distribution?metric=pnl',
    '/api/v1/analytics/streaks',
  ];
  it('answers 401 to anonymous callers', async () => {
    for (const url of urls) {
      const res = await call(t, null, { method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expectEnvelope(res.json(), 'unauthenticated');
    }
  });

  it("never shows another user's trades", async () => {
    const owner = await createUser(t);
    const other = await createUser(t);
    await fiveTrades(t, owner);
    expect((await getJson(t, other, urls[1]!)).points).toEqual([]);
    expect((await getJson(t, other, urls[2]!)).total.tradeCount).toBe(0);
    expect((await getJson(t, other, urls[3]!)).groups).toEqual([]);
    expect((await getJson(t, other, urls[4]!)).count).toBe(0);
    expect((await getJson(t, other, urls[5]!)).runs).toEqual([]);
  });
});
