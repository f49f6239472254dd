import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { journalEntries, trades, users } from '../../db/schema/index.js';
import type { Db, Executor } from '../../platform/db/database.js';

export interface EntryRow {
  day: string;
  content: string;
  mood: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PnlRow {
  net: string;
  gross: string;
  fees: string;
  tradeCount: number;
}

const entryColumns = {
  day: sql<string>`${journalEntries.day}::text`,
  content: journalEntries.content,
  mood: journalEntries.mood,
  createdAt: journalEntries.createdAt,
  updatedAt: journalEntries.updatedAt,
};

/** The instant a calendar day (YYYY-MM-DD) starts in a timezone. */
const dayStart = (day: string, tz: string) => sql`(${day}::date::timestamp at time zone ${tz})`;
const nextDayStart = (day: string, tz: string) => sql`((${day}::date + 1)::timestamp at time zone ${tz})`;
const monthStart = (firstDay: string, tz: string) => sql`(${firstDay}::date::timestamp at time zone ${tz})`;
const nextMonthStart = (firstDay: string, tz: string) => sql`((${firstDay}::date + interval '1 month')::timestamp at time zone ${tz})`;

// Sums stay NUMERIC in SQL and leave as text: money never becomes a float.
const pnlColumns = {
  net: sql<string>`coalesce(sum(${trades.netPnl}), 0)::text`,
  gross: sql<string>`coalesce(sum(${trades.grossPnl}), 0)::text`,
  fees: sql<string>`coalesce(sum(${trades.fees}), 0)::text`,
  tradeCount: sql<number>`count(*)::int`.mapWith(Number),
};

export function createJournalRepository(db: Db) {
  return {
    async findTimezone(userId: string, tx: Executor = db): Promise<string> {
      const [row] = await tx.select({ timezone: users.timezone }).from(users).where(eq(users.id, userId));
      return row?.timezone ?? 'UTC';
    },

    async findEntry(userId: string, day: string, tx: Executor = db): Promise<EntryRow | undefined> {
      const [row] = await tx
        .select(entryColumns)
        .from(journalEntries)
        .where(and(eq(journalEntries.userId, userId), eq(journalEntries.day, day)));
      return row;
    },

    /** Inserts or replaces the user's entry of that day. */
    async upsertEntry(userId: string, day: string, values: { content: string; mood: number | null }, tx: Executor = db): Promise<void> {
      await tx
        .insert(journalEntries)
        .values({ userId, day, ...values })
        .onConflictDoUpdate({ target: [journalEntries.userId, journalEntries.day], set: { ...values, updatedAt: sql`now()` } });
    },

    async deleteEntry(userId: string, day: string, tx: Executor = db): Promise<boolean> {
      const rows = await tx
        .delete(journalEntries)
        .where(and(eq(journalEntries.userId, userId), eq(journalEntries.day, day)))
        .returning({ id: journalEntries.id });
      return rows.length > 0;
    },

    /** Entries of the month that starts on `firstDay` (YYYY-MM-01). */
    async listMonthEntries(userId: string, firstDay: string, tx: Executor = db): Promise<{ day: string; mood: number | null }[]> {
      return tx
        .select({ day: entryColumns.day, mood: journalEntries.mood })
        .from(journalEntries)
        .where(
          and(
            eq(journalEntries.userId, userId),
            gte(journalEntries.day, firstDay),
            lt(journalEntries.day, sql`(${firstDay}::date + interval '1 month')::date`),
          ),
        )
        .orderBy(journalEntries.day);
    },

    /** P&L of the user's trades closed on `day` in timezone `tz` (a range on closed_at, so the index serves it). */
    async sumDay(userId: string, day: string, tz: string, tx: Executor = db): Promise<PnlRow> {
      const [row] = await tx
        .select(pnlColumns)
        .from(trades)
        .where(
          and(
            eq(trades.userId, userId),
            eq(trades.status, 'closed'),
            gte(trades.closedAt, dayStart(day, tz)),
            lt(trades.closedAt, nextDayStart(day, tz)),
          ),
        );
      return row ?? { net: '0', gross: '0', fees: '0', tradeCount: 0 };
    },

    /** Per-day P&L of the user's trades closed in the month starting on `firstDay`, days of timezone `tz`. */
    async sumMonthByDay(userId: string, firstDay: string, tz: string, tx: Executor = db): Promise<({ day: string } & PnlRow)[]> {
      return (
        tx
          .select({ day: sql<string>`((${trades.closedAt} at time zone ${tz})::date)::text`, ...pnlColumns })
          .from(trades)
          .where(
            and(
              eq(trades.userId, userId),
              eq(trades.status, 'closed'),
              gte(trades.closedAt, monthStart(firstDay, tz)),
              lt(trades.closedAt, nextMonthStart(firstDay, tz)),
            ),
          )
          // By position: the day expression carries the timezone as a parameter, which GROUP BY cannot repeat.
          .groupBy(sql`1`)
          .orderBy(sql`1`)
      );
    },
  };
}

export type JournalRepository = ReturnType<typeof createJournalRepository>;
