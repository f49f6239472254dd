import { normalizeDecimalString } from '../../lib/decimal.js';
import { notFound } from '../../platform/errors/app-error.js';
import type { EventPublisher } from '../../platform/events/event-bus.js';
import { noEvents } from '../../platform/events/event-bus.js';
import type { DaySummary } from './journal.domain.js';
import { firstDayOfMonth, mergeMonth } from './journal.domain.js';
import type { JournalRepository, PnlRow } from './journal.repository.js';
import type { PutJournalInput } from './journal.schemas.js';

/** The part of the trades service the journal uses. */
export interface TradeLister<T> {
  listTrades(userId: string, query: { from?: string; to?: string; sort?: string; limit?: number; cursor?: string }): Promise<{ data: T[]; page: { nextCursor: string | null } }>;
}

export interface JournalServiceDeps<T> {
  journalRepository: JournalRepository;
  tradesService: TradeLister<T>;
  /** journal.updated after an entry is written or deleted. */
  events?: EventPublisher;
}

export interface JournalDay<T> {
  date: string;
  hasEntry: boolean;
  content: string;
  mood: number | null;
  createdAt: string | null;
  updatedAt: string | null;
  trades: T[];
  pnl: PnlRow;
}

const PAGE = 500;

export function createJournalService<T>({ journalRepository: repo, tradesService, events = noEvents }: JournalServiceDeps<T>) {
  /** Every trade dated on `date` in the user's timezone (closed that day, or opened that day and still open). */
  async function tradesOfDay(userId: string, date: string): Promise<T[]> {
    const all: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await tradesService.listTrades(userId, { from: date, to: date, sort: 'openedAt', limit: PAGE, ...(cursor ? { cursor } : {}) });
      all.push(...page.data);
      cursor = page.page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }

  async function getDay(userId: string, date: string): Promise<JournalDay<T>> {
    const timezone = await repo.findTimezone(userId);
    const [entry, pnl, trades] = await Promise.all([repo.findEntry(userId, date), repo.sumDay(userId, date, timezone), tradesOfDay(userId, date)]);
    return {
      date,
      hasEntry: Boolean(entry),
      content: entry?.content ?? '',
      mood: entry?.mood ?? null,
      createdAt: entry ? entry.createdAt.toISOString() : null,
      updatedAt: entry ? entry.updatedAt.toISOString() : null,
      trades,
      pnl: { net: normalizeDecimalString(pnl.net), gross: normalizeDecimalString(pnl.gross), fees: normalizeDecimalString(pnl.fees), tradeCount: pnl.tradeCount },
    };
  }

  return {
    getDay,

    async putDay(userId: string, date: string, input: PutJournalInput): Promise<JournalDay<T>> {
      // PUT replaces the entry: a mood left out is cleared.
      await repo.upsertEntry(userId, date, { content: input.content, mood: input.mood ?? null });
      events.publish(userId, 'journal.updated', { date, deleted: false });
      return getDay(userId, date);
    },

    async deleteDay(userId: string, date: string): Promise<void> {
      if (!(await repo.deleteEntry(userId, date))) throw notFound('journal_entry_not_found', 'No journal entry for that day');
      events.publish(userId, 'journal.updated', { date, deleted: true });
    },

    async getMonth(userId: string, month: string): Promise<{ month: string; days: DaySummary[] }> {
      const first = firstDayOfMonth(month);
      const timezone = await repo.findTimezone(userId);
      const [entries, sums] = await Promise.all([repo.listMonthEntries(userId, first), repo.sumMonthByDay(userId, first, timezone)]);
      return { month, days: mergeMonth(entries, sums.map((s) => ({ ...s, net: normalizeDecimalString(s.net) }))) };
    },
  };
}

export type JournalService<T = unknown> = ReturnType<typeof createJournalService<T>>;
