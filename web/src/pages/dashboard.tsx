import { useQuery } from '@tanstack/react-query';
import { Suspense, lazy, useMemo, useState } from 'react';
import { FilterBar } from '../components/filter-bar';
import { ErrorBox, Loading } from '../components/status';
import { get } from '../lib/api';
import { useFilters } from '../lib/filters';
import type { Filters } from '../lib/filters';
import { money, percent, ratio, signClass } from '../lib/format';
import type { BreakdownRow, Calendar, EquityPoint, Page, Summary, Trade } from '../lib/types';
import { EmptyState } from './empty';
import { nextSort, sortDirection, sortRows } from '../lib/sort';
import { TradeList } from '../components/trade-list';

// The chart library is the largest dependency: it loads after the numbers show.
// The chart's code is fetched as soon as this screen's, beside the data, not once the curve has arrived.
const equityChartModule = import('../components/equity-chart');
const EquityChart = lazy(() => equityChartModule);

function Stat({ label, value, raw, hint, tone, name }: { label: string; value: string; raw: string; hint?: string; tone?: string; name: string }) {
  return (
    <div className="stat" data-stat={name} data-value={raw}>
      <dt>{label}</dt>
      <dd className={tone}>{value}</dd>
      {hint && <small className="muted">{hint}</small>}
    </div>
  );
}

function Headline({ s }: { s: Summary }) {
  const ci = s.confidence;
  const ciText = (lo: string, hi: string) => `95% CI ${lo} … ${hi}`;
  return (
    <dl className="stats" aria-label="Headline numbers">
      <Stat name="netPnl" label="Net P&L" value={money(s.netPnl)} raw={s.netPnl} tone={signClass(s.netPnl)} />
      <Stat
        name="winRate"
        label="Win rate"
        value={percent(s.winRate)}
        raw={String(s.winRate ?? '')}
        hint={ci ? ciText(percent(ci.winRate.low), percent(ci.winRate.high)) : undefined}
      />
      <Stat name="profitFactor" label="Profit factor" value={ratio(s.profitFactor)} raw={String(s.profitFactor ?? '')} />
      <Stat
        name="expectancy"
        label="Expectancy"
        value={money(s.expectancy)}
        raw={s.expectancy ?? ''}
        tone={signClass(s.expectancy)}
        hint={ci ? ciText(money(ci.expectancy.low.toFixed(2)), money(ci.expectancy.high.toFixed(2))) : undefined}
      />
      <Stat name="maxDrawdown" label="Max drawdown" value={money(s.maxDrawdown.amount)} raw={s.maxDrawdown.amount} tone={Number(s.maxDrawdown.amount) > 0 ? 'neg' : ''} />
      <Stat name="tradeCount" label="Trades" value={String(s.tradeCount)} raw={String(s.tradeCount)} hint={`${s.wins} won · ${s.losses} lost`} />
    </dl>
  );
}

function CalendarView({ filters, initialMonth }: { filters: Filters; initialMonth: string }) {
  const [month, setMonth] = useState(initialMonth);
  const [day, setDay] = useState<string | null>(null);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const cal = useQuery({ queryKey: ['calendar', filters, month], queryFn: () => get<Calendar>('/analytics/calendar', { ...filters, year: y, month: m }) });
  const dayTrades = useQuery({
    queryKey: ['trades-day', filters, day],
    enabled: day !== null,
    queryFn: () => get<Page<Trade>>('/trades', { ...filters, from: day, to: day, status: 'closed', sort: 'closedAt', limit: 200 }),
  });
  const shift = (delta: number) => {
    const d = new Date(Date.UTC(y, m - 1 + delta, 1));
    setMonth(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
    setDay(null);
  };
  const byDate = new Map((cal.data?.days ?? []).map((d) => [d.date, d]));
  const first = new Date(Date.UTC(y, m - 1, 1));
  const lead = (first.getUTCDay() + 6) % 7; // Monday first
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const max = Math.max(1, ...[...byDate.values()].map((d) => Math.abs(Number(d.pnl))));
  const cells: (string | null)[] = [...Array<null>(lead).fill(null), ...Array.from({ length: daysInMonth }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`)];
  const label = first.toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  return (
    <section className="card" aria-labelledby="cal-title">
      <div className="row">
        <h2 id="cal-title">P&L calendar</h2>
        <div className="row">
          <button type="button" onClick={() => shift(-1)} aria-label="Previous month">
            ‹
          </button>
          <strong aria-live="polite">{label}</strong>
          <button type="button" onClick={() => shift(1)} aria-label="Next month">
            ›
          </button>
        </div>
        {cal.data && <span className={signClass(cal.data.total.pnl)}>{money(cal.data.total.pnl)}</span>}
      </div>
      {cal.error && <ErrorBox error={cal.error} />}
      <div className="calendar" role="grid" aria-label={`P&L by day, ${label}`} aria-busy={cal.isPending}>
        {['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((d) => (
          <div key={d} className="dow" role="columnheader">
            {d}
          </div>
        ))}
        {cells.map((date, i) => {
          if (!date) return <div key={`pad-${i}`} />;
          const d = byDate.get(date);
          const pnl = Number(d?.pnl ?? 0);
          const alpha = d ? 0.15 + 0.6 * (Math.abs(pnl) / max) : 0;
          const style = d ? { background: `color-mix(in srgb, var(${pnl >= 0 ? '--pos' : '--neg'}) ${Math.round(alpha * 100)}%, transparent)` } : undefined;
          return (
            <button
              key={date}
              type="button"
              role="gridcell"
              className={`day${day === date ? ' selected' : ''}`}
              style={style}
              disabled={!d}
              data-date={date}
              aria-label={d ? `${date}: ${money(d.pnl)}, ${d.tradeCount} trades` : `${date}: no trades`}
              onClick={() => setDay(date)}
            >
              <span>{Number(date.slice(8))}</span>
              {d && <small>{money(d.pnl)}</small>}
            </button>
          );
        })}
      </div>
      {day && (
        <div aria-live="polite">
          <h3>Trades on {day}</h3>
          {dayTrades.isPending ? <Loading /> : dayTrades.error ? <ErrorBox error={dayTrades.error} /> : <TradeList trades={dayTrades.data?.data ?? []} />}
        </div>
      )}
    </section>
  );
}

const DIMENSIONS = [
  ['symbol', 'Symbol'],
  ['tag', 'Tag'],
  ['playbook', 'Playbook'],
  ['weekday', 'Weekday'],
  ['hour', 'Hour'],
  ['holdTime', 'Hold time'],
] as const;
type SortKey = 'label' | 'tradeCount' | 'winRate' | 'netPnl' | 'expectancy' | 'profitFactor';

function Breakdowns({ filters }: { filters: Filters }) {
  const [by, setBy] = useState<(typeof DIMENSIONS)[number][0]>('symbol');
  const [sort, setSort] = useState<string[]>(['-netPnl']);
  const q = useQuery({ queryKey: ['breakdown', filters, by], queryFn: () => get<{ groups: BreakdownRow[] }>('/analytics/breakdown', { ...filters, by }) });
  const rows = useMemo(
    () =>
      sortRows(q.data?.groups ?? [], sort, (r, key) => {
        if (key === 'label') return r.label ?? r.key ?? '';
        const v = r[key as Exclude<SortKey, 'label'>];
        return v === null ? null : Number(v);
      }),
    [q.data, sort],
  );
  const max = Math.max(1, ...rows.map((r) => Math.abs(Number(r.netPnl))));
  const header = (key: SortKey, text: string, num = true) => (
    <th scope="col" className={num ? 'num' : undefined} aria-sort={sortDirection(sort, key)}>
      <button type="button" className="link" title="Click to sort, shift-click to add as a further sort" onClick={(e) => setSort(nextSort(sort, key, e.shiftKey))}>
        {text}
        {{ descending: ' ↓', ascending: ' ↑', none: '' }[sortDirection(sort, key)]}
        {sort.length > 1 && sortDirection(sort, key) !== 'none' ? <sup>{sort.findIndex((t) => t.replace('-', '') === key) + 1}</sup> : null}
      </button>
    </th>
  );
  return (
    <section className="card" aria-labelledby="bd-title">
      <div className="row">
        <h2 id="bd-title">Where you win and lose</h2>
        <div role="tablist" aria-label="Break down by" className="tabs">
          {DIMENSIONS.map(([id, text]) => (
            <button key={id} type="button" role="tab" aria-selected={by === id} onClick={() => setBy(id)}>
              {text}
            </button>
          ))}
        </div>
      </div>
      {q.isPending ? (
        <Loading />
      ) : q.error ? (
        <ErrorBox error={q.error} />
      ) : (
        <table className="table" data-breakdown={by}>
          <thead>
            <tr>
              {header('label', DIMENSIONS.find((d) => d[0] === by)![1], false)}
              {header('tradeCount', 'Trades')}
              {header('winRate', 'Win rate')}
              {header('expectancy', 'Expectancy')}
              {header('profitFactor', 'Profit factor')}
              {header('netPnl', 'Net P&L')}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key ?? 'none'} data-key={r.key ?? ''}>
                <th scope="row">{r.label ?? r.key ?? (by === 'tag' ? 'No tag' : by === 'playbook' ? 'No playbook' : '—')}</th>
                <td className="num">{r.tradeCount}</td>
                <td className="num">{percent(r.winRate)}</td>
                <td className={`num ${signClass(r.expectancy)}`}>{money(r.expectancy)}</td>
                <td className="num">{ratio(r.profitFactor)}</td>
                <td className={`num bar-cell ${signClass(r.netPnl)}`}>
                  <span className="bar" style={{ width: `${(Math.abs(Number(r.netPnl)) / max) * 100}%` }} aria-hidden="true" />
                  <span>{money(r.netPnl)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Dashboard() {
  const [filters] = useFilters();
  const summary = useQuery({ queryKey: ['summary', filters], queryFn: () => get<Summary>('/analytics/summary', filters) });
  const equity = useQuery({ queryKey: ['equity', filters], queryFn: () => get<{ points: EquityPoint[] }>('/analytics/equity-curve', { ...filters, interval: 'day' }) });
  const points = equity.data?.points ?? [];
  const lastDay = points.at(-1)?.day ?? new Date().toISOString().slice(0, 10);

  if (summary.data && summary.data.tradeCount === 0 && Object.keys(filters).length === 0) return <EmptyState />;
  return (
    <div className="stack">
      <h1>Dashboard</h1>
      <FilterBar />
      {summary.isPending ? <Loading /> : summary.error ? <ErrorBox error={summary.error} /> : <Headline s={summary.data} />}
      <section className="card" aria-labelledby="eq-title">
        <h2 id="eq-title">Equity and drawdown</h2>
        {equity.error ? (
          <ErrorBox error={equity.error} />
        ) : equity.isPending ? (
          <Loading />
        ) : points.length === 0 ? (
          <p className="muted">No closed trades match these filters.</p>
        ) : (
          <Suspense fallback={<Loading label="Loading chart…" />}>
            <EquityChart points={points} />
          </Suspense>
        )}
      </section>
      {equity.data && <CalendarView key={lastDay.slice(0, 7)} filters={filters} initialMonth={lastDay.slice(0, 7)} />}
      <Breakdowns filters={filters} />
    </div>
  );
}
