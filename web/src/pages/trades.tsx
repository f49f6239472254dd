import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { MouseEvent } from 'react';
import { useNavigate } from 'react-router';
import { FilterBar } from '../components/filter-bar';
import { ErrorBox, Loading } from '../components/status';
import { get } from '../lib/api';
import { useFilters } from '../lib/filters';
import { dateTime, duration, money, signClass } from '../lib/format';
import type { Page, Trade } from '../lib/types';
import { nextSort } from '../lib/sort';

const COLUMNS = [
  { key: 'openedAt', label: 'Opened', sortable: true },
  { key: 'closedAt', label: 'Closed', sortable: true },
  { key: 'symbol', label: 'Symbol', sortable: true },
  { key: 'side', label: 'Side', sortable: false },
  { key: 'quantity', label: 'Qty', sortable: true },
  { key: 'holdSeconds', label: 'Hold', sortable: true },
  { key: 'netPnl', label: 'Net P&L', sortable: true },
  { key: 'tags', label: 'Tags', sortable: false },
] as const;
const ROW_HEIGHT = 36;
const GRID = '10rem 10rem 7rem 4rem 5rem 4rem 7rem 1fr';

export function Trades() {
  const [filters] = useFilters();
  const [sort, setSort] = useState<string[]>(['-openedAt']);
  const navigate = useNavigate();
  const q = useInfiniteQuery({
    queryKey: ['trades', filters, sort],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => get<Page<Trade>>('/trades', { ...filters, sort: sort.join(','), limit: 500, cursor: pageParam }),
    getNextPageParam: (last) => last.page.nextCursor,
  });
  const rows = q.data?.pages.flatMap((p) => p.data) ?? [];
  const scroller = useRef<HTMLDivElement>(null);
  // Only the rows in view are in the DOM, so 100,000 trades scroll like 100.
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 20 });
  const items = virtual.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (lastIndex >= rows.length - 50 && q.hasNextPage && !q.isFetchingNextPage) void q.fetchNextPage();
  }, [lastIndex, rows.length, q]);

  const onSort = (key: string) => (e: MouseEvent) => setSort(nextSort(sort, key, e.shiftKey));
  return (
    <div className="stack">
      <h1>Trades</h1>
      <FilterBar />
      <p className="muted">
        Click a column to sort, shift-click to add it as a further sort. {rows.length > 0 && `${rows.length}${q.hasNextPage ? '+' : ''} trades`}
      </p>
      {q.error && <ErrorBox error={q.error} />}
      {q.isPending ? (
        <Loading />
      ) : (
        <div className="vtable" role="table" aria-label="Trades" aria-rowcount={rows.length + 1}>
          <div role="rowgroup">
            <div role="row" className="vrow vhead" style={{ gridTemplateColumns: GRID }}>
              {COLUMNS.map((c) => {
                const term = sort.find((s) => s.replace('-', '') === c.key);
                const ariaSort = term ? (term.startsWith('-') ? 'descending' : 'ascending') : 'none';
                return (
                  <div key={c.key} role="columnheader" aria-sort={c.sortable ? ariaSort : undefined} className={c.key === 'netPnl' || c.key === 'quantity' ? 'num' : undefined}>
                    {c.sortable ? (
                      <button type="button" className="link" onClick={onSort(c.key)}>
                        {c.label}
                        {term ? (term.startsWith('-') ? ' ↓' : ' ↑') : ''}
                        {term && sort.length > 1 ? <sup>{sort.indexOf(term) + 1}</sup> : null}
                      </button>
                    ) : (
                      c.label
                    )}
                  </div>
                );
              })}
            </div>
          </div>
          <div ref={scroller} className="vbody" role="rowgroup">
            {rows.length === 0 ? (
              <p className="muted pad">No trades match these filters.</p>
            ) : (
              <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
                {items.map((item) => {
                  const t = rows[item.index]!;
                  return (
                    <div
                      key={t.id}
                      role="row"
                      aria-rowindex={item.index + 2}
                      tabIndex={0}
                      className="vrow"
                      data-trade-id={t.id}
                      style={{ gridTemplateColumns: GRID, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                      onClick={() => navigate(`/trades/${t.id}`)}
                      onKeyDown={(e) => {
                        if (e.key === 'Enter') navigate(`/trades/${t.id}`);
                      }}
                    >
                      <div role="cell">{dateTime(t.openedAt)}</div>
                      <div role="cell">{dateTime(t.closedAt)}</div>
                      <div role="cell">
                        <strong>{t.symbol}</strong>
                      </div>
                      <div role="cell">{t.side}</div>
                      <div role="cell" className="num">
                        {t.quantity}
                      </div>
                      <div role="cell">{duration(t.holdSeconds)}</div>
                      <div role="cell" className={`num ${signClass(t.netPnl)}`}>
                        {money(t.netPnl, t.currency)}
                      </div>
                      <div role="cell" className="tags">
                        {t.tags.map((tag) => (
                          <span key={tag.id} className="chip">
                            {tag.name}
                          </span>
                        ))}
                      </div>
                    </div>
                  );
                })}
              </div>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
