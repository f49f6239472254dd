import { Type } from 'typebox';
import type { Static } from 'typebox';
import { DateTime, Decimal, Nullable, Page, PageQuery, StrictObject, Uuid } from '../../platform/http/schemas.js';
import { CurrencyCode } from '../accounts/accounts.schemas.js';
import {
  AssetClass,
  DecimalOut,
  Execution,
  ExecutionSide,
  InputAmount,
  InputSignedAmount,
  OptionRight,
  SymbolText,
  TimeBound,
} from '../executions/executions.schemas.js';

export const TradeSide = Type.Union([Type.Literal('long'), Type.Literal('short')]);
export const TradeStatus = Type.Union([Type.Literal('open'), Type.Literal('closed')]);
export const TradeOutcome = Type.Union([Type.Literal('win'), Type.Literal('loss'), Type.Literal('breakeven')]);

export const TradeTag = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    kind: Type.Union([Type.Literal('setup'), Type.Literal('mistake'), Type.Literal('custom')]),
    color: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

const tradeProperties = {
  id: Uuid,
  accountId: Uuid,
  symbol: Type.String(),
  instrumentKey: Type.String(),
  assetClass: AssetClass,
  side: TradeSide,
  status: TradeStatus,
  openedAt: DateTime,
  closedAt: Nullable(DateTime),
  quantity: DecimalOut('Largest absolute position reached'),
  openQuantity: DecimalOut("Position still open; '0' when closed"),
  avgEntry: DecimalOut('Quantity-weighted average price of the opening fills'),
  avgExit: Nullable(DecimalOut('Quantity-weighted average price of the closing fills')),
  grossPnl: DecimalOut('Realised, FIFO'),
  fees: DecimalOut('Commissions and fees of the fills (their shares, for a fill that crossed zero)'),
  netPnl: DecimalOut('grossPnl − fees'),
  costBasis: DecimalOut('Entry value of the lots still open'),
  holdSeconds: Nullable(Type.Integer()),
  multiplier: DecimalOut(),
  currency: Type.String(),
  executionCount: Type.Integer(),
  notes: Type.String(),
  tags: Type.Array(TradeTag),
  playbookId: Nullable(Uuid),
  stopPrice: Nullable(DecimalOut()),
  initialRisk: Nullable(DecimalOut()),
  rMultiple: Nullable(
    Type.Number({ description: 'netPnl / risk, 4 decimals; risk = initialRisk, else |avgEntry − stopPrice| × quantity × multiplier; null without either' }),
  ),
  rating: Nullable(Type.Integer({ minimum: 1, maximum: 5 })),
  createdAt: DateTime,
  updatedAt: DateTime,
};

export const Trade = Type.Object(tradeProperties, { additionalProperties: false });
export type TradeView = Static<typeof Trade>;

export const TradeFillShare = Type.Object(
  {
    quantity: DecimalOut("This trade's part of the execution's quantity"),
    fees: DecimalOut("This trade's part of the execution's commission + fees"),
    role: Type.Union([Type.Literal('open'), Type.Literal('close')]),
  },
  { additionalProperties: false },
);

export const TradeExecution = Type.Object({ ...Execution.properties, share: TradeFillShare }, { additionalProperties: false });
export type TradeExecutionView = Static<typeof TradeExecution>;

export const RuleCheck = Type.Object({ ruleId: Uuid, followed: Type.Boolean() }, { additionalProperties: false });

export const TradeDetail = Type.Object(
  { ...tradeProperties, executions: Type.Array(TradeExecution), ruleChecks: Type.Array(RuleCheck) },
  { additionalProperties: false },
);
export type TradeDetailView = Static<typeof TradeDetail>;

export const SORT_FIELDS = ['openedAt', 'closedAt', 'symbol', 'netPnl', 'grossPnl', 'quantity', 'holdSeconds'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
const sortField = `-?(?:${SORT_FIELDS.join('|')})`;

export const TradeListQuery = StrictObject({
  from: Type.Optional(TimeBound('Trades dated (closedAt, or openedAt while open) at or after this instant, or from the start of this day in your time zone')),
  to: Type.Optional(TimeBound('Trades dated before this instant, or up to the end of this day in your time zone')),
  accountId: Type.Optional(Uuid),
  symbol: Type.Optional(SymbolText),
  side: Type.Optional(TradeSide),
  status: Type.Optional(TradeStatus),
  outcome: Type.Optional(TradeOutcome),
  tag: Type.Optional(Uuid),
  playbookId: Type.Optional(Uuid),
  assetClass: Type.Optional(AssetClass),
  minPnl: Type.Optional(Decimal('Net P&L at least')),
  maxPnl: Type.Optional(Decimal('Net P&L at most')),
  sort: Type.Optional(
    Type.String({
      pattern: `^${sortField}(?:,${sortField})*$`,
      description: `Comma-separated fields, '-' for descending: ${SORT_FIELDS.join(', ')}. Default -openedAt. Ties are broken by id; open trades (no closedAt/holdSeconds) come last.`,
    }),
  ),
  ...PageQuery,
});
export type TradeListInput = Static<typeof TradeListQuery>;
export const TradePage = Page(Trade);

export const ManualFill = StrictObject({
  executedAt: Type.String({ format: 'date-time', description: 'An instant WITH its offset' }),
  side: ExecutionSide,
  quantity: InputAmount('> 0'),
  price: InputAmount('≥ 0'),
  commission: Type.Optional(InputSignedAmount('Default 0')),
  fees: Type.Optional(InputSignedAmount('Default 0')),
});

export const CreateManualTradeBody = StrictObject({
  accountId: Uuid,
  symbol: SymbolText,
  assetClass: AssetClass,
  multiplier: Type.Optional(InputAmount('Default: futures point value by root, 100 for options, else 1')),
  currency: Type.Optional(CurrencyCode),
  underlying: Type.Optional(SymbolText),
  expiry: Type.Optional(Type.String({ format: 'date' })),
  strike: Type.Optional(InputAmount('Option strike')),
  optionRight: Type.Optional(OptionRight),
  fills: Type.Array(ManualFill, { minItems: 1, maxItems: 100 }),
});
export type CreateManualTradeInput = Static<typeof CreateManualTradeBody>;

export const ManualTradeResult = Type.Object(
  {
    trades: Type.Array(TradeDetail, { description: 'The trades the new executions belong to after the rebuild, by openedAt' }),
    executionIds: Type.Array(Uuid),
  },
  { additionalProperties: false },
);
export type ManualTradeResultView = Static<typeof ManualTradeResult>;
