import { describe, expect, it } from 'vitest';
import { nextSort, sortDirection, sortRows } from '../../web/src/lib/sort.js';

describe('sortable tables', () => {
  it('click sorts by one column descending, a second click flips it, shift-click adds a further key', () => {
    expect(nextSort(['-netPnl'], 'symbol', false)).toEqual(['-symbol']);
    expect(nextSort(['-symbol'], 'symbol', false)).toEqual(['symbol']);
    expect(nextSort(['-netPnl'], 'winRate', true)).toEqual(['-netPnl', '-winRate']);
    expect(nextSort(['-netPnl', '-winRate'], 'winRate', true)).toEqual(['-netPnl', 'winRate']);
    expect(sortDirection(['-netPnl', 'winRate'], 'winRate')).toBe('ascending');
    expect(sortDirection(['-netPnl'], 'label')).toBe('none');
  });

  it('sorts rows by every key in turn, nulls lowest', () => {
    const rows = [
      { label: 'A', winRate: 0.5, netPnl: 10 },
      { label: 'B', winRate: null, netPnl: 30 },
      { label: 'C', winRate: 0.5, netPnl: 20 },
      { label: 'D', winRate: 0.9, netPnl: 5 },
    ];
    const value = (r: (typeof rows)[number], key: string) => r[key as keyof typeof r];
    expect(sortRows(rows, ['-winRate', '-netPnl'], value).map((r) => r.label)).toEqual(['D', 'C', 'A', 'B']);
    expect(sortRows(rows, ['winRate', 'netPnl'], value).map((r) => r.label)).toEqual(['B', 'A', 'C', 'D']);
    expect(rows.map((r) => r.label)).toEqual(['A', 'B', 'C', 'D']);
  });
});
