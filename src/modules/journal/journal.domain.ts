/** The first day of a YYYY-MM month, as YYYY-MM-DD. */
export const firstDayOfMonth = (month: string) => `${month}-01`;

export interface DaySummary {
  date: string;
  hasEntry: boolean;
  mood: number | null;
  netPnl: string;
  tradeCount: number;
}

/**
 * Merges the month's journal entries and its per-day closed-trade sums (both computed in SQL)
 * into one row per day that has either, in date order.
 */
export function mergeMonth(
  entries: readonly { day: string; mood: number | null }[],
  sums: readonly { day: string; net: string; tradeCount: number }[],
): DaySummary[] {
  const days = new Map<string, DaySummary>();
  for (const s of sums) days.set(s.day, { date: s.day, hasEntry: false, mood: null, netPnl: s.net, tradeCount: s.tradeCount });
  for (const e of entries) {
    const day = days.get(e.day) ?? { date: e.day, hasEntry: false, mood: null, netPnl: '0', tradeCount: 0 };
    days.set(e.day, { ...day, hasEntry: true, mood: e.mood });
  }
  return [...days.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
