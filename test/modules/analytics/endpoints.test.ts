import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from '../../helpers/app.js';
import { addTrade, createAccount, fiveTrades, getJson } from './analytics-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

describe('GET /analytics/equity-curve', () => {
  it('answers cumulative P&L and drawdown per trade, in close order', async () => {
    const user = await createUser(t);
    const { ids } = await fiveTrades(t, user);
    const body = await getJson(t, user, '/api/v1/analytics/equity-curve');
    expect(body.interval).toBe('trade');
    expect(body.points.map((p: { tradeId: string }) => p.tradeId)).toEqual(ids);
    expect(body.points.map((p: { pnl: string }) => p.pnl)).toEqual(['10.00', '-5.00', '-10.00', '20.00', '0.00']);
    expect(body.points.map((p: { cumulativePnl: string }) => p.cumulativePnl)).toEqual(['10.00', '5.00', '-5.00', '15.00', '15.00']);
    expect(body.points.map((p: { drawdown: string }) => p.drawdown)).toEqual(['0.00', '5.00', '15.00', '0.00', '0.00']);
    expect(body.points[0]).toMatchObject({ day: '2025-03-03', at: '2025-03-03T14:30:00.000Z', tradeCount: 1 });
  });

  it('answers one point per local day with interval=day', async () => {
    const user = await createUser(t);
    await fiveTrades(t, user);
    const body = await getJson(t, user, '/api/v1/analytics/equity-curve?interval=day');
    expect(body.points).toEqual([
      { day: '2025-03-03', at: null, tradeId: null, tradeCount: 2, pnl: '5.00', cumulativePnl: '5.00', drawdown: '0.00' },
      { day: '2025-03-04', at: null, tradeId: null, tradeCount: 1, pnl: '-10.00', cumulativePnl: '-5.00', drawdown: '10.00' },
      { day: '2025-03-05', at: null, tradeId: null, tradeCount: 1, pnl: '20.00', cumulativePnl: '15.00', drawdown: '0.00' },
      { day: '2025-03-06', at: null, tradeId: null, tradeCount: 1, pnl: '0.00', cumulativePnl: '15.00', drawdown: '0.00' },
    ]);
  });

  it('orders trades closed at the same instant by id', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const closeAt = '2025-04-01T15:00:00Z';
    const ids = [
      await addTrade(t, user, accountId, { symbol: 'A', openAt: '2025-04-01T14:00:00Z', closeAt, entry: '10', exit: '20' }),
      await addTrade(t, user, accountId, { symbol: 'B', openAt: '2025-04-01T14:01:00Z', closeAt, entry: '10', exit: '15' }),
      await addTrade(t, user, accountId, { symbol: 'C', openAt: '2025-04-01T14:02:00Z', closeAt, entry: '30', exit: '10' }),
    ];
    const pnl = new Map([
      [ids[0], 10],
      [ids[1], 5],
      [ids[2], -20],
    ]);
    const ordered = [...ids].sort();
    const body = await getJson(t, user, '/api/v1/analytics/equity-curve');
    expect(body.points.map((p: { tradeId: string }) => p.tradeId)).toEqual(ordered);
    // The drawdown follows that order: cumulative P&L from 0, peak from 0.
    let cum = 0;
    let peak = 0;
    let worst = 0;
    for (const id of ordered) {
      cum += pnl.get(id)!;
      peak = Math.max(peak, cum);
      worst = Math.max(worst, peak - cum);
    }
    const summary = await getJson(t, user, '/api/v1/analytics/summary');
    expect(summary.maxDrawdown.amount).toBe(`${worst}.00`);
    expect(summary.maxDrawdown.troughAt).toBe('2025-04-01T15:00:00.000Z');
  });
});

describe('GET /analytics/calendar', () => {
  it('answers days, ISO weeks, months and the total of a month', async () => {
    const user = await createUser(t);
    await fiveTrades(t, user);
    const body = await getJson(t, user, '/api/v1/analytics/calendar?year=2025&month=3');
    expect(body).toEqual({
      year: 2025,
      month: 3,
      days: [
        { date: '2025-03-03', pnl: '5.00', tradeCount: 2, wins: 1, losses: 1, breakeven: 0 },
        { date: '2025-03-04', pnl: '-10.00', tradeCount: 1, wins: 0, losses: 1, breakeven: 0 },
        { date: '2025-03-05', pnl: '20.00', tradeCount: 1, wins: 1, losses: 0, breakeven: 0 },
        { date: '2025-03-06', pnl: '0.00', tradeCount: 1, wins: 0, losses: 0, breakeven: 1 },
      ],
      weeks: [{ week: '2025-W10', pnl: '15.00', tradeCount: 5, wins: 2, losses: 2, breakeven: 1 }],
      months: [{ month: '2025-03', pnl: '15.00', tradeCount: 5, wins: 2, losses: 2, breakeven: 1 }],
      total: { pnl: '15.00', tradeCount: 5, wins: 2, losses: 2, breakeven: 1 },
    });
  });

  it('answers an empty month with zero totals', async () => {
    const user = await createUser(t);
    await fiveTrades(t, user);
    const body = await getJson(t, user, '/api/v1/analytics/calendar?year=2025&month=4');
    expect(body).toEqual({ year: 2025, month: 4, days: [], weeks: [], months: [], total: { pnl: '0.00', tradeCount: 0, wins: 0, losses: 0, breakeven: 0 } });
  });

  it('rejects a missing year and a month out of range', async () => {
    const user = await createUser(t);
    for (const url of ['/api/v1/analytics/calendar?month=3', '/api/v1/analytics/calendar?year=2025&month=13']) {
      const res = await call(t, user, { method: 'GET', url });
      expect(res.statusCode).toBe(400);
      expectEnvelope(res.json());
    }
  });
});

describe('days in the user time zone (America/New_York)', () => {
  it('puts a trade closed at 22:30 New York time (03:30 UTC next day) on the New York day', async () => {
    const user = await createUser(t, { timezone: 'America/New_York' });
    const accountId = await createAccount(t, user);
    await addTrade(t, user, accountId, { openAt: '2025-03-04T03:00:00Z', closeAt: '2025-03-04T03:30:00Z', entry: '10', exit: '20' });
    await addTrade(t, user, accountId, { symbol: 'MSFT', openAt: '2025-03-04T05:00:00Z', closeAt: '2025-03-04T05:30:00Z', entry: '10', exit: '6' });

    const calendar = await getJson(t, user, '/api/v1/analytics/calendar?year=2025&month=3');
    expect(calendar.days.map((d: { date: string; pnl: string }) => [d.date, d.pnl])).toEqual([
      ['2025-03-03', '10.00'],
      ['2025-03-04', '-4.00'],
    ]);
    const summary = await getJson(t, user, '/api/v1/analytics/summary');
    expect(summary.tradingDays).toBe(2);
    const firstDay = await getJson(t, user, '/api/v1/analytics/summary?to=2025-03-03');
    expect(firstDay).toMatchObject({ tradeCount: 1, netPnl: '10.00' });
    const hours = await getJson(t, user, '/api/v1/analytics/breakdown?by=hour&sort=key');
    expect(hours.groups.map((g: { key: string; label: string; netPnl: string }) => [g.key, g.label, g.netPnl])).toEqual([
      ['0', '00:00', '-4.00'],
      ['22', '22:00', '10.00'],
    ]);
    const weekdays = await getJson(t, user, '/api/v1/analytics/breakdown?by=weekday&sort=key');
    expect(weekdays.groups.map((g: { label: string }) => g.label)).toEqual(['Monday', 'Tuesday']);
  });
});

describe('GET /analytics/breakdown', () => {
  it('answers per-symbol metrics sorted by net P&L, descending by default', async () => {
    const user = await createUser(t);
    await fiveTrades(t, user);
    const body = await getJson(t, user, '/api/v1/analytics/breakdown?by=symbol');
    expect(body.sort).toBe('-netPnl');
    expect(body.groups.map((g: Record<string, unknown>) => [g.key, g.tradeCount, g.winRate, g.netPnl, g.avgPnl, g.expectancy, g.profitFactor])).toEqual([
      ['MSFT', 2, 0.5, '10.00', '5.00', '5.00', 2],
      ['AAPL', 2, 0.5, '5.00', '2.50', '2.50', 2],
      ['TSLA', 1, 0, '0.00', '0.00', '0.00', null],
    ]);
    expect(body.groups[0].confidence.method).toBe('bootstrap');
  });

  it('sorts by another field on request', async () => {
    const user = await createUser(t);
    await fiveTrades(t, user);
    const byKey = await getJson(t, user, '/api/v1/analytics/breakdown?by=symbol&sort=key');
    expect(byKey.groups.map((g: { key: string }) => g.key)).toEqual(['AAPL', 'MSFT', 'TSLA']);
    const byCount = await getJson(t, user, '/api/v1/analytics/breakdown?by=symbol&sort=tradeCount');
    expect(byCount.groups.map((g: { key: string }) => g.key)).toEqual(['TSLA', 'AAPL', 'MSFT']);
  });

  it('buckets hold times as documented', async () => {
    const user = await createUser(t);
    await fiveTrades(t, user);
    const body = await getJson(t, user, '/api/v1/analytics/breakdown?by=holdTime&sort=key');
    expect(body.groups.map((g: Record<string, unknown>) => [g.key, g.label, g.tradeCount, g.netPnl])).toEqual([
      ['5m-15m', '5–15m', 1, '-10.00'],
      ['15m-1h', '15–60m', 2, '10.00'],
      ['1h-4h', '1–4h', 2, '15.00'],
    ]);
  });

  it('groups by tag, with untagged trades in the null group and multi-tagged trades in each', async () => {
    const user = await createUser(t);
    const { ids } = await fiveTrades(t, user);
    const tag = async (name: string) => {
      const res = await call(t, user, { method: 'POST', url: '/api/v1/tags', payload: { name } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    const breakout = await tag('breakout');
    const fomo = await tag('fomo');
    for (const [id, tagIds] of [
      [ids[0]!, [breakout]],
      [ids[2]!, [breakout, fomo]],
    ] as const) {
      const res = await call(t, user, { method: 'PATCH', url: `/api/v1/trades/${id}`, payload: { tagIds } });
      expect(res.statusCode, res.body).toBe(200);
    }
    const body = await getJson(t, user, '/api/v1/analytics/breakdown?by=tag');
    expect(body.groups.map((g: Record<string, unknown>) => [g.key, g.label, g.tradeCount, g.netPnl])).toEqual([
      [null, '(untagged)', 3, '15.00'],
      [breakout, 'breakout', 2, '0.00'],
      [fomo, 'fomo', 1, '-10.00'],
    ]);
  });

  it("gives each group the bootstrap interval of its own trades in close order, the untagged group included", async () => {
    const user = await createUser(t);
    const { ids } = await fiveTrades(t, user);
    const res = await call(t, user, { method: 'POST', url: '/api/v1/tags', payload: { name: 'setup-a' } });
    expect(res.statusCode, res.body).toBe(201);
    const tagId = res.json().id as string;
    for (const id of [ids[1]!, ids[3]!]) {
      const patched = await call(t, user, { method: 'PATCH', url: `/api/v1/trades/${id}`, payload: { tagIds: [tagId] } });
      expect(patched.statusCode, patched.body).toBe(200);
    }
    const byTag = await getJson(t, user, '/api/v1/analytics/breakdown?by=tag');
    const tagged = byTag.groups.find((g: { key: string | null }) => g.key === tagId);
    const untagged = byTag.groups.find((g: { key: string | null }) => g.key === null);
    expect([tagged.tradeCount, untagged.tradeCount]).toEqual([2, 3]);
    expect(tagged.confidence).toEqual((await getJson(t, user, `/api/v1/analytics/summary?tag=${tagId}`)).confidence);
    expect(tagged.confidence.method).toBe('bootstrap');
    expect(untagged.confidence.method).toBe('bootstrap');
    expect(untagged.confidence).not.toEqual(tagged.confidence);

    const bySymbol = await getJson(t, user, '/api/v1/analytics/breakdown?by=symbol');
    for (const group of bySymbol.groups) {
      expect(group.confidence, group.key).toEqual((await getJson(t, user, `/api/v1/analytics/summary?symbol=${group.key}`)).confidence);
    }
  });

  it('rejects an unknown dimension', async () => {
    const user = await createUser(t);
    const res = await call(t, user, { method: 'GET', url: '/api/v1/analytics/breakdown?by=colour' });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json());
  });
});

describe('GET /analytics/distribution', () => {
  it('counts net P&L in equal-width bins, the maximum in the last', async () => {
    const user = await createUser(t);
    await fiveTrades(t, user);
    const body = await getJson(t, user, '/api/v1/analytics/distribution?metric=pnl&buckets=3');
    expect(body).toEqual({
      metric: 'pnl',
      count: 5,
      min: -10,
      max: 20,
      bins: [
        { lower: -10, upper: 0, count: 2 },
        { lower: 0, upper: 10, count: 1 },
        { lower: 10, upper: 20, count: 2 },
      ],
    });
  });

  it('counts only trades with a risk for metric=r', async () => {
    const user = await createUser(t);
    const { ids } = await fiveTrades(t, user);
    const res = await call(t, user, { method: 'PATCH', url: `/api/v1/trades/${ids[0]}`, payload: { initialRisk: '5' } });
    expect(res.statusCode, res.body).toBe(200);
    const body = await getJson(t, user, '/api/v1/analytics/distribution?metric=r');
    expect(body).toEqual({ metric: 'r', count: 1, min: 2, max: 2, bins: [{ lower: 2, upper: 2, count: 1 }] });
    const summary = await getJson(t, user, '/api/v1/analytics/summary');
    expect(summary).toMatchObject({ rTradeCount: 1, expectancyR: 2, sqn: null });
  });
});

describe('GET /analytics/streaks', () => {
  it('answers the runs with their dates; breakeven ends a run', async () => {
    const user = await createUser(t);
    await fiveTrades(t, user);
    const body = await getJson(t, user, '/api/v1/analytics/streaks');
    const lossRun = { kind: 'loss', length: 2, startAt: '2025-03-03T16:00:00.000Z', endAt: '2025-03-04T14:10:00.000Z', pnl: '-15.00' };
    const firstWin = { kind: 'win', length: 1, startAt: '2025-03-03T14:30:00.000Z', endAt: '2025-03-03T14:30:00.000Z', pnl: '10.00' };
    const secondWin = { kind: 'win', length: 1, startAt: '2025-03-05T15:00:00.000Z', endAt: '2025-03-05T15:00:00.000Z', pnl: '20.00' };
    expect(body).toEqual({ longestWin: firstWin, longestLoss: lossRun, current: null, runs: [lossRun, firstWin, secondWin] });
  });
});
