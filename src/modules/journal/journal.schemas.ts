import { Type } from 'typebox';
import type { Static } from 'typebox';
import { DateTime, Nullable, NullableInteger, StrictObject } from '../../platform/http/schemas.js';
import { Trade } from '../trades/trades.schemas.js';

const Day = Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A calendar day, YYYY-MM-DD, in your timezone' });

const Money = Type.String({ description: 'Decimal string' });

export const DayParams = StrictObject({ date: Day });

export const PutJournalBody = StrictObject({
  content: Type.String({ maxLength: 100_000, description: 'Markdown' }),
  mood: Type.Optional(NullableInteger({ minimum: 1, maximum: 5, description: '1 (awful) to 5 (great); null or left out for none' })),
});
export type PutJournalInput = Static<typeof PutJournalBody>;

export const JournalDay = Type.Object({
  date: Type.String(),
  hasEntry: Type.Boolean({ description: 'False when nothing was written that day; content is then empty' }),
  content: Type.String(),
  mood: Nullable(Type.Integer()),
  createdAt: Nullable(DateTime),
  updatedAt: Nullable(DateTime),
  trades: Type.Array(Trade, { description: 'Trades dated on this day: closed on it, or opened on it and still open' }),
  pnl: Type.Object(
    { net: Money, gross: Money, fees: Money, tradeCount: Type.Integer() },
    { description: 'Sums over the trades closed on this day' },
  ),
});

export const MonthQuery = StrictObject({
  month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' }),
});

export const JournalMonth = Type.Object({
  month: Type.String(),
  days: Type.Array(
    Type.Object({
      date: Type.String(),
      hasEntry: Type.Boolean(),
      mood: Nullable(Type.Integer()),
      netPnl: Money,
      tradeCount: Type.Integer({ description: 'Trades closed that day' }),
    }),
    { description: 'Days of the month with an entry or a closed trade, in date order' },
  ),
});
