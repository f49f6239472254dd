import { useSearchParams } from 'react-router';

/** The shared filters (date range, account, symbol, tag, playbook, side), kept in the URL so every screen and link shares them. */
export const FILTER_KEYS = ['from', 'to', 'accountId', 'symbol', 'tag', 'playbookId', 'side'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

export function useFilters(): [Filters, (next: Filters) => void] {
  const [params, setParams] = useSearchParams();
  const filters: Filters = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v) filters[k] = v;
  }
  const set = (next: Filters) => {
    const out = new URLSearchParams(params);
    for (const k of FILTER_KEYS) {
      const v = next[k];
      if (v) out.set(k, v);
      else out.delete(k);
    }
    setParams(out, { replace: true });
  };
  return [filters, set];
}
