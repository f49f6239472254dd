import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router';
import { usePlaybooks, useTags } from '../components/filter-bar';
import { ErrorBox, Loading } from '../components/status';
import { api, get } from '../lib/api';
import { money, percent, ratio, signClass } from '../lib/format';
import type { BreakdownRow, Summary } from '../lib/types';

interface RuleStats {
  ruleId: string;
  text: string;
  followed: { tradeCount: number; winRate: number | null; netPnl: string };
  broken: { tradeCount: number; winRate: number | null; netPnl: string };
  unchecked: number;
}

function PlaybookStats({ id }: { id: string }) {
  const q = useQuery({ queryKey: ['playbook-stats', id], queryFn: () => get<{ summary: Summary; rules: RuleStats[] }>(`/playbooks/${id}/stats`) });
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorBox error={q.error} />;
  const s = q.data.summary;
  return (
    <div className="stack">
      <p data-playbook-stats={id} data-trade-count={s.tradeCount} data-net-pnl={s.netPnl}>
        {s.tradeCount} trades · net <span className={signClass(s.netPnl)}>{money(s.netPnl)}</span> · win rate {percent(s.winRate)} · profit factor {ratio(s.profitFactor)} ·
        expectancy {money(s.expectancy)} · <Link to={`/dashboard?playbookId=${id}`}>dashboard for this playbook</Link>
      </p>
      {q.data.rules.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col" className="num">
                Followed: trades / net
              </th>
              <th scope="col" className="num">
                Broken: trades / net
              </th>
              <th scope="col" className="num">
                Unchecked
              </th>
            </tr>
          </thead>
          <tbody>
            {q.data.rules.map((r) => (
              <tr key={r.ruleId} data-rule-id={r.ruleId}>
                <th scope="row">{r.text}</th>
                <td className={`num ${signClass(r.followed.netPnl)}`}>
                  {r.followed.tradeCount} / {money(r.followed.netPnl)}
                </td>
                <td className={`num ${signClass(r.broken.netPnl)}`}>
                  {r.broken.tradeCount} / {money(r.broken.netPnl)}
                </td>
                <td className="num">{r.unchecked}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Playbooks() {
  const queryClient = useQueryClient();
  const list = usePlaybooks();
  const [open, setOpen] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: { name: string; description: string; rules: { text: string }[] }) => api('POST', '/playbooks', body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['playbooks'] }),
  });
  const remove = useMutation({ mutationFn: (id: string) => api('DELETE', `/playbooks/${id}`), onSuccess: () => queryClient.invalidateQueries() });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const rules = String(f.get('rules'))
      .split('\n')
      .map((text) => text.trim())
      .filter(Boolean)
      .map((text) => ({ text }));
    create.mutate({ name: String(f.get('name')), description: String(f.get('description')), rules });
    e.currentTarget.reset();
  };
  return (
    <section className="card stack" aria-labelledby="pb-title">
      <h2 id="pb-title">Playbooks</h2>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorBox error={list.error} />
      ) : list.data.data.length === 0 ? (
        <p className="muted">A playbook is a setup you trade on purpose, with a checklist of rules. Create one, assign trades to it, and see whether following its rules pays.</p>
      ) : (
        <ul className="plain">
          {list.data.data.map((p) => (
            <li key={p.id} className="stack">
              <div className="row">
                <button type="button" className="link" aria-expanded={open === p.id} onClick={() => setOpen(open === p.id ? null : p.id)}>
                  {p.name}
                </button>
                <button type="button" onClick={() => window.confirm(`Delete the playbook ${p.name}?`) && remove.mutate(p.id)}>
                  Delete
                </button>
              </div>
              {open === p.id && <PlaybookStats id={p.id} />}
            </li>
          ))}
        </ul>
      )}
      <form className="stack" onSubmit={submit} aria-label="New playbook">
        <label>
          Name
          <input name="name" required maxLength={100} />
        </label>
        <label>
          Description
          <input name="description" />
        </label>
        <label>
          Rules, one a line
          <textarea name="rules" rows={3} />
        </label>
        <div className="row start">
          <button type="submit" disabled={create.isPending}>
            Create playbook
          </button>
        </div>
        {create.error && <ErrorBox error={create.error} />}
        {remove.error && <ErrorBox error={remove.error} />}
      </form>
    </section>
  );
}

function Tags() {
  const queryClient = useQueryClient();
  const tags = useTags();
  const stats = useQuery({ queryKey: ['breakdown', {}, 'tag'], queryFn: () => get<{ groups: BreakdownRow[] }>('/analytics/breakdown', { by: 'tag' }) });
  const byTag = new Map((stats.data?.groups ?? []).map((g) => [g.key, g]));
  const create = useMutation({ mutationFn: (body: { name: string; kind: string }) => api('POST', '/tags', body), onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tags'] }) });
  const remove = useMutation({ mutationFn: (id: string) => api('DELETE', `/tags/${id}`), onSuccess: () => queryClient.invalidateQueries() });
  return (
    <section className="card stack" aria-labelledby="tags-title">
      <h2 id="tags-title">Tags</h2>
      {tags.isPending ? (
        <Loading />
      ) : tags.error ? (
        <ErrorBox error={tags.error} />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Tag</th>
              <th scope="col">Kind</th>
              <th scope="col" className="num">
                Trades
              </th>
              <th scope="col" className="num">
                Win rate
              </th>
              <th scope="col" className="num">
                Net P&L
              </th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tags.data.data.map((t) => {
              const g = byTag.get(t.id);
              return (
                <tr key={t.id} data-tag-id={t.id}>
                  <th scope="row">
                    <Link to={`/dashboard?tag=${t.id}`}>{t.name}</Link>
                  </th>
                  <td>{t.kind}</td>
                  <td className="num">{g?.tradeCount ?? 0}</td>
                  <td className="num">{percent(g?.winRate)}</td>
                  <td className={`num ${signClass(g?.netPnl)}`} data-value={g?.netPnl ?? '0'}>
                    {money(g?.netPnl ?? '0')}
                  </td>
                  <td>
                    <button type="button" onClick={() => window.confirm(`Delete the tag ${t.name}?`) && remove.mutate(t.id)}>
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <form
        className="row start"
        aria-label="New tag"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          create.mutate({ name: String(f.get('name')), kind: String(f.get('kind')) });
          e.currentTarget.reset();
        }}
      >
        <label>
          Name
          <input name="name" required maxLength={100} />
        </label>
        <label>
          Kind
          <select name="kind" defaultValue="custom">
            <option value="setup">Setup</option>
            <option value="mistake">Mistake</option>
            <option value="custom">Other</option>
          </select>
        </label>
        <button type="submit">Create tag</button>
      </form>
      {create.error && <ErrorBox error={create.error} />}
      {remove.error && <ErrorBox error={remove.error} />}
    </section>
  );
}

export function PlaybooksAndTags() {
  return (
    <div className="stack">
      <h1>Playbooks and tags</h1>
      <Playbooks />
      <Tags />
    </div>
  );
}
