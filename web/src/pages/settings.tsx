import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ErrorBox, Loading } from '../components/status';
import type { User } from '../lib/api';
import { api, get } from '../lib/api';
import { dateTime } from '../lib/format';
import type { Page } from '../lib/types';

interface Session {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}
interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scope: 'read' | 'write';
  createdAt: string;
  lastUsedAt: string | null;
}

function Profile() {
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ['me'], queryFn: () => get<User>('/auth/me') });
  const save = useMutation({
    mutationFn: (body: Partial<User>) => api<User>('PATCH', '/auth/me', body),
    onSuccess: (user) => {
      queryClient.setQueryData(['me'], user);
      void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
    },
  });
  if (me.isPending) return <Loading />;
  if (me.error) return <ErrorBox error={me.error} />;
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    save.mutate({ timezone: String(f.get('timezone')), baseCurrency: String(f.get('baseCurrency')), breakevenTolerance: String(f.get('breakevenTolerance')) });
  };
  return (
    <form className="stack" onSubmit={submit}>
      <label>
        Time zone (days, calendar and hours follow it)
        <input name="timezone" defaultValue={me.data.timezone} required />
      </label>
      <label>
        Base currency
        <input name="baseCurrency" defaultValue={me.data.baseCurrency} pattern="[A-Za-z]{3}" required />
      </label>
      <label>
        Breakeven tolerance (a trade within ± this is breakeven)
        <input name="breakevenTolerance" defaultValue={me.data.breakevenTolerance} inputMode="decimal" required />
      </label>
      <div className="row">
        <button type="submit" className="primary" disabled={save.isPending}>
          Save settings
        </button>
        {save.isSuccess && <span role="status">Saved</span>}
      </div>
      {save.error && <ErrorBox error={save.error} />}
    </form>
  );
}

function Sessions() {
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: ['sessions'], queryFn: () => get<Page<Session>>('/auth/sessions', { limit: 100 }) });
  const revoke = useMutation({ mutationFn: (id: string) => api<void>('DELETE', `/auth/sessions/${id}`), onSuccess: () => queryClient.invalidateQueries({ queryKey: ['sessions'] }) });
  if (list.isPending) return <Loading />;
  if (list.error) return <ErrorBox error={list.error} />;
  return (
    <table className="table" aria-label="Active sessions">
      <thead>
        <tr>
          <th scope="col">Device</th>
          <th scope="col">IP</th>
          <th scope="col">Last used</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {list.data.data.map((s) => (
          <tr key={s.id}>
            <td>{s.userAgent ?? 'Unknown'}</td>
            <td>{s.ip ?? '—'}</td>
            <td>{dateTime(s.lastUsedAt)}</td>
            <td>
              {s.current ? (
                <span className="muted">This session</span>
              ) : (
                <button type="button" onClick={() => revoke.mutate(s.id)}>
                  Revoke
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ApiKeys() {
  const queryClient = useQueryClient();
  const [secret, setSecret] = useState<string | null>(null);
  const list = useQuery({ queryKey: ['api-keys'], queryFn: () => get<Page<ApiKey>>('/auth/api-keys', { limit: 100 }) });
  const create = useMutation({
    mutationFn: (body: { name: string; scope: string }) => api<ApiKey & { key: string }>('POST', '/auth/api-keys', body),
    onSuccess: (key) => {
      setSecret(key.key);
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({ mutationFn: (id: string) => api<void>('DELETE', `/auth/api-keys/${id}`), onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }) });
  return (
    <div className="stack">
      <form
        className="row start"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          create.mutate({ name: String(f.get('name')), scope: String(f.get('scope')) });
        }}
      >
        <label>
          Key name
          <input name="name" required maxLength={100} />
        </label>
        <label>
          Scope
          <select name="scope" defaultValue="read">
            <option value="read">Read</option>
            <option value="write">Read and write</option>
          </select>
        </label>
        <button type="submit">Create key</button>
      </form>
      {create.error && <ErrorBox error={create.error} />}
      {secret && (
        <p role="status" className="notice">
          Copy this key now; it is not shown again: <code>{secret}</code>
        </p>
      )}
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorBox error={list.error} />
      ) : (
        <table className="table" aria-label="API keys">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Scope</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{k.scope}</td>
                <td>{dateTime(k.lastUsedAt)}</td>
                <td>
                  <button type="button" onClick={() => revoke.mutate(k.id)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function Settings() {
  return (
    <div className="stack">
      <h1>Settings</h1>
      <section className="card" aria-labelledby="profile-title">
        <h2 id="profile-title">Preferences</h2>
        <Profile />
      </section>
      <section className="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Active sessions</h2>
        <Sessions />
      </section>
      <section className="card" aria-labelledby="keys-title">
        <h2 id="keys-title">API keys</h2>
        <ApiKeys />
      </section>
    </div>
  );
}
