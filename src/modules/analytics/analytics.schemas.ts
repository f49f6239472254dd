import { Type } from 'typebox';
import type { Static, TProperties } from 'typebox';
import { DateTime, Nullable, StrictObject, Uuid } from '../../platform/http/schemas.js';
import { TradeListQuery } from '../trades/trades.schemas.js';
import { BREAKDOWN_DIMENSIONS } from './analytics.domain.js';

/** The shared trade filters, exactly as the trades list declares them (without its sort and paging). */
const FILTER_KEYS = ['from', 'to', 'accountId', 'symbol', 'side', 'status', 'outcome', 'tag', 'playbookId', 'assetClass', 'minPnl', 'maxPnl'] as const;
const listProperties = TradeListQuery.properties as TProperties;
const filterProperties = Object.fromEntries(FILTER_KEYS.map((k) => [k, listProperties[k]!])) as TProperties;

export const FilterQuery = StrictObject(filterProperties);
export type FilterInput = {
  from?: string;
  to?: string;
  accountId?: string;
  symbol?: string;
  side?: 'long' | 'short';
  status?: 'open' | 'closed';
  outcome?: 'win' | 'loss' | 'breakeven';
  tag?: string;
  playbookId?: string;
  assetClass?: 'stock' | 'option' | 'future' | 'forex' | 'crypto';
  minPnl?: string;
  maxPnl?: string;
};

const Money = (description?: string) => Type.String({ pattern: '^-?\\d+\\.\\d{2}$', ...(description ? { description } : {}) });
const Ratio = (description: string) => Nullable(Type.Number({ description }));

const Interval = Type.Object({ low: Type.Number(), high: Type.Number() }, { additionalProperties: false });
export const ConfidenceSchema = Nullable(
  Type.Object(
    {
      level: Type.Number({ description: '0.95' }),
      method: Type.Union([Type.Literal('bootstrap'), Type.Literal('normal')], {
        description: 'bootstrap: seeded percentile bootstrap (≤ 2000 trades); normal: mean ± 1.96·s/√n (larger samples)',
      }),
      resamples: Type.Integer({ description: '0 for the normal approximation' }),
      expectancy: Interval,
      winRate: Interval,
    },
    { additionalProperties: false, description: 'Floats over resampled means; null without trades' },
  ),
);

const summaryProperties = {
  tradeCount: Type.Integer(),
  wins: Type.Integer({ description: 'net P&L > breakeven tolerance' }),
  losses: Type.Integer({ description: 'net P&L < −tolerance' }),
  breakeven: Type.Integer({ description: '|net P&L| ≤ tolerance' }),
  winRate: Ratio('wins / tradeCount'),
  winRateExBreakeven: Ratio('wins / (wins + losses)'),
  netPnl: Money(),
  grossPnl: Money(),
  fees: Money(),
  grossProfit: Money('Σ winners’ net P&L'),
  grossLoss: Money('Σ losers’ net P&L (≤ 0)'),
  profitFactor: Ratio('grossProfit / |grossLoss|; null without losses'),
  avgWin: Nullable(Money()),
  avgLoss: Nullable(Money()),
  payoffRatio: Ratio('avgWin / |avgLoss|'),
  largestWin: Nullable(Money()),
  largestLoss: Nullable(Money()),
  expectancy: Nullable(Money('netPnl / tradeCount')),
  expectancyR: Ratio('mean R over trades with a risk'),
  rTradeCount: Type.Integer({ description: 'Trades with a risk (initial risk, or entry-to-stop)' }),
  maxDrawdown: Type.Object(
    {
      amount: Money('Largest fall of cumulative net P&L from its running peak (peak starts at 0)'),
      peakAt: Nullable(DateTime),
      troughAt: Nullable(DateTime),
      recoveredAt: Nullable(DateTime),
      longestUnderwater: Nullable(
        Type.Object({ seconds: Type.Integer(), from: DateTime, to: DateTime, recovered: Type.Boolean() }, { additionalProperties: false }),
      ),
    },
    { additionalProperties: false },
  ),
  maxConsecutiveWins: Type.Integer(),
  maxConsecutiveLosses: Type.Integer(),
  avgHoldSeconds: Ratio('seconds'),
  avgHoldSecondsWin: Ratio('seconds'),
  avgHoldSecondsLoss: Ratio('seconds'),
  tradingDays: Type.Integer({ description: 'Days (your time zone) with at least one closed trade' }),
  sharpe: Ratio('√252 · mean(daily) / sample stdev(daily)'),
  sortino: Ratio('√252 · mean(daily) / √mean(min(0, daily)²)'),
  sqn: Ratio('√min(n,100) · mean(R) / stdev(R)'),
  kelly: Ratio('W − (1 − W) / payoffRatio, W = winRateExBreakeven'),
  confidence: ConfidenceSchema,
};

export const SummaryResponse = Type.Object(summaryProperties, { additionalProperties: false });

export const EquityQuery = StrictObject({
  ...filterProperties,
  interval: Type.Optional(Type.Union([Type.Literal('trade'), Type.Literal('day')], { default: 'trade' })),
});
export const EquityResponse = Type.Object(
  {
    interval: Type.Union([Type.Literal('trade'), Type.Literal('day')]),
    points: Type.Array(
      Type.Object(
        {
          day: Type.String({ format: 'date', description: 'Local day of the close' }),
          at: Nullable(DateTime),
          tradeId: Nullable(Uuid),
          tradeCount: Type.Integer(),
          pnl: Money(),
          cumulativePnl: Money(),
          drawdown: Money('Distance below the running peak (≥ 0)'),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const CalendarQuery = StrictObject({
  ...filterProperties,
  year: Type.Integer({ minimum: 1970, maximum: 9999 }),
  month: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, description: 'Omit for the whole year' })),
});
const CalendarTotals = {
  pnl: Money(),
  tradeCount: Type.Integer(),
  wins: Type.Integer(),
  losses: Type.Integer(),
  breakeven: Type.Integer(),
};
export const CalendarResponse = Type.Object(
  {
    year: Type.Integer(),
    month: Nullable(Type.Integer()),
    days: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), ...CalendarTotals }, { additionalProperties: false })),
    weeks: Type.Array(
      Type.Object({ week: Type.String({ description: 'ISO week, e.g. 2025-W10; days of the period only' }), ...CalendarTotals }, { additionalProperties: false }),
    ),
    months: Type.Array(Type.Object({ month: Type.String({ description: 'YYYY-MM' }), ...CalendarTotals }, { additionalProperties: false })),
    total: Type.Object(CalendarTotals, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

export const BREAKDOWN_SORTS = ['netPnl', 'tradeCount', 'winRate', 'expectancy', 'profitFactor', 'key'] as const;
const sortPattern = `^-?(?:${BREAKDOWN_SORTS.join('|')})$`;
export const BreakdownQuery = StrictObject({
  ...filterProperties,
  by: Type.Union(BREAKDOWN_DIMENSIONS.map((d) => Type.Literal(d))),
  sort: Type.Optional(Type.String({ pattern: sortPattern, default: '-netPnl', description: `One of ${BREAKDOWN_SORTS.join(', ')}; '-' for descending` })),
});
export type BreakdownInput = FilterInput & { by: (typeof BREAKDOWN_DIMENSIONS)[number]; sort?: string };

export const BreakdownRow = Type.Object(
  {
    key: Nullable(Type.String({ description: 'Group value; null = no tag / no playbook' })),
    label: Nullable(Type.String()),
    tradeCount: Type.Integer({ description: 'Sample size' }),
    wins: Type.Integer(),
    losses: Type.Integer(),
    breakeven: Type.Integer(),
    winRate: Type.Number(),
    netPnl: Money(),
    avgPnl: Money(),
    expectancy: Money('= avgPnl (netPnl / tradeCount)'),
    expectancyR: Ratio('mean R over the group’s trades with a risk'),
    profitFactor: Ratio('null without losses'),
    confidence: ConfidenceSchema,
  },
  { additionalProperties: false },
);
export const BreakdownResponse = Type.Object(
  {
    by: Type.String(),
    sort: Type.String(),
    groups: Type.Array(BreakdownRow),
  },
  { additionalProperties: false },
);

export const DistributionQuery = StrictObject({
  ...filterProperties,
  metric: Type.Union([Type.Literal('pnl'), Type.Literal('r'), Type.Literal('holdTime')]),
  buckets: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
});
export const DistributionResponse = Type.Object(
  {
    metric: Type.String(),
    count: Type.Integer({ description: 'Trades with a value (r: trades with a risk)' }),
    min: Nullable(Type.Number()),
    max: Nullable(Type.Number()),
    bins: Type.Array(
      Type.Object(
        { lower: Type.Number(), upper: Type.Number({ description: 'Exclusive, except the last bin' }), count: Type.Integer() },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const StreaksQuery = StrictObject({
  ...filterProperties,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 20 })),
});
const Run = Type.Object(
  {
    kind: Type.Union([Type.Literal('win'), Type.Literal('loss')]),
    length: Type.Integer(),
    startAt: DateTime,
    endAt: DateTime,
    pnl: Money(),
  },
  { additionalProperties: false },
);
export const StreaksResponse = Type.Object(
  {
    longestWin: Nullable(Run),
    longestLoss: Nullable(Run),
    current: Nullable(Run),
    runs: Type.Array(Run, { description: 'Longest first (ties: earliest first), at most `limit`' }),
  },
  { additionalProperties: false },
);

const RuleSide = Type.Object(
  { tradeCount: Type.Integer(), winRate: Nullable(Type.Number()), netPnl: Money(), expectancy: Nullable(Money()) },
  { additionalProperties: false },
);
export const PlaybookStatsResponse = Type.Object(
  {
    playbookId: Uuid,
    summary: SummaryResponse,
    rules: Type.Array(
      Type.Object(
        { ruleId: Uuid, position: Type.Integer(), text: Type.String(), followed: RuleSide, broken: RuleSide, unchecked: Type.Integer() },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type SummaryView = Static<typeof SummaryResponse>;
export type EquityView = Static<typeof EquityResponse>;
export type CalendarView = Static<typeof CalendarResponse>;
export type BreakdownView = Static<typeof BreakdownResponse>;
export type DistributionView = Static<typeof DistributionResponse>;
export type StreaksView = Static<typeof StreaksResponse>;
export type PlaybookStatsView = Static<typeof PlaybookStatsResponse>;
