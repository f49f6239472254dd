import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ErrorBox, Loading } from '../components/status';
import { api, get } from '../lib/api';
import { money, signClass } from '../lib/format';
import type { Trade } from '../lib/types';
import { Markdown } from '../components/markdown';
import { TradeList } from '../components/trade-list';

interface JournalMonth {
  month: string;
  days: { date: string; hasEntry: boolean; mood: number | null; netPnl: string; tradeCount: number }[];
}
interface JournalDay {
  date: string;
  hasEntry: boolean;
  content: string;
  mood: number | null;
  trades: Trade[];
  pnl: { net: string; gross: string; fees: string; tradeCount: number };
}

const today = () => new Date().toISOString().slice(0, 10);

function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + delta, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function DayEntry({ date }: { date: string }) {
  const queryClient = useQueryClient();
  const day = useQuery({ queryKey: ['journal-day', date], queryFn: () => get<JournalDay>(`/journal/${date}`) });
  const [content, setContent] = useState('');
  const [mood, setMood] = useState<number | null>(null);
  useEffect(() => {
    if (day.data) {
      setContent(day.data.content);
      setMood(day.data.mood);
    }
  }, [day.data]);
  const save = useMutation({
    mutationFn: () => api<JournalDay>('PUT', `/journal/${date}`, { content, mood }),
    onSuccess: async (saved) => {
      queryClient.setQueryData(['journal-day', date], saved);
      await queryClient.invalidateQueries({ queryKey: ['journal-month'] });
    },
  });
  if (day.isPending) return <Loading />;
  if (day.error) return <ErrorBox error={day.error} />;
  return (
    <div className="grid2">
      <section className="card stack" aria-labelledby="entry-title">
        <h2 id="entry-title">Journal for {date}</h2>
        <label>
          Entry (Markdown)
          <textarea rows={12} value={content} onChange={(e) => setContent(e.target.value)} placeholder="Plan, execution, what to repeat, what to avoid…" />
        </label>
        <Markdown text={content} label="Entry preview" />
        <label>
          Mood
          <select value={mood ?? ''} onChange={(e) => setMood(e.target.value ? Number(e.target.value) : null)}>
            <option value="">Not set</option>
            {[1, 2, 3, 4, 5].map((n) => (
              <option key={n} value={n}>
                {n} — {['awful', 'bad', 'okay', 'good', 'great'][n - 1]}
              </option>
            ))}
          </select>
        </label>
        <div className="row start">
          <button type="button" className="primary" disabled={save.isPending} onClick={() => save.mutate()}>
            Save entry
          </button>
          {save.isSuccess && <span role="status">Saved</span>}
        </div>
        {save.error && <ErrorBox error={save.error} />}
      </section>
      <section className="card" aria-labelledby="day-trades-title">
        <h2 id="day-trades-title">
          Trades · <span className={signClass(day.data.pnl.net)}>{money(day.data.pnl.net)}</span>
        </h2>
        <p className="muted">
          Gross {money(day.data.pnl.gross)} · fees {money(day.data.pnl.fees)} · {day.data.pnl.tradeCount} closed
        </p>
        {day.data.trades.length === 0 ? (
          <p className="muted">No trades on this day.</p>
        ) : (
          <TradeList trades={day.data.trades} />
        )}
      </section>
    </div>
  );
}

export function Journal() {
  const [params, setParams] = useSearchParams();
  const date = params.get('date') ?? today();
  const month = params.get('month') ?? date.slice(0, 7);
  const list = useQuery({ queryKey: ['journal-month', month], queryFn: () => get<JournalMonth>('/journal', { month }) });
  const go = (next: { month?: string; date?: string }) => setParams({ month: next.month ?? month, date: next.date ?? date });
  return (
    <div className="stack">
      <h1>Journal</h1>
      <div className="journal">
        <nav className="card" aria-label="Days of the month">
          <div className="row">
            <button type="button" aria-label="Previous month" onClick={() => go({ month: shiftMonth(month, -1) })}>
              ‹
            </button>
            <strong aria-live="polite">{month}</strong>
            <button type="button" aria-label="Next month" onClick={() => go({ month: shiftMonth(month, 1) })}>
              ›
            </button>
          </div>
          {list.isPending ? (
            <Loading />
          ) : list.error ? (
            <ErrorBox error={list.error} />
          ) : list.data.days.length === 0 ? (
            <p className="muted">Nothing this month yet.</p>
          ) : (
            <ul className="daylist">
              {list.data.days.map((d) => (
                <li key={d.date}>
                  <button type="button" className={d.date === date ? 'selected' : undefined} aria-current={d.date === date ? 'date' : undefined} onClick={() => go({ date: d.date })}>
                    <span>{d.date}</span>
                    <span className={signClass(d.netPnl)}>{d.tradeCount > 0 ? money(d.netPnl) : ''}</span>
                    <span className="muted">{d.hasEntry ? '✎' : ''}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </nav>
        <DayEntry key={date} date={date} />
      </div>
    </div>
  );
}
