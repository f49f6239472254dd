import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { usePlaybooks, useTags } from '../components/filter-bar';
import { ErrorBox, Loading } from '../components/status';
import { api, get } from '../lib/api';
import { dateTime, duration, money, signClass } from '../lib/format';
import type { Tag, TradeDetail as TradeDetailView } from '../lib/types';
import { Markdown } from '../components/markdown';

function Editor({ trade }: { trade: TradeDetailView }) {
  const queryClient = useQueryClient();
  const tags = useTags();
  const playbooks = usePlaybooks().data?.data ?? [];
  const [notes, setNotes] = useState(trade.notes);
  const [tagIds, setTagIds] = useState<string[]>(trade.tags.map((t) => t.id));
  const [rating, setRating] = useState<number | null>(trade.rating);
  const [playbookId, setPlaybookId] = useState<string | null>(trade.playbookId);
  const [checks, setChecks] = useState<Record<string, boolean>>(Object.fromEntries(trade.ruleChecks.map((c) => [c.ruleId, c.followed])));
  const rules = playbooks.find((p) => p.id === playbookId)?.rules ?? [];
  const [newTag, setNewTag] = useState('');
  useEffect(() => {
    setNotes(trade.notes);
    setTagIds(trade.tags.map((t) => t.id));
  }, [trade]);

  const createTag = useMutation({
    mutationFn: (name: string) => api<Tag>('POST', '/tags', { name }),
    onSuccess: async (tag) => {
      setTagIds((ids) => [...ids, tag.id]);
      setNewTag('');
      await queryClient.invalidateQueries({ queryKey: ['tags'] });
    },
  });
  const save = useMutation({
    mutationFn: () =>
      api<TradeDetailView>('PATCH', `/trades/${trade.id}`, {
        notes,
        tagIds,
        rating,
        playbookId,
        ruleChecks: rules.filter((r) => r.id in checks).map((r) => ({ ruleId: r.id, followed: checks[r.id]! })),
      }),
    onSuccess: async (updated) => {
      queryClient.setQueryData(['trade', trade.id], updated);
      // Tags and notes change breakdowns and lists: refetch what shows them.
      await queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'trade' });
    },
  });

  return (
    <section className="card stack" aria-labelledby="journal-title">
      <h2 id="journal-title">Journal</h2>
      <fieldset>
        <legend>Tags</legend>
        {tags.isPending && <Loading />}
        <div className="chips">
          {(tags.data?.data ?? []).map((t) => (
            <label key={t.id} className="chip-toggle">
              <input type="checkbox" checked={tagIds.includes(t.id)} onChange={(e) => setTagIds(e.target.checked ? [...tagIds, t.id] : tagIds.filter((id) => id !== t.id))} />
              {t.name}
            </label>
          ))}
        </div>
        <form
          className="row start"
          onSubmit={(e) => {
            e.preventDefault();
            if (newTag.trim()) createTag.mutate(newTag.trim());
          }}
        >
          <label>
            New tag
            <input value={newTag} onChange={(e) => setNewTag(e.target.value)} placeholder="e.g. breakout" />
          </label>
          <button type="submit" disabled={!newTag.trim() || createTag.isPending}>
            Add tag
          </button>
        </form>
        {createTag.error && <ErrorBox error={createTag.error} />}
      </fieldset>
      <label>
        Playbook
        <select
          value={playbookId ?? ''}
          onChange={(e) => {
            setPlaybookId(e.target.value || null);
            setChecks({});
          }}
        >
          <option value="">None</option>
          {playbooks.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      {rules.length > 0 && (
        <fieldset>
          <legend>Rules followed</legend>
          {rules.map((r) => (
            <label key={r.id} className="chip-toggle">
              <input type="checkbox" checked={checks[r.id] ?? false} onChange={(e) => setChecks({ ...checks, [r.id]: e.target.checked })} />
              {r.text}
            </label>
          ))}
        </fieldset>
      )}
      <label>
        Rating
        <select value={rating ?? ''} onChange={(e) => setRating(e.target.value ? Number(e.target.value) : null)}>
          <option value="">Not rated</option>
          {[1, 2, 3, 4, 5].map((n) => (
            <option key={n} value={n}>
              {'★'.repeat(n)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Notes (Markdown)
        <textarea rows={8} value={notes} onChange={(e) => setNotes(e.target.value)} />
      </label>
      <Markdown text={notes} label="Notes preview" />
      <div className="row">
        <button type="button" className="primary" onClick={() => save.mutate()} disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
        {save.isSuccess && !save.isPending && (
          <span role="status" className="muted">
            Saved
          </span>
        )}
      </div>
      {save.error && <ErrorBox error={save.error} />}
    </section>
  );
}

export function TradeDetail() {
  const { id = '' } = useParams();
  const q = useQuery({ queryKey: ['trade', id], queryFn: () => get<TradeDetailView>(`/trades/${id}`) });
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorBox error={q.error} />;
  const t = q.data;
  return (
    <div className="stack">
      <p>
        <Link to="/trades">← All trades</Link>
      </p>
      <h1>
        {t.symbol} <span className="muted">{t.side}</span>
      </h1>
      <div className="grid2">
        <section className="card" aria-labelledby="pnl-title">
          <h2 id="pnl-title">P&L</h2>
          <dl className="kv">
            <dt>Gross</dt>
            <dd className={signClass(t.grossPnl)}>{money(t.grossPnl, t.currency)}</dd>
            <dt>Fees</dt>
            <dd>{money(t.fees, t.currency)}</dd>
            <dt>Net</dt>
            <dd className={signClass(t.netPnl)} data-value={t.netPnl}>
              {money(t.netPnl, t.currency)}
            </dd>
            <dt>R</dt>
            <dd>{t.rMultiple ?? '—'}</dd>
            <dt>Opened</dt>
            <dd>{dateTime(t.openedAt)}</dd>
            <dt>Closed</dt>
            <dd>{dateTime(t.closedAt)}</dd>
            <dt>Held</dt>
            <dd>{duration(t.holdSeconds)}</dd>
            <dt>Quantity</dt>
            <dd>{t.quantity}</dd>
            <dt>Entry / exit</dt>
            <dd>
              {t.avgEntry} / {t.avgExit ?? '—'}
            </dd>
          </dl>
        </section>
        <Editor trade={t} />
      </div>
      <section className="card" aria-labelledby="exec-title">
        <h2 id="exec-title">Executions</h2>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Side</th>
              <th scope="col" className="num">
                Quantity
              </th>
              <th scope="col" className="num">
                Price
              </th>
              <th scope="col" className="num">
                Fees (this trade)
              </th>
              <th scope="col">Role</th>
            </tr>
          </thead>
          <tbody>
            {t.executions.map((e) => (
              <tr key={e.id}>
                <td>{dateTime(e.executedAt)}</td>
                <td>{e.side}</td>
                <td className="num">{e.share.quantity}</td>
                <td className="num">{e.price}</td>
                <td className="num">{e.share.fees}</td>
                <td>{e.share.role}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
