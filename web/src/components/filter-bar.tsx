import { useQuery } from '@tanstack/react-query';
import { get } from '../lib/api';
import type { Filters } from '../lib/filters';
import { useFilters } from '../lib/filters';
import type { Account, Page, Playbook, Tag } from '../lib/types';

export const useTags = () => useQuery({ queryKey: ['tags'], queryFn: () => get<Page<Tag>>('/tags', { limit: 500 }) });
export const useAccounts = () => useQuery({ queryKey: ['accounts'], queryFn: () => get<Page<Account>>('/accounts', { limit: 500 }) });
export const usePlaybooks = () => useQuery({ queryKey: ['playbooks'], queryFn: () => get<Page<Playbook>>('/playbooks', { limit: 500 }) });

/** The shared filters; every number on the screen follows them. */
export function FilterBar() {
  const [filters, setFilters] = useFilters();
  const tags = useTags().data?.data ?? [];
  const accounts = useAccounts().data?.data ?? [];
  const playbooks = usePlaybooks().data?.data ?? [];
  const change = (key: keyof Filters) => (e: { target: { value: string } }) => setFilters({ ...filters, [key]: e.target.value || undefined });
  return (
    <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <label>
        From
        <input type="date" value={filters.from ?? ''} onChange={change('from')} />
      </label>
      <label>
        To
        <input type="date" value={filters.to ?? ''} onChange={change('to')} />
      </label>
      <label>
        Account
        <select value={filters.accountId ?? ''} onChange={change('accountId')}>
          <option value="">All</option>
          {accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Symbol
        <input
          type="search"
          defaultValue={filters.symbol ?? ''}
          placeholder="e.g. AAPL"
          onKeyDown={(e) => {
            if (e.key === 'Enter') setFilters({ ...filters, symbol: e.currentTarget.value.trim().toUpperCase() || undefined });
          }}
          onBlur={(e) => setFilters({ ...filters, symbol: e.currentTarget.value.trim().toUpperCase() || undefined })}
        />
      </label>
      <label>
        Tag
        <select value={filters.tag ?? ''} onChange={change('tag')}>
          <option value="">All</option>
          {tags.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Playbook
        <select value={filters.playbookId ?? ''} onChange={change('playbookId')}>
          <option value="">All</option>
          {playbooks.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Side
        <select value={filters.side ?? ''} onChange={change('side')}>
          <option value="">Both</option>
          <option value="long">Long</option>
          <option value="short">Short</option>
        </select>
      </label>
      {Object.keys(filters).length > 0 && (
        <button type="button" onClick={() => setFilters({})}>
          Clear filters
        </button>
      )}
    </form>
  );
}
