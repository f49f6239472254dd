import { Type } from 'typebox';
import type { Static } from 'typebox';
import { Nullable, StrictObject } from '../../platform/http/schemas.js';
import { AssetClass, DecimalOut, OptionRight } from '../executions/executions.schemas.js';

export const InstrumentParams = StrictObject({ symbol: Type.String({ minLength: 1, maxLength: 64 }) });
export const InstrumentQuery = StrictObject({
  assetClass: Type.Optional(AssetClass),
});
export type InstrumentQueryInput = Static<typeof InstrumentQuery>;

export const InstrumentDescription = Type.Object(
  {
    symbol: Type.String(),
    assetClass: AssetClass,
    instrumentKey: Type.String(),
    multiplier: DecimalOut('Money per 1.00 of price for one unit/contract'),
    multiplierSource: Type.Union([Type.Literal('given'), Type.Literal('futures_root'), Type.Literal('option_default'), Type.Literal('default')]),
    root: Nullable(Type.String({ description: 'Futures root, e.g. ES for ESZ5' })),
    underlying: Nullable(Type.String()),
    expiry: Nullable(Type.String({ format: 'date' })),
    strike: Nullable(DecimalOut()),
    optionRight: Nullable(OptionRight),
    known: Type.Boolean({ description: 'False for a future whose root TradeSense does not know: give the multiplier with its executions' }),
  },
  { additionalProperties: false },
);
