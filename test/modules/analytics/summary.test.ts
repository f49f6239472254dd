import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from '../../helpers/app.js';
import { fiveTrades, getJson, setBreakevenTolerance } from './analytics-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

describe('GET /analytics/summary', () => {
  it('computes every metric of a hand-computed five-trade scenario', async () => {
    const user = await createUser(t);
    await fiveTrades(t, user);
    const s = await getJson(t, user, '/api/v1/analytics/summary');
    expect(s).toMatchObject({
      tradeCount: 5,
      wins: 2,
      losses: 2,
      breakeven: 1,
      winRate: 0.4,
      winRateExBreakeven: 0.5,
      netPnl: '15.00',
      grossPnl: '17.00',
      fees: '2.00',
      grossProfit: '30.00',
      grossLoss: '-15.00',
      profitFactor: 2,
      avgWin: '15.00',
      avgLoss: '-7.50',
      payoffRatio: 2,
      largestWin: '20.00',
      largestLoss: '-10.00',
      expectancy: '3.00',
      expectancyR: null,
      rTradeCount: 0,
      maxDrawdown: {
        amount: '15.00',
        peakAt: '2025-03-03T14:30:00.000Z',
        troughAt: '2025-03-04T14:10:00.000Z',
        recoveredAt: '2025-03-05T15:00:00.000Z',
        longestUnderwater: { seconds: 2 * 86_400 + 1800, from: '2025-03-03T14:30:00.000Z', to: '2025-03-05T15:00:00.000Z', recovered: true },
      },
      maxConsecutiveWins: 1,
      maxConsecutiveLosses: 2,
      avgHoldSeconds: 2160,
      avgHoldSecondsWin: 2700,
      avgHoldSecondsLoss: 2100,
      tradingDays: 4,
      sqn: null,
      kelly: 0.25,
    });
    // Daily P&L +5, −10, +20, 0: mean 3.75, sample stdev 12.5, downside deviation √(100/4) = 5.
    expect(s.sharpe).toBeCloseTo((Math.sqrt(252) * 3.75) / 12.5, 5);
    expect(s.sortino).toBeCloseTo((Math.sqrt(252) * 3.75) / 5, 5);
    expect(s.confidence.method).toBe('bootstrap');
    expect(s.confidence.resamples).toBe(1000);
    expect(s.confidence.expectancy.low).toBeLessThanOrEqual(3);
    expect(s.confidence.expectancy.high).toBeGreaterThanOrEqual(3);
    expect(s.confidence.winRate.low).toBeGreaterThanOrEqual(0);
    expect(s.confidence.winRate.high).toBeLessThanOrEqual(1);
  });

  it('answers zeros and nulls for a user without trades', async () => {
    const user = await createUser(t);
    const s = await getJson(t, user, '/api/v1/analytics/summary');
    expect(s).toMatchObject({
      tradeCount: 0,
      wins: 0,
      winRate: null,
      netPnl: '0.00',
      profitFactor: null,
      expectancy: null,
      maxDrawdown: { amount: '0.00', peakAt: null, troughAt: null, recoveredAt: null, longestUnderwater: null },
      maxConsecutiveWins: 0,
      sharpe: null,
      sortino: null,
      kelly: null,
      confidence: null,
    });
  });

  it('treats |P&L| within the breakeven tolerance as breakeven', async () => {
    const user = await createUser(t);
    await fiveTrades(t, user);
    await setBreakevenTolerance(t, user, '5');
    const s = await getJson(t, user, '/api/v1/analytics/summary');
    // −5 is now breakeven: wins +10 +20, loss −10; runs W BE L W BE.
    expect(s).toMatchObject({
      wins: 2,
      losses: 1,
      breakeven: 2,
      winRate: 0.4,
      winRateExBreakeven: 0.666667,
      grossProfit: '30.00',
      grossLoss: '-10.00',
      profitFactor: 3,
      avgLoss: '-10.00',
      payoffRatio: 1.5,
      maxConsecutiveLosses: 1,
      netPnl: '15.00',
    });
  });

  it('applies the shared trade filters', async () => {
    const user = await createUser(t);
    await fiveTrades(t, user);
    const s = await getJson(t, user, '/api/v1/analytics/summary?from=2025-03-04&to=2025-03-05');
    expect(s).toMatchObject({ tradeCount: 2, netPnl: '10.00', wins: 1, losses: 1 });
    const losers = await getJson(t, user, '/api/v1/analytics/summary?outcome=loss');
    expect(losers).toMatchObject({ tradeCount: 2, netPnl: '-15.00' });
  });

  it('rejects unknown and malformed filters with 400', async () => {
    const user = await createUser(t);
    const unknown = await call(t, user, { method: 'GET', url: '/api/v1/analytics/summary?foo=1' });
    expect(unknown.statusCode).toBe(400);
    expectEnvelope(unknown.json());
    const range = await call(t, user, { method: 'GET', url: '/api/v1/analytics/summary?minPnl=10&maxPnl=1' });
    expect(range.statusCode).toBe(400);
    expectEnvelope(range.json(), 'invalid_range');
  });

  it('answers 401 to anonymous callers', async () => {
    const res = await call(t, null, { method: 'GET', url: '/api/v1/analytics/summary' });
    expect(res.statusCode).toBe(401);
    expectEnvelope(res.json(), 'unauthenticated');
  });

  it("never includes another user's trades", async () => {
    const owner = await createUser(t);
    const other = await createUser(t);
    await fiveTrades(t, owner);
    const s = await getJson(t, other, '/api/v1/analytics/summary');
    expect(s.tradeCount).toBe(0);
  });
});
