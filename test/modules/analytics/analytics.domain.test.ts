import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toDecimal } from '../../../src/lib/decimal.js';
import type { DaySegment, DomainTrade } from '../../../src/modules/analytics/analytics.domain.js';
import {
  BOOTSTRAP_MAX_TRADES,
  binIndex,
  bootstrapConfidence,
  classify,
  createConfidencePlanner,
  drawdownOf,
  finishSummary,
  holdTimeBucket,
  localDay,
  longestRuns,
  money,
  normalConfidence,
  parseSample,
  percentile,
  daySegmentOf,
  formatDaySegment,
  mergePackedSegments,
  parseDaySegments,
  sequenceAggregates,
  summarizeTrades,
} from '../../../src/modules/analytics/analytics.domain.js';

const UTC = { timezone: 'UTC', breakevenTolerance: '0' };

/** Day segments merged as the summary merges the stored texts: formatted, joined, parsed, merged. */
const mergeDaySegments = (segments: readonly DaySegment[]) => mergePackedSegments(parseDaySegments(segments.map(formatDaySegment).join('|')));
let seq = 0;
function trade(closedAt: string, netPnl: string, extra: Partial<DomainTrade> = {}): DomainTrade {
  seq++;
  return { id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`, closedAt: new Date(closedAt), netPnl, grossPnl: netPnl, fees: '0', holdSeconds: 60, risk: null, ...extra };
}
const summarize = (trades: DomainTrade[], settings = UTC) => finishSummary(summarizeTrades(trades, settings), null);

describe('summary metrics (pure)', () => {
  it('five-trade scenario: every metric by hand', () => {
    const s = summarize([
      trade('2025-03-03T14:30:00Z', '10', { grossPnl: '12', fees: '2', holdSeconds: 1800 }),
      trade('2025-03-03T16:00:00Z', '-5', { holdSeconds: 3600 }),
      trade('2025-03-04T14:10:00Z', '-10', { holdSeconds: 600 }),
      trade('2025-03-05T15:00:00Z', '20', { holdSeconds: 3600 }),
      trade('2025-03-06T14:20:00Z', '0', { holdSeconds: 1200 }),
    ]);
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
      expectancy: '3.00',
      maxDrawdown: { amount: '15.00', peakAt: '2025-03-03T14:30:00.000Z', troughAt: '2025-03-04T14:10:00.000Z', recoveredAt: '2025-03-05T15:00:00.000Z' },
      maxConsecutiveWins: 1,
      maxConsecutiveLosses: 2,
      avgHoldSeconds: 2160,
      avgHoldSecondsWin: 2700,
      avgHoldSecondsLoss: 2100,
      tradingDays: 4,
      kelly: 0.25,
    });
    expect(s.sharpe).toBeCloseTo((Math.sqrt(252) * 3.75) / 12.5, 5);
    expect(s.sortino).toBeCloseTo((Math.sqrt(252) * 3.75) / 5, 5);
  });

  it('empty: counts 0, ratios and money averages null', () => {
    const s = summarize([]);
    expect(s).toMatchObject({ tradeCount: 0, winRate: null, winRateExBreakeven: null, netPnl: '0.00', expectancy: null, profitFactor: null, sharpe: null, kelly: null });
    expect(s.maxDrawdown).toEqual({ amount: '0.00', peakAt: null, troughAt: null, recoveredAt: null, longestUnderwater: null });
  });

  it('one losing trade: drawdown from the starting 0, never recovered', () => {
    const s = summarize([trade('2025-01-02T10:00:00Z', '-7.255')]);
    expect(s).toMatchObject({
      tradeCount: 1,
      losses: 1,
      winRate: 0,
      winRateExBreakeven: 0,
      netPnl: '-7.26',
      profitFactor: 0,
      payoffRatio: null,
      kelly: null,
      // One day: no sample stdev (Sharpe undefined); the downside deviation is the day's loss, so Sortino = −√252.
      sharpe: null,
      sortino: -15.874508,
      maxConsecutiveLosses: 1,
      maxDrawdown: { amount: '7.26', peakAt: null, troughAt: '2025-01-02T10:00:00.000Z', recoveredAt: null },
    });
    expect(s.maxDrawdown.longestUnderwater).toEqual({ seconds: 0, from: '2025-01-02T10:00:00.000Z', to: '2025-01-02T10:00:00.000Z', recovered: false });
  });

  it('all wins: no losses, so profit factor and payoff are null; no drawdown', () => {
    const s = summarize([trade('2025-01-02T10:00:00Z', '5'), trade('2025-01-03T10:00:00Z', '15'), trade('2025-01-03T11:00:00Z', '10')]);
    expect(s).toMatchObject({ wins: 3, winRate: 1, profitFactor: null, payoffRatio: null, avgLoss: null, maxConsecutiveWins: 3, maxDrawdown: { amount: '0.00', troughAt: null } });
    // Daily P&L 5 and 25: mean 15, sample stdev √200; no losing day, so Sortino is undefined.
    expect(s.sharpe).toBeCloseTo((Math.sqrt(252) * 15) / Math.sqrt(200), 6);
    expect(s.sortino).toBeNull();
  });

  it('all losses: profit factor 0, drawdown is the whole loss', () => {
    const s = summarize([trade('2025-01-02T10:00:00Z', '-5'), trade('2025-01-03T10:00:00Z', '-15')]);
    expect(s).toMatchObject({ losses: 2, profitFactor: 0, grossProfit: '0.00', grossLoss: '-20.00', avgWin: null, maxConsecutiveLosses: 2, maxDrawdown: { amount: '20.00', peakAt: null } });
    expect(s.maxDrawdown.longestUnderwater).toMatchObject({ seconds: 86_400, recovered: false });
  });

  it('the breakeven tolerance widens breakeven and breakeven ends a run', () => {
    const trades = [trade('2025-01-02T10:00:00Z', '-3'), trade('2025-01-02T11:00:00Z', '-0.5'), trade('2025-01-02T12:00:00Z', '-4')];
    expect(summarize(trades)).toMatchObject({ losses: 3, breakeven: 0, maxConsecutiveLosses: 3 });
    expect(summarize(trades, { timezone: 'UTC', breakevenTolerance: '0.5' })).toMatchObject({ losses: 2, breakeven: 1, maxConsecutiveLosses: 1, grossLoss: '-7.00' });
  });

  it('orders trades closed at the same instant by id', () => {
    const at = '2025-01-02T10:00:00Z';
    const a = { ...trade(at, '-10'), id: '00000000-0000-4000-8000-00000000000b' };
    const b = { ...trade(at, '10'), id: '00000000-0000-4000-8000-00000000000a' };
    // b (+10) first, then a (−10): drawdown 10 from the peak b set.
    const s = summarize([a, b]);
    expect(s.maxDrawdown).toMatchObject({ amount: '10.00', peakAt: at.replace('Z', '.000Z') });
  });

  it('groups days in the user time zone (America/New_York)', () => {
    const trades = [trade('2025-03-04T03:30:00Z', '10'), trade('2025-03-04T05:30:00Z', '-4')];
    expect(summarize(trades).tradingDays).toBe(1);
    expect(summarize(trades, { timezone: 'America/New_York', breakevenTolerance: '0' }).tradingDays).toBe(2);
    expect(localDay(new Date('2025-03-04T03:30:00Z'), 'America/New_York')).toBe('2025-03-03');
  });

  it('R metrics: expectancyR, SQN over trades with a risk', () => {
    const s = summarize([
      trade('2025-01-02T10:00:00Z', '20', { risk: '10' }),
      trade('2025-01-03T10:00:00Z', '-10', { risk: '10' }),
      trade('2025-01-04T10:00:00Z', '5', { risk: null }),
    ]);
    // R = 2, −1: mean 0.5, sample stdev √4.5.
    expect(s.rTradeCount).toBe(2);
    expect(s.expectancyR).toBe(0.5);
    expect(s.sqn).toBeCloseTo((Math.sqrt(2) * 0.5) / Math.sqrt(4.5), 6);
  });

  it('the longest time under water is the longest stretch below the running peak', () => {
    const s = summarize([
      trade('2025-01-01T00:00:00Z', '10'),
      trade('2025-01-02T00:00:00Z', '-1'),
      trade('2025-01-03T00:00:00Z', '2'), // back above: under water 2 days
      trade('2025-01-04T00:00:00Z', '-5'),
      trade('2025-01-05T00:00:00Z', '1'), // still under at the end: 2 days since the peak, a tie, so the earlier stretch stands
    ]);
    expect(s.maxDrawdown.longestUnderwater).toEqual({ seconds: 2 * 86_400, from: '2025-01-01T00:00:00.000Z', to: '2025-01-03T00:00:00.000Z', recovered: true });
    expect(s.maxDrawdown).toMatchObject({ amount: '5.00', peakAt: '2025-01-03T00:00:00.000Z', recoveredAt: null });
  });
});

describe('helpers', () => {
  it('money rounds half-even to cents and never prints -0.00', () => {
    expect(money('2.345')).toBe('2.34');
    expect(money('2.355')).toBe('2.36');
    expect(money('-0.001')).toBe('0.00');
    expect(money('1000')).toBe('1000.00');
  });

  it('longestRuns: breakeven ends a run', () => {
    expect(longestRuns([1, 1, 0, 1, -1, -1, -1, 1])).toEqual({ wins: 2, losses: 3 });
  });

  it('percentile interpolates between closest ranks', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3, 4], 0)).toBe(1);
    expect(percentile([1, 2, 3, 4], 1)).toBe(4);
  });

  it('binIndex puts the maximum in the last bin', () => {
    expect(binIndex(-10, -10, 20, 3)).toBe(0);
    expect(binIndex(0, -10, 20, 3)).toBe(1);
    expect(binIndex(20, -10, 20, 3)).toBe(2);
    expect(binIndex(5, 5, 5, 3)).toBe(0);
  });

  it('holdTimeBucket follows the documented bounds (lower inclusive)', () => {
    expect([59, 60, 299, 300, 899, 900, 3599, 3600, 14_399, 14_400, 86_399, 86_400, 604_799, 604_800].map(holdTimeBucket)).toEqual([
      'lt1m', '1m-5m', '1m-5m', '5m-15m', '5m-15m', '15m-1h', '15m-1h', '1h-4h', '1h-4h', '4h-1d', '4h-1d', '1d-7d', '1d-7d', 'gt7d',
    ]);
  });
});

describe('confidence intervals', () => {
  const sample = parseSample('10,-5,-10,20,0', '10010');

  it('the bootstrap is reproducible and brackets the sample mean', () => {
    const a = bootstrapConfidence(sample.pnl, sample.wins);
    const b = bootstrapConfidence(sample.pnl, sample.wins);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ level: 0.95, method: 'bootstrap', resamples: 1000 });
    expect(a.expectancy.low).toBeLessThan(3);
    expect(a.expectancy.high).toBeGreaterThan(3);
    expect(a.expectancy.low).toBeGreaterThanOrEqual(-10);
    expect(a.expectancy.high).toBeLessThanOrEqual(20);
    expect(a.winRate.low).toBeLessThan(0.4);
    expect(a.winRate.high).toBeGreaterThan(0.4);
  });

  it('a sample of identical values has a zero-width interval', () => {
    const same = parseSample('5,5,5', '111');
    expect(bootstrapConfidence(same.pnl, same.wins)).toMatchObject({ expectancy: { low: 5, high: 5 }, winRate: { low: 1, high: 1 } });
  });

  it('the normal approximation is mean ± 1.96·s/√n, win rate clamped to [0, 1]', () => {
    const c = normalConfidence(100, 2, 10, 0.99);
    expect(c.method).toBe('normal');
    expect(c.expectancy.low).toBeCloseTo(2 - 1.96, 2);
    expect(c.expectancy.high).toBeCloseTo(2 + 1.96, 2);
    expect(c.winRate.high).toBe(1);
  });

  it('the planner bootstraps small samples within the budget only', () => {
    const planner = createConfidencePlanner(3_000_000);
    expect(planner.wantsSample(BOOTSTRAP_MAX_TRADES + 1)).toBe(false);
    expect(planner.wantsSample(2000)).toBe(true);
    expect(planner.wantsSample(1000)).toBe(true);
    expect(planner.wantsSample(1)).toBe(false);
    expect(planner.wantsSample(0)).toBe(false);
  });
});

describe('sequenceAggregates', () => {
  const reference = (pnl: string[], at: number[], tolerance: string) => {
    const tol = toDecimal(tolerance);
    const runs = longestRuns(pnl.map((p) => classify(toDecimal(p), tol)));
    return {
      maxConsecutiveWins: runs.wins,
      maxConsecutiveLosses: runs.losses,
      drawdown: drawdownOf(pnl.map((p, i) => ({ at: new Date(at[i]!), pnl: toDecimal(p) }))),
    };
  };
  const decimalArb = fc
    .tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.integer({ min: 0, max: 8 }))
    .map(([units, scale]) => {
      const negative = units < 0n;
      const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
      return `${negative ? '-' : ''}${scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`}`;
    });

  it('equals drawdownOf and longestRuns, exactly, on the fast path and on the decimal fallback', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(decimalArb, fc.constantFrom('0', '0.5', '-0.5', '1', '-1')), { maxLength: 60 }),
        fc.constantFrom('0', '0.5', '1.25'),
        (pnl, tolerance) => {
          // Close times with ties and gaps, non-decreasing like trade order.
          const at = pnl.map((_, i) => Date.UTC(2025, 0, 1) + Math.floor(i / 2) * 60_000);
          const got = sequenceAggregates(pnl, at, tolerance);
          const want = reference(pnl, at, tolerance);
          expect({ ...got.drawdown, amount: toDecimal(got.drawdown.amount).toString() }).toEqual({
            ...want.drawdown,
            amount: toDecimal(want.drawdown.amount).toString(),
          });
          expect([got.maxConsecutiveWins, got.maxConsecutiveLosses]).toEqual([want.maxConsecutiveWins, want.maxConsecutiveLosses]);
          expect(Array.from(got.pnl)).toEqual(pnl.map(Number));
          expect(Array.from(got.wins)).toEqual(pnl.map((p) => (toDecimal(p).gt(toDecimal(tolerance)) ? 1 : 0)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps cents exact where float sums would drift', () => {
    const pnl = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? '0.1' : '-0.2'));
    expect(sequenceAggregates(pnl, pnl.map((_, i) => i * 1000), '0').drawdown.amount).toBe('50.1');
  });
});

describe('day segments (daily_sequences)', () => {
  const tradesArb = fc.array(
    fc.record({
      pnl: fc.oneof(
        fc.integer({ min: -500, max: 500 }).map((c) => (c / 100).toFixed(2)),
        fc.constantFrom('0', '0.5', '-0.5', '3', '-3', '0.125'),
      ),
      // Minutes after the previous trade: 0 makes ties (same close time), the gaps vary the underwater spans.
      gap: fc.constantFrom(0, 1, 7, 60, 600),
      // Whether this trade starts a new day (the first trade always does).
      newDay: fc.boolean(),
    }),
    { maxLength: 60 },
  );

  it('merge into exactly the drawdown (with its dates and underwater stretch) and the runs of the whole sequence', () => {
    fc.assert(
      fc.property(tradesArb, fc.constantFrom('0', '0.5', '1.25'), (specs, tolerance) => {
        let ms = Date.UTC(2025, 0, 1);
        const days: { pnl: string; ms: number }[][] = [];
        for (const [i, s] of specs.entries()) {
          ms += s.gap * 60_000;
          if (i === 0 || s.newDay) days.push([]);
          days.at(-1)!.push({ pnl: s.pnl, ms });
        }
        const all = days.flat();
        const merged = mergeDaySegments(days.map((d) => daySegmentOf(d, tolerance)));
        const whole = sequenceAggregates(
          all.map((x) => x.pnl),
          all.map((x) => x.ms),
          tolerance,
        );
        expect(merged).not.toBeNull();
        expect({ ...merged!.drawdown, amount: toDecimal(merged!.drawdown.amount).toString() }).toEqual({
          ...whole.drawdown,
          amount: toDecimal(whole.drawdown.amount).toString(),
        });
        expect([merged!.maxConsecutiveWins, merged!.maxConsecutiveLosses]).toEqual([whole.maxConsecutiveWins, whole.maxConsecutiveLosses]);
      }),
      { numRuns: 2000 },
    );
  });

  it('merge the same without the ladders of days that have no trade at the running peak (what the summary reads)', () => {
    fc.assert(
      fc.property(tradesArb, fc.constantFrom('0', '0.5', '1.25'), (specs, tolerance) => {
        let ms = Date.UTC(2025, 0, 1);
        const days: { pnl: string; ms: number }[][] = [];
        for (const [i, s] of specs.entries()) {
          ms += s.gap * 60_000;
          if (i === 0 || s.newDay) days.push([]);
          days.at(-1)!.push({ pnl: s.pnl, ms });
        }
        const segments = days.map((d) => daySegmentOf(d, tolerance));
        // As daySegmentsQuery: D = P − C entering each day, with P = max(0, C + the largest s_k of every earlier day).
        let cum = toDecimal('0');
        let peak = toDecimal('0');
        const trimmed = segments.map((g) => {
          const top = g.ladder.at(-1);
          const keep = top !== undefined && toDecimal(top.pnl).gte(peak.minus(cum));
          if (top !== undefined && cum.plus(top.pnl).gt(peak)) peak = cum.plus(top.pnl);
          cum = cum.plus(g.netPnl);
          return keep ? g : { ...g, ladder: [] };
        });
        const text = trimmed.map(formatDaySegment).join('|');
        expect(mergePackedSegments(parseDaySegments(text))).toEqual(mergeDaySegments(segments));
      }),
      { numRuns: 2000 },
    );
  });

  it('pack segment texts into integer units of the most fraction digits present', () => {
    const text = ['2;-1.5;1000;2000;-1.5;2;2000;1.5;2;2000;-1;2;-1;2;0;2;;;', '1;0.125;3000;3000;0;1;3000;0;1;3000;1;1;1;1;1;0;1;0.125;3000'].join('|');
    const packed = parseDaySegments(text);
    expect(packed).toEqual({
      days: 2,
      scale: 3,
      fields: [2, -1500, 1000, 2000, -1500, 2, 2000, 1500, 2, 2000, -1, 2, -1, 2, 0, 2, 1, 125, 3000, 3000, 0, 1, 3000, 0, 1, 3000, 1, 1, 1, 1, 1, 0],
      ladderStart: [0, 0, 1],
      ladderK: [1],
      ladderPnl: [125],
      ladderMs: [3000],
    });
    expect(parseDaySegments('')).toEqual({ days: 0, scale: 0, fields: [], ladderStart: [0], ladderK: [], ladderPnl: [], ladderMs: [] });
    expect(mergePackedSegments(packed)!.drawdown).toEqual({
      amount: '1.5',
      peakAt: null,
      troughAt: new Date(2000),
      recoveredAt: null,
      underwater: { seconds: 2, from: new Date(1000), to: new Date(3000), recovered: false },
    });
  });

  it('summarise one day as documented', () => {
    const at = (minute: number) => Date.UTC(2025, 0, 1, 14, minute);
    // s: 2, -1, 4, 4, 1, 3 — the ladder is every k with s_k ≥ max(0, s_1 … s_k−1).
    const segment = daySegmentOf(
      [
        { pnl: '2', ms: at(0) },
        { pnl: '-3', ms: at(1) },
        { pnl: '5', ms: at(2) },
        { pnl: '0', ms: at(3) },
        { pnl: '-3', ms: at(4) },
        { pnl: '2', ms: at(5) },
      ],
      '0',
    );
    expect(segment).toEqual({
      tradeCount: 6,
      netPnl: '3',
      firstMs: at(0),
      lastMs: at(5),
      minPrefix: '-1',
      minK: 2,
      minMs: at(1),
      maxDrawdown: '3',
      drawdownK: 2,
      drawdownMs: at(1),
      ladder: [
        { k: 1, pnl: '2', ms: at(0) },
        { k: 3, pnl: '4', ms: at(2) },
        { k: 4, pnl: '4', ms: at(3) },
      ],
      leadOutcome: 1,
      leadRun: 1,
      trailOutcome: 1,
      trailRun: 1,
      maxWinRun: 1,
      maxLossRun: 1,
    });
  });

  it('gives up (null) where float64 units could not hold the sums exactly', () => {
    const segment = daySegmentOf([{ pnl: '123456789012.123456789', ms: 0 }], '0');
    expect(mergeDaySegments([segment])).toBeNull();
    expect(mergeDaySegments([])).toEqual({
      maxConsecutiveWins: 0,
      maxConsecutiveLosses: 0,
      drawdown: { amount: '0', peakAt: null, troughAt: null, recoveredAt: null, underwater: null },
    });
  });
});
