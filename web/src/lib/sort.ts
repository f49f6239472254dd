/**
 * Sort terms like ["-netPnl", "symbol"] (a leading "-" is descending), shared by every sortable
 * table: a click sorts by one column, a shift-click adds the column as a further key, and a
 * click on a column already sorted flips it.
 */
export function nextSort(current: readonly string[], key: string, add: boolean): string[] {
  const i = current.findIndex((s) => s.replace('-', '') === key);
  const flipped = i >= 0 ? (current[i]!.startsWith('-') ? key : `-${key}`) : `-${key}`;
  if (!add) return [flipped];
  const out = [...current];
  if (i >= 0) out[i] = flipped;
  else out.push(flipped);
  return out;
}

/** The direction a column is sorted in by `terms`, if any. */
export function sortDirection(terms: readonly string[], key: string): 'ascending' | 'descending' | 'none' {
  const term = terms.find((s) => s.replace('-', '') === key);
  return term === undefined ? 'none' : term.startsWith('-') ? 'descending' : 'ascending';
}

/** Sorts rows in memory by the terms, in order; `value` reads a column (null sorts lowest). */
export function sortRows<T>(rows: readonly T[], terms: readonly string[], value: (row: T, key: string) => number | string | null): T[] {
  const keys = terms.map((t) => ({ key: t.replace('-', ''), desc: t.startsWith('-') }));
  return [...rows].sort((a, b) => {
    for (const { key, desc } of keys) {
      const x = value(a, key);
      const y = value(b, key);
      const c = x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  });
}
