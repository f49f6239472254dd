import { describe, expect, it } from 'vitest';
import { firstDayOfMonth, mergeMonth } from '../../../src/modules/journal/journal.domain.js';

describe('mergeMonth', () => {
  it('gives one row per day with an entry or trades, in date order', () => {
    const days = mergeMonth(
      [
        { day: '2025-03-10', mood: 4 },
        { day: '2025-03-02', mood: null },
      ],
      [
        { day: '2025-03-10', net: '-12.5', tradeCount: 3 },
        { day: '2025-03-05', net: '40', tradeCount: 1 },
      ],
    );
    expect(days).toEqual([
      { date: '2025-03-02', hasEntry: true, mood: null, netPnl: '0', tradeCount: 0 },
      { date: '2025-03-05', hasEntry: false, mood: null, netPnl: '40', tradeCount: 1 },
      { date: '2025-03-10', hasEntry: true, mood: 4, netPnl: '-12.5', tradeCount: 3 },
    ]);
  });

  it('answers no days for an empty month', () => {
    expect(mergeMonth([], [])).toEqual([]);
  });
});

describe('firstDayOfMonth', () => {
  it('is the first of the month as YYYY-MM-DD', () => {
    expect(firstDayOfMonth('2025-03')).toBe('2025-03-01');
  });
});
