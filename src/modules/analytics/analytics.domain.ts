/**
 * Trading-performance metrics, pure. docs/metrics.md holds the definitions; this file is their
 * executable form. The repository computes sums, counts and sequences in SQL and hands the
 * aggregates to `finishSummary`; `summarizeTrades` computes the same aggregates from a list of
 * trades and is the reference the scenario and property tests check the SQL against.
 */
import type { Decimal} from '../../lib/decimal.js';
import { ZERO, roundTo, toDecimal } from '../../lib/decimal.js';

/** −1 loss, 0 breakeven, 1 win: |P&L| ≤ tolerance is breakeven. */
export type Outcome = -1 | 0 | 1;

export function classify(netPnl: Decimal, tolerance: Decimal): Outcome {
  if (netPnl.gt(tolerance)) return 1;
  if (netPnl.lt(tolerance.neg())) return -1;
  return 0;
}

/** Money leaves the service as a decimal string rounded half-even to cents. */
export function money(value: Decimal | string): string {
  const d = roundTo(typeof value === 'string' ? toDecimal(value) : value, 2);
  return d.isZero() ? '0.00' : d.toFixed(2);
}

export const moneyOrNull = (value: Decimal | string | null): string | null => (value === null ? null : money(value));

/** Ratios are numbers, rounded to 6 places so float noise of the two SQL engines never shows. */
export function ratio(value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const r = Math.round(value * 1e6) / 1e6;
  return Object.is(r, -0) ? 0 : r;
}

const divOrNull = (a: Decimal, b: Decimal): Decimal | null => (b.isZero() ? null : a.div(b));

export interface DrawdownAggregates {
  /** Largest fall of cumulative P&L from its running peak (≥ 0). */
  amount: string;
  /** Close time of the last trade at the peak the max drawdown fell from; null when that peak is the start (0 before any trade). */
  peakAt: Date | null;
  troughAt: Date | null;
  recoveredAt: Date | null;
  /** The longest stretch below the running peak. */
  underwater: { seconds: number; from: Date; to: Date; recovered: boolean } | null;
}

/** What SQL (or `summarizeTrades`) computes; `finishSummary` derives the rest. */
export interface SummaryAggregates {
  tradeCount: number;
  wins: number;
  losses: number;
  breakeven: number;
  netPnl: string;
  grossPnl: string;
  fees: string;
  grossProfit: string;
  grossLoss: string;
  largestWin: string | null;
  largestLoss: string | null;
  avgHoldSeconds: number | null;
  avgHoldSecondsWin: number | null;
  avgHoldSecondsLoss: number | null;
  /** Trades with a risk (initial risk, or entry-to-stop) and their R multiples' mean and sample stdev. */
  rCount: number;
  rMean: number | null;
  rStdev: number | null;
  maxConsecutiveWins: number;
  maxConsecutiveLosses: number;
  drawdown: DrawdownAggregates;
  /** Daily P&L (days with ≥ 1 closed trade, user's time zone): count, mean, sample stdev, √mean(min(0,d)²). */
  tradingDays: number;
  dailyMean: number | null;
  dailyStdev: number | null;
  dailyDownsideDeviation: number | null;
}

export interface ConfidenceInterval {
  low: number;
  high: number;
}

export interface Confidence {
  level: number;
  /** bootstrap: percentile bootstrap over resampled trades; normal: mean ± z·s/√n (large samples, see docs/metrics.md). */
  method: 'bootstrap' | 'normal';
  resamples: number;
  expectancy: ConfidenceInterval;
  winRate: ConfidenceInterval;
}

export interface Summary {
  tradeCount: number;
  wins: number;
  losses: number;
  breakeven: number;
  winRate: number | null;
  winRateExBreakeven: number | null;
  netPnl: string;
  grossPnl: string;
  fees: string;
  grossProfit: string;
  grossLoss: string;
  profitFactor: number | null;
  avgWin: string | null;
  avgLoss: string | null;
  payoffRatio: number | null;
  largestWin: string | null;
  largestLoss: string | null;
  expectancy: string | null;
  expectancyR: number | null;
  rTradeCount: number;
  maxDrawdown: {
    amount: string;
    peakAt: string | null;
    troughAt: string | null;
    recoveredAt: string | null;
    longestUnderwater: { seconds: number; from: string; to: string; recovered: boolean } | null;
  };
  maxConsecutiveWins: number;
  maxConsecutiveLosses: number;
  avgHoldSeconds: number | null;
  avgHoldSecondsWin: number | null;
  avgHoldSecondsLoss: number | null;
  tradingDays: number;
  sharpe: number | null;
  sortino: number | null;
  sqn: number | null;
  kelly: number | null;
  confidence: Confidence | null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

export function sharpeRatio(dailyMean: number | null, dailyStdev: number | null): number | null {
  if (dailyMean === null || dailyStdev === null || !(dailyStdev > 0)) return null;
  return (Math.sqrt(252) * dailyMean) / dailyStdev;
}

export function sortinoRatio(dailyMean: number | null, downsideDeviation: number | null): number | null {
  if (dailyMean === null || downsideDeviation === null || !(downsideDeviation > 0)) return null;
  return (Math.sqrt(252) * dailyMean) / downsideDeviation;
}

export function systemQualityNumber(rCount: number, rMean: number | null, rStdev: number | null): number | null {
  if (rMean === null || rStdev === null || !(rStdev > 0) || rCount < 2) return null;
  return (Math.sqrt(Math.min(rCount, 100)) * rMean) / rStdev;
}

export function kellyFraction(winRateExBreakeven: number | null, payoffRatio: number | null): number | null {
  if (winRateExBreakeven === null || payoffRatio === null || payoffRatio === 0) return null;
  return winRateExBreakeven - (1 - winRateExBreakeven) / payoffRatio;
}

export function finishSummary(a: SummaryAggregates, confidence: Confidence | null): Summary {
  const n = a.tradeCount;
  const grossProfit = toDecimal(a.grossProfit);
  const grossLoss = toDecimal(a.grossLoss);
  const avgWin = a.wins > 0 ? grossProfit.div(a.wins) : null;
  const avgLoss = a.losses > 0 ? grossLoss.div(a.losses) : null;
  const payoff = avgWin !== null && avgLoss !== null ? divOrNull(avgWin, avgLoss.abs()) : null;
  const profitFactor = a.losses > 0 ? divOrNull(grossProfit, grossLoss.abs()) : null;
  const winRateEx = a.wins + a.losses > 0 ? a.wins / (a.wins + a.losses) : null;
  const payoffRatio = payoff === null ? null : payoff.toNumber();
  return {
    tradeCount: n,
    wins: a.wins,
    losses: a.losses,
    breakeven: a.breakeven,
    winRate: n > 0 ? ratio(a.wins / n) : null,
    winRateExBreakeven: ratio(winRateEx),
    netPnl: money(a.netPnl),
    grossPnl: money(a.grossPnl),
    fees: money(a.fees),
    grossProfit: money(grossProfit),
    grossLoss: money(grossLoss),
    profitFactor: profitFactor === null ? null : ratio(profitFactor.toNumber()),
    avgWin: moneyOrNull(avgWin),
    avgLoss: moneyOrNull(avgLoss),
    payoffRatio: ratio(payoffRatio),
    largestWin: moneyOrNull(a.largestWin),
    largestLoss: moneyOrNull(a.largestLoss),
    expectancy: n > 0 ? money(toDecimal(a.netPnl).div(n)) : null,
    expectancyR: a.rCount > 0 ? ratio(a.rMean) : null,
    rTradeCount: a.rCount,
    maxDrawdown: {
      amount: money(a.drawdown.amount),
      peakAt: iso(a.drawdown.peakAt),
      troughAt: iso(a.drawdown.troughAt),
      recoveredAt: iso(a.drawdown.recoveredAt),
      longestUnderwater: a.drawdown.underwater
        ? {
            seconds: a.drawdown.underwater.seconds,
            from: a.drawdown.underwater.from.toISOString(),
            to: a.drawdown.underwater.to.toISOString(),
            recovered: a.drawdown.underwater.recovered,
          }
        : null,
    },
    maxConsecutiveWins: a.maxConsecutiveWins,
    maxConsecutiveLosses: a.maxConsecutiveLosses,
    avgHoldSeconds: round1(a.avgHoldSeconds),
    avgHoldSecondsWin: round1(a.avgHoldSecondsWin),
    avgHoldSecondsLoss: round1(a.avgHoldSecondsLoss),
    tradingDays: a.tradingDays,
    sharpe: ratio(sharpeRatio(a.dailyMean, a.dailyStdev)),
    sortino: ratio(sortinoRatio(a.dailyMean, a.dailyDownsideDeviation)),
    sqn: ratio(systemQualityNumber(a.rCount, a.rMean, a.rStdev)),
    kelly: ratio(kellyFraction(winRateEx, payoffRatio)),
    confidence,
  };
}

// ---------------------------------------------------------------------------------------------
// Confidence intervals

/** mulberry32: a tiny seeded PRNG, so the same data always gives the same interval. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Linear interpolation between closest ranks (R type 7) over an ascending array. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('percentile of nothing');
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export const CI_LEVEL = 0.95;
export const BOOTSTRAP_RESAMPLES = 1000;
export const BOOTSTRAP_SEED = 0x7ade5e05;
/** Above this many trades a group's interval is the normal approximation (the bootstrap converges to it). */
export const BOOTSTRAP_MAX_TRADES = 2000;
/** Resampled draws one request may spend on bootstraps (a breakdown has many groups). */
export const BOOTSTRAP_BUDGET_DRAWS = 4_000_000;
const Z95 = 1.959963984540054;

/**
 * Percentile bootstrap of the mean P&L (expectancy) and the win rate: `resamples` samples of
 * n trades drawn with replacement (seeded), the 2.5th and 97.5th percentiles of their means.
 * The values are float P&L, so the bounds are floats over resampled means.
 */
export function bootstrapConfidence(pnl: Float64Array, wins: Uint8Array, resamples = BOOTSTRAP_RESAMPLES, seed = BOOTSTRAP_SEED): Confidence {
  const n = pnl.length;
  if (n === 0 || wins.length !== n) throw new RangeError('bootstrap needs one win flag per P&L value, and at least one');
  const random = mulberry32(seed);
  const means = new Float64Array(resamples);
  const rates = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    let w = 0;
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random() * n);
      sum += pnl[j]!;
      w += wins[j]!;
    }
    means[b] = sum / n;
    rates[b] = w / n;
  }
  means.sort();
  rates.sort();
  const lowQ = (1 - CI_LEVEL) / 2;
  return {
    level: CI_LEVEL,
    method: 'bootstrap',
    resamples,
    expectancy: { low: round2(percentile(means, lowQ)), high: round2(percentile(means, 1 - lowQ)) },
    winRate: { low: ratio(percentile(rates, lowQ))!, high: ratio(percentile(rates, 1 - lowQ))! },
  };
}

const round2 = (v: number) => {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? 0 : r;
};

/** mean ± z·s/√n for expectancy, p ± z·√(p(1−p)/n) clamped to [0, 1] for the win rate. */
export function normalConfidence(n: number, mean: number, stdev: number, winRate: number): Confidence {
  const se = n > 1 ? stdev / Math.sqrt(n) : 0;
  const pse = Math.sqrt((winRate * (1 - winRate)) / n);
  return {
    level: CI_LEVEL,
    method: 'normal',
    resamples: 0,
    expectancy: { low: round2(mean - Z95 * se), high: round2(mean + Z95 * se) },
    winRate: { low: ratio(Math.max(0, winRate - Z95 * pse))!, high: ratio(Math.min(1, winRate + Z95 * pse))! },
  };
}

// ---------------------------------------------------------------------------------------------
// Buckets

/** Hold-time buckets: [lower, upper) in seconds; the last is open-ended. */
export const HOLD_TIME_BUCKETS: readonly { key: string; label: string; lower: number; upper: number | null }[] = [
  { key: 'lt1m', label: '< 1m', lower: 0, upper: 60 },
  { key: '1m-5m', label: '1–5m', lower: 60, upper: 300 },
  { key: '5m-15m', label: '5–15m', lower: 300, upper: 900 },
  { key: '15m-1h', label: '15–60m', lower: 900, upper: 3600 },
  { key: '1h-4h', label: '1–4h', lower: 3600, upper: 14_400 },
  { key: '4h-1d', label: '4h–1d', lower: 14_400, upper: 86_400 },
  { key: '1d-7d', label: '1–7d', lower: 86_400, upper: 604_800 },
  { key: 'gt7d', label: '> 7d', lower: 604_800, upper: null },
];

export const BREAKDOWN_DIMENSIONS = ['symbol', 'tag', 'playbook', 'account', 'side', 'assetClass', 'weekday', 'hour', 'holdTime', 'month'] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

export function holdTimeBucket(seconds: number): string {
  for (const b of HOLD_TIME_BUCKETS) if (b.upper === null || seconds < b.upper) return b.key;
  return HOLD_TIME_BUCKETS.at(-1)!.key;
}

/** Equal-width bins between min and max; the maximum falls in the last bin. Answers the bin index of each value. */
export function binIndex(value: number, min: number, max: number, buckets: number): number {
  if (max <= min) return 0;
  return Math.min(buckets - 1, Math.floor(((value - min) / (max - min)) * buckets));
}

// ---------------------------------------------------------------------------------------------
// Reference implementation over a list of trades

export interface DomainTrade {
  id: string;
  closedAt: Date;
  netPnl: string;
  grossPnl: string;
  fees: string;
  holdSeconds: number | null;
  /** Risk in money (initial risk, else |entry − stop| × quantity × multiplier); null or 0 = none. */
  risk: string | null;
}

/** The calendar day of an instant in a time zone, YYYY-MM-DD. */
export function localDay(at: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);
function sampleStdev(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs)!;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

export function tradeOrder(a: DomainTrade, b: DomainTrade): number {
  return a.closedAt.getTime() - b.closedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Drawdown over P&L in trade order, as docs/metrics.md defines it. */
export function drawdownOf(sequence: readonly { at: Date; pnl: Decimal }[]): DrawdownAggregates {
  let cum = ZERO;
  let peak = ZERO;
  let peakAt: Date | null = null;
  let best = { amount: ZERO, peak: ZERO, peakAt: null as Date | null, troughIndex: -1 };
  let lastAtPeakIndex = -1;
  let underwater: DrawdownAggregates['underwater'] = null;
  let longestMs = -1;
  const consider = (from: Date, to: Date, recovered: boolean) => {
    const span = to.getTime() - from.getTime();
    if (span > longestMs) {
      longestMs = span;
      underwater = { seconds: Math.round(span / 1000), from, to, recovered };
    }
  };
  sequence.forEach((step, i) => {
    cum = cum.plus(step.pnl);
    if (cum.gte(peak)) {
      // Back at (or above) the peak: an underwater stretch since the last peak ends here.
      if (i - lastAtPeakIndex > 1) consider(lastAtPeakIndex >= 0 ? sequence[lastAtPeakIndex]!.at : sequence[0]!.at, step.at, true);
      peak = cum;
      peakAt = step.at;
      lastAtPeakIndex = i;
      return;
    }
    const dd = peak.minus(cum);
    if (dd.gt(best.amount)) best = { amount: dd, peak, peakAt, troughIndex: i };
  });
  const last = sequence.length - 1;
  if (last >= 0 && lastAtPeakIndex < last) consider(lastAtPeakIndex >= 0 ? sequence[lastAtPeakIndex]!.at : sequence[0]!.at, sequence[last]!.at, false);
  let recoveredAt: Date | null = null;
  if (best.troughIndex >= 0) {
    let c = ZERO;
    for (let i = 0; i < sequence.length; i++) {
      c = c.plus(sequence[i]!.pnl);
      if (i > best.troughIndex && c.gte(best.peak)) {
        recoveredAt = sequence[i]!.at;
        break;
      }
    }
  }
  return {
    amount: best.amount.toFixed(),
    peakAt: best.troughIndex >= 0 ? best.peakAt : null,
    troughAt: best.troughIndex >= 0 ? sequence[best.troughIndex]!.at : null,
    recoveredAt,
    underwater,
  };
}

/** Longest runs of wins and of losses; a breakeven trade ends a run. */
export function longestRuns(outcomes: readonly Outcome[]): { wins: number; losses: number } {
  let wins = 0;
  let losses = 0;
  let run = 0;
  let kind: Outcome = 0;
  for (const o of outcomes) {
    run = o !== 0 && o === kind ? run + 1 : o === 0 ? 0 : 1;
    kind = o;
    if (o === 1) wins = Math.max(wins, run);
    if (o === -1) losses = Math.max(losses, run);
  }
  return { wins, losses };
}

export function summarizeTrades(input: readonly DomainTrade[], settings: { timezone: string; breakevenTolerance: string }): SummaryAggregates {
  const tolerance = toDecimal(settings.breakevenTolerance);
  const list = [...input].sort(tradeOrder);
  const outcomes = list.map((t) => classify(toDecimal(t.netPnl), tolerance));
  let net = ZERO;
  let gross = ZERO;
  let fees = ZERO;
  let grossProfit = ZERO;
  let grossLoss = ZERO;
  let largestWin: Decimal | null = null;
  let largestLoss: Decimal | null = null;
  const holds: number[] = [];
  const winHolds: number[] = [];
  const lossHolds: number[] = [];
  const rs: number[] = [];
  const daily = new Map<string, Decimal>();
  list.forEach((t, i) => {
    const pnl = toDecimal(t.netPnl);
    net = net.plus(pnl);
    gross = gross.plus(toDecimal(t.grossPnl));
    fees = fees.plus(toDecimal(t.fees));
    const o = outcomes[i]!;
    if (o === 1) {
      grossProfit = grossProfit.plus(pnl);
      largestWin = largestWin === null || pnl.gt(largestWin) ? pnl : largestWin;
    }
    if (o === -1) {
      grossLoss = grossLoss.plus(pnl);
      largestLoss = largestLoss === null || pnl.lt(largestLoss) ? pnl : largestLoss;
    }
    if (t.holdSeconds !== null) {
      holds.push(t.holdSeconds);
      if (o === 1) winHolds.push(t.holdSeconds);
      if (o === -1) lossHolds.push(t.holdSeconds);
    }
    if (t.risk !== null && !toDecimal(t.risk).isZero()) rs.push(pnl.div(toDecimal(t.risk).abs()).toNumber());
    const day = localDay(t.closedAt, settings.timezone);
    daily.set(day, (daily.get(day) ?? ZERO).plus(pnl));
  });
  const days = [...daily.values()].map((d) => d.toNumber());
  const runs = longestRuns(outcomes);
  const downside = days.length > 0 ? Math.sqrt(days.reduce((s, d) => s + Math.min(0, d) ** 2, 0) / days.length) : null;
  const str = (d: Decimal | null) => (d === null ? null : d.toFixed());
  return {
    tradeCount: list.length,
    wins: outcomes.filter((o) => o === 1).length,
    losses: outcomes.filter((o) => o === -1).length,
    breakeven: outcomes.filter((o) => o === 0).length,
    netPnl: net.toFixed(),
    grossPnl: gross.toFixed(),
    fees: fees.toFixed(),
    grossProfit: grossProfit.toFixed(),
    grossLoss: grossLoss.toFixed(),
    largestWin: str(largestWin),
    largestLoss: str(largestLoss),
    avgHoldSeconds: mean(holds),
    avgHoldSecondsWin: mean(winHolds),
    avgHoldSecondsLoss: mean(lossHolds),
    rCount: rs.length,
    rMean: mean(rs),
    rStdev: sampleStdev(rs),
    maxConsecutiveWins: runs.wins,
    maxConsecutiveLosses: runs.losses,
    drawdown: drawdownOf(list.map((t) => ({ at: t.closedAt, pnl: toDecimal(t.netPnl) }))),
    tradingDays: days.length,
    dailyMean: mean(days),
    dailyStdev: sampleStdev(days),
    dailyDownsideDeviation: downside,
  };
}

/**
 * Chooses each sample's method: the bootstrap for samples of at most BOOTSTRAP_MAX_TRADES while
 * the request's budget of resampled draws lasts (groups in the order given), else the normal
 * approximation from the sample's mean, stdev and win count, which SQL computes.
 */
export function createConfidencePlanner(budgetDraws = BOOTSTRAP_BUDGET_DRAWS) {
  let left = budgetDraws;
  return {
    wantsSample(n: number): boolean {
      if (n === 0 || n > BOOTSTRAP_MAX_TRADES || n * BOOTSTRAP_RESAMPLES > left) return false;
      left -= n * BOOTSTRAP_RESAMPLES;
      return true;
    },
  };
}

/** Parses the comma-separated P&L floats and 0/1 win flags the repository aggregates per sample. */
export function parseSample(values: string, flags: string): { pnl: Float64Array; wins: Uint8Array } {
  const parts = values.split(',');
  const pnl = new Float64Array(parts.length);
  const wins = new Uint8Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    pnl[i] = Number(parts[i]);
    wins[i] = flags.charCodeAt(i) === 49 ? 1 : 0;
  }
  return { pnl, wins };
}

// ---------------------------------------------------------------------------------------------
// Trade-order metrics from the compact P&L sequence

/** What only the per-trade sequence gives (the rest of the summary comes from daily sums). */
export interface SequenceAggregates {
  maxConsecutiveWins: number;
  maxConsecutiveLosses: number;
  drawdown: DrawdownAggregates;
  /** Float P&L and win flags in trade order, for the bootstrap. */
  pnl: Float64Array;
  wins: Uint8Array;
}

const fractionDigits = (s: string) => {
  const point = s.indexOf('.');
  return point === -1 ? 0 : s.length - point - 1;
};

/** An integer count of 10^-scale units as a plain decimal string without trailing fraction zeros (as decimal.js writes it). */
function formatUnits(units: number, scale: number): string {
  const digits = Math.abs(units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, '');
  return units < 0 ? `-${text}` : text;
}

/**
 * Drawdown (as `drawdownOf`) and longest runs (as `longestRuns`) over net P&L decimal strings
 * in trade order with their close times (ms). Exact: the values become integers of 10^-scale
 * units (scale = the most fraction digits present), summed in float64 only while every partial
 * sum is an exactly representable integer; otherwise the decimal.js reference does it.
 */
export function sequenceAggregates(pnlText: readonly string[], atMs: readonly number[], tolerance: string): SequenceAggregates {
  const n = pnlText.length;
  if (atMs.length !== n) throw new RangeError('one close time per P&L value');
  const pnl = new Float64Array(n);
  let scale = fractionDigits(tolerance);
  for (let i = 0; i < n; i++) {
    pnl[i] = Number(pnlText[i]);
    const s = fractionDigits(pnlText[i]!);
    if (s > scale) scale = s;
  }
  const factor = 10 ** scale;
  const units = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    units[i] = Math.round(pnl[i]! * factor);
    total += Math.abs(units[i]!);
  }
  const tol = Math.round(Number(tolerance) * factor);
  const wins = new Uint8Array(n);
  // Each value below 2^51 units rounds to its exact unit count; every running sum and peak distance stays below 2^53.
  if (!(scale <= 15 && 2 * total + tol < 2 ** 51)) {
    const tolD = toDecimal(tolerance);
    const outcomes = pnlText.map((p) => classify(toDecimal(p), tolD));
    outcomes.forEach((o, i) => (wins[i] = o === 1 ? 1 : 0));
    const runs = longestRuns(outcomes);
    const drawdown = drawdownOf(pnlText.map((p, i) => ({ at: new Date(atMs[i]!), pnl: toDecimal(p) })));
    return { maxConsecutiveWins: runs.wins, maxConsecutiveLosses: runs.losses, drawdown, pnl, wins };
  }

  let maxWins = 0;
  let maxLosses = 0;
  let run = 0;
  let kind = 0;
  let cum = 0;
  let peak = 0;
  let peakAt: number | null = null;
  let bestAmount = 0;
  let bestPeak = 0;
  let bestPeakAt: number | null = null;
  let troughIndex = -1;
  let lastAtPeak = -1;
  let longestMs = -1;
  let underwater: DrawdownAggregates['underwater'] = null;
  const consider = (fromMs: number, toMs: number, recovered: boolean) => {
    const span = toMs - fromMs;
    if (span > longestMs) {
      longestMs = span;
      underwater = { seconds: Math.round(span / 1000), from: new Date(fromMs), to: new Date(toMs), recovered };
    }
  };
  for (let i = 0; i < n; i++) {
    const u = units[i]!;
    const o = u > tol ? 1 : u < -tol ? -1 : 0;
    if (o === 1) wins[i] = 1;
    run = o !== 0 && o === kind ? run + 1 : o === 0 ? 0 : 1;
    kind = o;
    if (o === 1 && run > maxWins) maxWins = run;
    if (o === -1 && run > maxLosses) maxLosses = run;

    cum += u;
    if (cum >= peak) {
      if (i - lastAtPeak > 1) consider(lastAtPeak >= 0 ? atMs[lastAtPeak]! : atMs[0]!, atMs[i]!, true);
      peak = cum;
      peakAt = atMs[i]!;
      lastAtPeak = i;
      continue;
    }
    if (peak - cum > bestAmount) {
      bestAmount = peak - cum;
      bestPeak = peak;
      bestPeakAt = peakAt;
      troughIndex = i;
    }
  }
  if (n > 0 && lastAtPeak < n - 1) consider(lastAtPeak >= 0 ? atMs[lastAtPeak]! : atMs[0]!, atMs[n - 1]!, false);
  let recoveredAt: Date | null = null;
  if (troughIndex >= 0) {
    let c = 0;
    for (let i = 0; i < n; i++) {
      c += units[i]!;
      if (i > troughIndex && c >= bestPeak) {
        recoveredAt = new Date(atMs[i]!);
        break;
      }
    }
  }
  return {
    maxConsecutiveWins: maxWins,
    maxConsecutiveLosses: maxLosses,
    drawdown: {
      amount: formatUnits(bestAmount, scale),
      peakAt: troughIndex >= 0 && bestPeakAt !== null ? new Date(bestPeakAt) : null,
      troughAt: troughIndex >= 0 ? new Date(atMs[troughIndex]!) : null,
      recoveredAt,
      underwater,
    },
    pnl,
    wins,
  };
}

// ---------------------------------------------------------------------------------------------
// Trade-order metrics from per-day summaries of the sequence (daily_sequences)

/**
 * One local day's closed trades in trade order, summarised so that consecutive days combine into
 * the drawdown and the longest runs of their concatenation (`mergePackedSegments`). With k = 1…n the
 * day's trades and s_k the sum of the first k P&Ls: the minimum s_k (first k), the largest
 * max(0, s_1…s_k) − s_k (first k), the ladder (every k with s_k ≥ max(0, s_1…s_k−1), in order) and
 * the runs at both ends and inside. `daySegmentOf` is the definition; SQL computes the same rows.
 */
export interface DaySegment {
  tradeCount: number;
  netPnl: string;
  firstMs: number;
  lastMs: number;
  minPrefix: string;
  minK: number;
  minMs: number;
  maxDrawdown: string;
  drawdownK: number;
  drawdownMs: number;
  ladder: { k: number; pnl: string; ms: number }[];
  leadOutcome: Outcome;
  leadRun: number;
  trailOutcome: Outcome;
  trailRun: number;
  maxWinRun: number;
  maxLossRun: number;
}

/** The DaySegment of one day's trades (P&L decimal strings and close times in ms, in trade order; at least one). */
export function daySegmentOf(trades: readonly { pnl: string; ms: number }[], tolerance: string): DaySegment {
  if (trades.length === 0) throw new RangeError('a day segment needs at least one trade');
  const tol = toDecimal(tolerance);
  const outcomes = trades.map((t) => classify(toDecimal(t.pnl), tol));
  let s = ZERO;
  let rPrev = ZERO;
  let min: { value: Decimal; k: number; ms: number } | null = null;
  let dd = { value: ZERO, k: 1, ms: trades[0]!.ms };
  const ladder: DaySegment['ladder'] = [];
  trades.forEach((t, i) => {
    s = s.plus(toDecimal(t.pnl));
    const k = i + 1;
    if (min === null || s.lt(min.value)) min = { value: s, k, ms: t.ms };
    if (s.gte(rPrev)) ladder.push({ k, pnl: s.toFixed(), ms: t.ms });
    const r = s.gt(rPrev) ? s : rPrev;
    if (r.minus(s).gt(dd.value)) dd = { value: r.minus(s), k, ms: t.ms };
    rPrev = r;
  });
  const runLength = (from: number, step: 1 | -1) => {
    const o = outcomes[from]!;
    if (o === 0) return 0;
    let len = 0;
    for (let i = from; i >= 0 && i < outcomes.length && outcomes[i] === o; i += step) len++;
    return len;
  };
  const runs = longestRuns(outcomes);
  const lowest = min!;
  return {
    tradeCount: trades.length,
    netPnl: s.toFixed(),
    firstMs: trades[0]!.ms,
    lastMs: trades.at(-1)!.ms,
    minPrefix: lowest.value.toFixed(),
    minK: lowest.k,
    minMs: lowest.ms,
    maxDrawdown: dd.value.toFixed(),
    drawdownK: dd.k,
    drawdownMs: dd.ms,
    ladder,
    leadOutcome: outcomes[0]!,
    leadRun: runLength(0, 1),
    trailOutcome: outcomes.at(-1)!,
    trailRun: runLength(outcomes.length - 1, -1),
    maxWinRun: runs.wins,
    maxLossRun: runs.losses,
  };
}

/**
 * Day segments packed for merging: per day the DaySegment fields as numbers (stride
 * SEGMENT_FIELDS, at the `F_…` offsets), amounts as integer counts of 10^-scale units, and the
 * ladders end to end (day i's entries are [ladderStart[i], ladderStart[i + 1])). This is what
 * `parseDaySegments` makes of the stored segment texts, without a string or object per value.
 */
export interface PackedSegments {
  days: number;
  scale: number;
  fields: number[];
  ladderStart: number[];
  ladderK: number[];
  ladderPnl: number[];
  ladderMs: number[];
}

const SEGMENT_FIELDS = 16;
const F_COUNT = 0;
const F_NET = 1;
const F_FIRST_MS = 2;
const F_LAST_MS = 3;
const F_MIN = 4;
const F_MIN_K = 5;
const F_MIN_MS = 6;
const F_DRAWDOWN = 7;
const F_DRAWDOWN_K = 8;
const F_DRAWDOWN_MS = 9;
const F_LEAD = 10;
const F_LEAD_RUN = 11;
const F_TRAIL = 12;
const F_TRAIL_RUN = 13;
const F_MAX_WIN_RUN = 14;
const F_MAX_LOSS_RUN = 15;
/** The fields that are amounts (decimal text, held in units). */
const AMOUNT_FIELDS = [F_NET, F_MIN, F_DRAWDOWN];

/**
 * One day's segment as the stored `segment` text holds it (docs/metrics.md): the fields in
 * `F_…` order separated by ';', then the ladder's k, s_k and close times as comma-separated lists.
 */
export function formatDaySegment(g: DaySegment): string {
  return [
    g.tradeCount,
    g.netPnl,
    g.firstMs,
    g.lastMs,
    g.minPrefix,
    g.minK,
    g.minMs,
    g.maxDrawdown,
    g.drawdownK,
    g.drawdownMs,
    g.leadOutcome,
    g.leadRun,
    g.trailOutcome,
    g.trailRun,
    g.maxWinRun,
    g.maxLossRun,
    g.ladder.map((e) => e.k).join(','),
    g.ladder.map((e) => e.pnl).join(','),
    g.ladder.map((e) => e.ms).join(','),
  ].join(';');
}

/**
 * Packs day segment texts (`formatDaySegment`, days separated by '|'; '' for none) in one pass
 * over the characters. Amounts become integer units of the largest number of fraction digits
 * present: a value with fewer digits is multiplied up, and a value with more multiplies up every
 * amount read before it. Digits accumulate in float64, exact while below 2^53 (`mergePackedSegments`
 * gives up beyond 2^51 units, so an inexact value is never used).
 */
export function parseDaySegments(text: string): PackedSegments {
  const fields: number[] = [];
  const ladderStart: number[] = [0];
  const ladderK: number[] = [];
  const ladderPnl: number[] = [];
  const ladderMs: number[] = [];
  let scale = 0;
  let pos = 0;
  let fraction = 0;
  const end = text.length;
  /** The number at `pos` (its fraction digits in `fraction`); leaves `pos` on the character after it. */
  const number = (): number => {
    let negative = false;
    if (text.charCodeAt(pos) === 45) {
      negative = true;
      pos++;
    }
    let m = 0;
    let f = -1;
    for (; pos < end; pos++) {
      const c = text.charCodeAt(pos);
      if (c >= 48 && c <= 57) {
        m = m * 10 + (c - 48);
        if (f >= 0) f++;
      } else if (c === 46) f = 0;
      else break;
    }
    fraction = f < 0 ? 0 : f;
    return negative ? 0 - m : m;
  };
  /** An amount in units of the current scale, raising the scale (and every amount so far) when it has more digits. */
  const amount = (): number => {
    const m = number();
    if (fraction > scale) {
      const up = 10 ** (fraction - scale);
      // The day being read has only its first fields so far.
      for (let i = 0; i < fields.length; i += SEGMENT_FIELDS) for (const f of AMOUNT_FIELDS) if (i + f < fields.length) fields[i + f]! *= up;
      for (let i = 0; i < ladderPnl.length; i++) ladderPnl[i]! *= up;
      scale = fraction;
      return m;
    }
    return fraction < scale ? m * 10 ** (scale - fraction) : m;
  };
  /** Numbers up to the next ';' (or the day's end), comma-separated, into `list`. */
  const list = (into: number[], read: () => number) => {
    while (pos < end) {
      const c = text.charCodeAt(pos);
      if (c === 59 || c === 124) break;
      into.push(read());
      if (text.charCodeAt(pos) === 44) pos++;
    }
    pos++;
  };
  while (pos < end) {
    for (let f = 0; f < SEGMENT_FIELDS; f++) {
      fields.push(f === F_NET || f === F_MIN || f === F_DRAWDOWN ? amount() : number());
      pos++;
    }
    list(ladderK, number);
    list(ladderPnl, amount);
    list(ladderMs, number);
    ladderStart.push(ladderK.length);
  }
  return { days: ladderStart.length - 1, scale, fields, ladderStart, ladderK, ladderPnl, ladderMs };
}

/**
 * The drawdown (as `drawdownOf`) and the longest runs (as `longestRuns`) of the trades of
 * consecutive days, from their packed segments in day order. Entering a day with
 * cumulative P&L C and running peak P (D = P − C ≥ 0), the day's trade k is at the peak exactly
 * when it is a ladder entry with s_k ≥ D, and its drawdown is max(D − s_k, max(0, s_1…s_k) − s_k),
 * so the day's largest is max(D − min s, the day's own max drawdown), first reached at minK or
 * drawdownK. The recovery is the first trade at the peak after the trough; the stretches under
 * water run between consecutive trades at the peak. Exact: every amount is an integer count of
 * 10^-scale units in float64 while all of them stay below 2^51; null otherwise (the caller then
 * reads the trades).
 */
export function mergePackedSegments(
  packed: PackedSegments,
): Pick<SequenceAggregates, 'maxConsecutiveWins' | 'maxConsecutiveLosses' | 'drawdown'> | null {
  const { days, scale, fields: v, ladderStart, ladderK, ladderPnl, ladderMs } = packed;
  const factor = 10 ** scale;
  let bound = 0;
  let widest = 0;
  for (let i = 0; i < days; i++) {
    const at = i * SEGMENT_FIELDS;
    bound += Math.abs(v[at + F_NET]!);
    const last = ladderStart[i + 1]!;
    widest = Math.max(widest, Math.abs(v[at + F_MIN]!) + Math.abs(v[at + F_DRAWDOWN]!) + (last > ladderStart[i]! ? Math.abs(ladderPnl[last - 1]!) : 0));
  }
  if (!(scale <= 15 && 4 * (bound + widest + factor) < 2 ** 51)) return null;

  let cum = 0;
  let peak = 0;
  let offset = 0;
  let lastAtPeak = -1;
  let lastAtPeakMs: number | null = null;
  let best = { amount: 0, peakMs: null as number | null, troughIndex: -1, troughMs: 0, recoveredMs: null as number | null };
  let longestMs = -1;
  let underwater: DrawdownAggregates['underwater'] = null;
  const firstMs = days > 0 ? v[F_FIRST_MS]! : 0;
  const consider = (fromMs: number, toMs: number, recovered: boolean) => {
    const span = toMs - fromMs;
    if (span > longestMs) {
      longestMs = span;
      underwater = { seconds: Math.round(span / 1000), from: new Date(fromMs), to: new Date(toMs), recovered };
    }
  };
  let maxWins = 0;
  let maxLosses = 0;
  let runKind = 0;
  let run = 0;
  const record = (kind: number, length: number) => {
    if (kind === 1) maxWins = Math.max(maxWins, length);
    if (kind === -1) maxLosses = Math.max(maxLosses, length);
  };

  for (let i = 0; i < days; i++) {
    const at = i * SEGMENT_FIELDS;
    const d = peak - cum;
    const first = ladderStart[i]!;
    const last = ladderStart[i + 1]!;
    // The day's trades at the peak are the ladder's tail from `start` (its values never decrease); most days
    // of a long history have none.
    let start = last;
    while (start > first && ladderPnl[start - 1]! >= d) start--;
    const fromMin = d - v[at + F_MIN]!;
    const inside = v[at + F_DRAWDOWN]!;
    const amount = Math.max(fromMin, inside);
    if (amount > best.amount) {
      const minK = v[at + F_MIN_K]!;
      const k = Math.min(fromMin === amount ? minK : Infinity, inside === amount ? v[at + F_DRAWDOWN_K]! : Infinity);
      let peakMs = lastAtPeakMs;
      for (let e = start; e < last && ladderK[e]! < k; e++) peakMs = ladderMs[e]!;
      best = { amount, peakMs, troughIndex: offset + k - 1, troughMs: k === minK ? v[at + F_MIN_MS]! : v[at + F_DRAWDOWN_MS]!, recoveredMs: null };
    }
    for (let e = start; e < last; e++) {
      const index = offset + ladderK[e]! - 1;
      const ms = ladderMs[e]!;
      if (index - lastAtPeak > 1) consider(lastAtPeakMs ?? firstMs, ms, true);
      if (best.troughIndex >= 0 && best.recoveredMs === null && index > best.troughIndex) best.recoveredMs = ms;
      lastAtPeak = index;
      lastAtPeakMs = ms;
    }
    // A tail reaches above the peak only if it exists (a ladder value below d stays below the peak).
    if (start < last) peak = Math.max(peak, cum + ladderPnl[last - 1]!);
    cum += v[at + F_NET]!;
    const count = v[at + F_COUNT]!;
    offset += count;

    const lead = v[at + F_LEAD]!;
    const leadRun = v[at + F_LEAD_RUN]!;
    if (lead !== 0 && leadRun === count) {
      run = lead === runKind ? run + count : count;
      runKind = lead;
      record(runKind, run);
    } else {
      if (lead !== 0 && lead === runKind) record(runKind, run + leadRun);
      record(1, v[at + F_MAX_WIN_RUN]!);
      record(-1, v[at + F_MAX_LOSS_RUN]!);
      runKind = v[at + F_TRAIL]!;
      run = v[at + F_TRAIL_RUN]!;
    }
  }
  if (days > 0 && lastAtPeak < offset - 1) consider(lastAtPeakMs ?? firstMs, v[(days - 1) * SEGMENT_FIELDS + F_LAST_MS]!, false);
  return {
    maxConsecutiveWins: maxWins,
    maxConsecutiveLosses: maxLosses,
    drawdown: {
      amount: formatUnits(best.amount, scale),
      peakAt: best.troughIndex >= 0 && best.peakMs !== null ? new Date(best.peakMs) : null,
      troughAt: best.troughIndex >= 0 ? new Date(best.troughMs) : null,
      recoveredAt: best.recoveredMs === null ? null : new Date(best.recoveredMs),
      underwater,
    },
  };
}
