import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser } from '../../helpers/app.js';
import { addExecution, createAccount } from '../executions/ledger-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

async function ok(user: TestUser, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) {
  const res = await call(t, user, { method, url, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

async function manualTrade(user: TestUser, accountId: string, body: object): Promise<string> {
  const created = await ok(user, 'POST', '/api/v1/trades', { accountId, ...body });
  return created.trades[0].id as string;
}

describe('GET /trades formats each trade as GET /trades/:id does', () => {
  it('money without trailing zeros, instants truncated to milliseconds, nulls, tags in name order and the R multiple', async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    // Sub-millisecond instants, prices and fees with trailing zeros, fractional quantities, a partial exit.
    const scaled = await manualTrade(user, acc, {
      symbol: 'AAPL',
      assetClass: 'stock',
      fills: [
        { executedAt: '2025-02-03T14:30:00.123456Z', side: 'buy', quantity: '1.50', price: '100.1250', commission: '0.0050' },
        { executedAt: '2025-02-03T15:00:00.999999Z', side: 'sell', quantity: '0.5', price: '101.00', commission: '0.10' },
        { executedAt: '2025-02-04T15:00:00.000001Z', side: 'sell', quantity: '1', price: '99.3', fees: '-0.02' },
      ],
    });
    const short = await manualTrade(user, acc, {
      symbol: 'MESH5',
      assetClass: 'future',
      fills: [
        { executedAt: '2025-02-05T14:30:00Z', side: 'sell', quantity: '2', price: '6000.25', commission: '0.62' },
        { executedAt: '2025-02-05T14:31:00Z', side: 'buy', quantity: '2', price: '6000.25', commission: '0.62' },
      ],
    });
    const open = (await addExecution(t, user, acc, 'NVDA', { at: '2025-02-06T15:00:00.5Z', side: 'buy', quantity: '3', price: '120.000' })).tradeIds[0]!;

    const beta = await ok(user, 'POST', '/api/v1/tags', { name: 'beta', kind: 'setup', color: '#AA00ff' });
    const alpha = await ok(user, 'POST', '/api/v1/tags', { name: 'Alpha', kind: 'custom' });
    const late = await ok(user, 'POST', '/api/v1/tags', { name: 'late entry', kind: 'mistake' });
    const playbook = await ok(user, 'POST', '/api/v1/playbooks', { name: 'ORB', rules: [{ text: 'wait 5 min' }] });
    await ok(user, 'PATCH', `/api/v1/trades/${scaled}`, {
      notes: 'Quote " backslash \\ tab\tnewline\n and ünïcödé ✓',
      tagIds: [beta.id, alpha.id],
      mistakes: [late.id],
      playbookId: playbook.id,
      stopPrice: '98.70',
      rating: 4,
    });
    // initialRisk wins over the stop; 1/3 R needs rounding.
    await ok(user, 'PATCH', `/api/v1/trades/${short}`, { initialRisk: '7.440', stopPrice: '6010' });
    await ok(user, 'PATCH', `/api/v1/trades/${open}`, { stopPrice: '110' });

    const listed = (await ok(user, 'GET', '/api/v1/trades?sort=openedAt')).data as Record<string, unknown>[];
    expect(listed.map((trade) => trade.id)).toEqual([scaled, short, open]);
    for (const trade of listed) {
      const { executions, ruleChecks, ...detail } = await ok(user, 'GET', `/api/v1/trades/${String(trade.id)}`);
      expect(executions.length).toBeGreaterThan(0);
      expect(ruleChecks).toBeDefined();
      expect(trade).toStrictEqual(detail);
    }
    const [first, second, third] = listed;
    expect(first).toMatchObject({ openedAt: '2025-02-03T14:30:00.123Z', closedAt: '2025-02-04T15:00:00.000Z', quantity: '1.5', avgEntry: '100.125', rating: 4 });
    expect((first!.tags as { name: string }[]).map((tag) => tag.name)).toEqual(['Alpha', 'beta', 'late entry']);
    expect((first!.tags as { color: string | null }[]).map((tag) => tag.color)).toEqual([null, '#aa00ff', null]);
    expect(second).toMatchObject({ side: 'short', netPnl: '-1.24', initialRisk: '7.44', rMultiple: -0.1667 });
    expect(third).toMatchObject({ status: 'open', closedAt: null, avgExit: null, holdSeconds: null, openQuantity: '3', avgEntry: '120', tags: [] });
  });

  it("outcome compares net P&L with the user's breakeven tolerance", async () => {
    const user = await createUser(t);
    const acc = await createAccount(t, user);
    const trade = (symbol: string, exit: string) =>
      manualTrade(user, acc, {
        symbol,
        assetClass: 'stock',
        fills: [
          { executedAt: '2025-02-03T14:30:00Z', side: 'buy', quantity: '1', price: '10' },
          { executedAt: '2025-02-03T14:40:00Z', side: 'sell', quantity: '1', price: exit },
        ],
      });
    const small = await trade('A', '10.4');
    const big = await trade('B', '10.6');
    const smallLoss = await trade('C', '9.5');
    const outcome = async (value: string) => ((await ok(user, 'GET', `/api/v1/trades?sort=symbol&outcome=${value}`)).data as { id: string }[]).map((x) => x.id);
    expect(await outcome('breakeven')).toEqual([]);
    expect(await outcome('win')).toEqual([small, big]);
    await ok(user, 'PATCH', '/api/v1/auth/me', { breakevenTolerance: '0.5' });
    expect(await outcome('breakeven')).toEqual([small, smallLoss]);
    expect(await outcome('win')).toEqual([big]);
    expect(await outcome('loss')).toEqual([]);
  });
});
