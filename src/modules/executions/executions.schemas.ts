import { Type } from 'typebox';
import type { Static } from 'typebox';
import { DateTime, Nullable, Page, PageQuery, StrictObject, Uuid } from '../../platform/http/schemas.js';
import { CurrencyCode } from '../accounts/accounts.schemas.js';

export const AssetClass = Type.Union([Type.Literal('stock'), Type.Literal('option'), Type.Literal('future'), Type.Literal('forex'), Type.Literal('crypto')]);
export const ExecutionSide = Type.Union([Type.Literal('buy'), Type.Literal('sell')]);
export const OptionRight = Type.Union([Type.Literal('call'), Type.Literal('put')]);

// Decimal() of src/platform/http/schemas.ts narrowed for inputs: at most 10 decimal places.
/** A decimal string ≥ 0 with at most 10 decimal places. */
export const InputAmount = (description: string) => Type.String({ pattern: '^\\d{1,20}(\\.\\d{1,10})?$', description });
/** A decimal string, negative allowed (a rebate), with at most 10 decimal places. */
export const InputSignedAmount = (description: string) => Type.String({ pattern: '^-?\\d{1,20}(\\.\\d{1,10})?$', description });

/** Decimals as the API answers them: plain notation, any number of places. */
export const DecimalOut = (description?: string) => Type.String({ pattern: '^-?\\d+(\\.\\d+)?$', ...(description ? { description } : {}) });

/** An instant with an offset, or a day (YYYY-MM-DD) in the user's time zone. */
export const TimeBound = (description: string) =>
  Type.Union([Type.String({ format: 'date' }), Type.String({ format: 'date-time' })], { description });

export const SymbolText = Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' });

export const Execution = Type.Object(
  {
    id: Uuid,
    accountId: Uuid,
    executedAt: DateTime,
    symbol: Type.String(),
    instrumentKey: Type.String({ description: 'What trades group by: the symbol, or for options "UNDERLYING YYYY-MM-DD STRIKE C|P"' }),
    assetClass: AssetClass,
    side: ExecutionSide,
    quantity: DecimalOut(),
    price: DecimalOut(),
    commission: DecimalOut(),
    fees: DecimalOut(),
    multiplier: DecimalOut(),
    currency: Type.String(),
    brokerExecId: Nullable(Type.String()),
    underlying: Nullable(Type.String()),
    expiry: Nullable(Type.String({ format: 'date' })),
    strike: Nullable(DecimalOut()),
    optionRight: Nullable(OptionRight),
    importId: Nullable(Uuid),
    createdAt: DateTime,
  },
  { additionalProperties: false },
);
export type ExecutionView = Static<typeof Execution>;

export const ExecutionDetail = Type.Object(
  {
    ...Execution.properties,
    tradeIds: Type.Array(Uuid, { description: 'The trades this execution belongs to (two when it crossed zero)' }),
  },
  { additionalProperties: false },
);
export type ExecutionDetailView = Static<typeof ExecutionDetail>;

export const CreateExecutionBody = StrictObject({
  accountId: Uuid,
  executedAt: Type.String({ format: 'date-time', description: 'An instant WITH its offset, e.g. 2025-03-14T14:30:05.120-04:00' }),
  symbol: SymbolText,
  assetClass: AssetClass,
  side: ExecutionSide,
  quantity: InputAmount('> 0'),
  price: InputAmount('≥ 0, per unit'),
  commission: Type.Optional(InputSignedAmount('Default 0')),
  fees: Type.Optional(InputSignedAmount('Other fees (exchange, regulatory); default 0')),
  multiplier: Type.Optional(InputAmount('Default: futures point value by root, 100 for options, else 1')),
  currency: Type.Optional(CurrencyCode),
  brokerExecId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  underlying: Type.Optional(SymbolText),
  expiry: Type.Optional(Type.String({ format: 'date' })),
  strike: Type.Optional(InputAmount('Option strike')),
  optionRight: Type.Optional(OptionRight),
});
export type CreateExecutionInput = Static<typeof CreateExecutionBody>;

export const ExecutionListQuery = StrictObject({
  accountId: Type.Optional(Uuid),
  symbol: Type.Optional(SymbolText),
  from: Type.Optional(TimeBound('executedAt ≥ this instant, or from the start of this day')),
  to: Type.Optional(TimeBound('executedAt < this instant, or up to the end of this day')),
  importId: Type.Optional(Uuid),
  side: Type.Optional(ExecutionSide),
  ...PageQuery,
});
export type ExecutionListInput = Static<typeof ExecutionListQuery>;
export const ExecutionPage = Page(Execution);
