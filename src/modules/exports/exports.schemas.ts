import { Type } from 'typebox';
import type { Static } from 'typebox';
import { StrictObject, Uuid } from '../../platform/http/schemas.js';
import { Execution, SymbolText, TimeBound } from '../executions/executions.schemas.js';
import { Trade, TradeListQuery } from '../trades/trades.schemas.js';

export const ExecutionExportQuery = StrictObject({
  accountId: Type.Optional(Uuid),
  symbol: Type.Optional(SymbolText),
  from: Type.Optional(TimeBound('executedAt ≥ this instant, or from the start of this day in your time zone')),
  to: Type.Optional(TimeBound('executedAt < this instant, or up to the end of this day in your time zone')),
});
export type ExecutionExportInput = Static<typeof ExecutionExportQuery>;

// The trade list's filters (and sort), without its paging: an export is every matching trade.
const { limit: _limit, cursor: _cursor, ...tradeFilters } = TradeListQuery.properties;
export const TradeExportQuery = StrictObject(tradeFilters);
export type TradeExportInput = Static<typeof TradeExportQuery>;

export const ExecutionsCsv = Type.String({ description: 'text/csv in the TradeSense generic format (re-importable with broker=tradesense)' });
export const TradesCsv = Type.String({ description: 'text/csv, one trade per row' });
export const ExecutionsJson = Type.Array(Execution, { description: 'A JSON array, streamed' });
export const TradesJson = Type.Array(Trade, { description: 'A JSON array, streamed' });
