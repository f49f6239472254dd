import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { DragEvent } from 'react';
import { Link } from 'react-router';
import { useAccounts } from '../components/filter-bar';
import { ErrorBox, Loading } from '../components/status';
import { api, get } from '../lib/api';
import { dateTime } from '../lib/format';
import { holdLiveEvents, watchImport } from '../lib/live-events';
import type { ImportDetail, ImportPreview, ImportSummary, Page, RowError } from '../lib/types';

function form(file: File, accountId: string, onInvalid: string): FormData {
  const data = new FormData();
  if (accountId) data.set('accountId', accountId);
  data.set('broker', 'auto');
  data.set('onInvalid', onInvalid);
  data.set('file', file, file.name);
  return data;
}

function RowErrors({ errors }: { errors: RowError[] }) {
  if (errors.length === 0) return null;
  return (
    <table className="table" aria-label="Row errors">
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col">Column</th>
          <th scope="col">Value</th>
          <th scope="col">Problem</th>
        </tr>
      </thead>
      <tbody>
        {errors.map((e, i) => (
          <tr key={`${e.line}-${i}`}>
            <td>{e.line}</td>
            <td>{e.column ?? '—'}</td>
            <td>
              <code>{e.value ?? ''}</code>
            </td>
            <td>{e.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Progress({ detail }: { detail: ImportDetail }) {
  const { bytesRead, totalBytes } = detail.progress;
  const pct = detail.status === 'done' ? 100 : totalBytes > 0 ? Math.round((bytesRead / totalBytes) * 100) : 0;
  return (
    <div className="stack" data-import-status={detail.status}>
      <label>
        {detail.status === 'done' ? 'Imported' : detail.status === 'failed' ? 'Failed' : `Importing (${detail.status})…`}
        <progress max={100} value={pct} aria-valuetext={`${pct}%`} />
      </label>
      {detail.status === 'done' && (
        <p role="status">
          {detail.counts.executionsAdded} executions added, {detail.counts.duplicatesSkipped} duplicates skipped, {detail.counts.invalidRows} invalid rows.{' '}
          <Link to="/dashboard">See your dashboard →</Link>
        </p>
      )}
      {detail.failure && <ErrorBox error={new Error(`${detail.failure.message} (${detail.failure.code})`)} />}
      <RowErrors errors={detail.errors} />
    </div>
  );
}

function History() {
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: ['imports'], queryFn: () => get<Page<ImportSummary>>('/imports', { limit: 50 }) });
  const undo = useMutation({
    mutationFn: (id: string) => api<void>('DELETE', `/imports/${id}`),
    onSuccess: () => queryClient.invalidateQueries(),
  });
  if (list.isPending) return <Loading />;
  if (list.error) return <ErrorBox error={list.error} />;
  if (list.data.data.length === 0) return <p className="muted">No imports yet.</p>;
  return (
    <>
      {undo.error && <ErrorBox error={undo.error} />}
      <table className="table" aria-label="Past imports">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">File</th>
            <th scope="col">Broker</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Added
            </th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.data.data.map((i) => (
            <tr key={i.id} data-import-id={i.id}>
              <td>{dateTime(i.createdAt)}</td>
              <td>{i.fileName ?? '—'}</td>
              <td>{i.broker ?? '—'}</td>
              <td>{i.status}</td>
              <td className="num">{i.counts.executionsAdded}</td>
              <td>
                {i.status === 'done' && (
                  <button
                    type="button"
                    disabled={undo.isPending}
                    onClick={() => {
                      if (window.confirm('Remove every execution this import added?')) undo.mutate(i.id);
                    }}
                  >
                    Undo import
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function Import() {
  const queryClient = useQueryClient();
  const accounts = useAccounts().data?.data ?? [];
  const [file, setFile] = useState<File | null>(null);
  const [accountId, setAccountId] = useState('');
  const [onInvalid, setOnInvalid] = useState('reject');
  const [dragging, setDragging] = useState(false);
  const [running, setRunning] = useState<ImportDetail | null>(null);
  const [watchError, setWatchError] = useState<unknown>(null);
  const preview = useMutation({ mutationFn: (f: File) => api<ImportPreview>('POST', '/imports/preview', form(f, accountId, onInvalid)) });
  const commit = useMutation({
    mutationFn: (f: File) => api<{ id: string }>('POST', '/imports', form(f, accountId, onInvalid)),
  });
  const importId = commit.data?.id;
  // The live-events socket opens with the screen, so it is ready before an import's first event.
  useEffect(() => holdLiveEvents(), []);
  useEffect(() => {
    if (!importId) return;
    return watchImport(
      importId,
      (detail) => {
        setRunning(detail);
        if (detail.status === 'done' || detail.status === 'failed') void queryClient.invalidateQueries();
      },
      setWatchError,
    );
  }, [importId, queryClient]);

  const choose = (f: File | undefined) => {
    if (!f) return;
    setFile(f);
    setRunning(null);
    commit.reset();
    preview.mutate(f);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    choose(e.dataTransfer.files[0]);
  };

  return (
    <div className="stack">
      <h1>Import</h1>
      <section className="card stack" aria-labelledby="upload-title">
        <h2 id="upload-title">Upload a broker file</h2>
        <div className="row">
          <label>
            Account
            <select value={accountId} onChange={(e) => setAccountId(e.target.value)}>
              <option value="">From the file’s account column</option>
              {accounts.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Invalid rows
            <select value={onInvalid} onChange={(e) => setOnInvalid(e.target.value)}>
              <option value="reject">Reject the whole file</option>
              <option value="skip">Skip them, import the rest</option>
            </select>
          </label>
        </div>
        <label
          className={`dropzone${dragging ? ' dragging' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <span>{file ? file.name : 'Drop a CSV file here, or choose one'}</span>
          <input type="file" accept=".csv,.txt,.tsv,text/csv" aria-label="Broker file" onChange={(e) => choose(e.target.files?.[0])} />
        </label>
        <p className="muted">
          Formats: IBKR Flex and Activity, thinkorswim, Tradovate, NinjaTrader, Webull, TradeZero, Tradervue, TradeSense CSV. No file?{' '}
          <a href="/sample-trades.csv" download>
            Try the sample
          </a>
          .
        </p>
      </section>

      {preview.isPending && <Loading label="Reading the file…" />}
      {preview.error && <ErrorBox error={preview.error} />}
      {preview.data && file && (
        <section className="card stack" aria-labelledby="preview-title">
          <h2 id="preview-title">Preview</h2>
          <p data-detected-broker={preview.data.format.id}>
            Detected format: <strong>{preview.data.format.name}</strong> · times in {preview.data.timezone} · {preview.data.linesRead} lines read
            {preview.data.complete ? '' : ' (first part)'}
          </p>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Account</th>
                <th scope="col">Time</th>
                <th scope="col">Symbol</th>
                <th scope="col">Side</th>
                <th scope="col" className="num">
                  Qty
                </th>
                <th scope="col" className="num">
                  Price
                </th>
              </tr>
            </thead>
            <tbody>
              {preview.data.executions.map((x) => (
                <tr key={x.line}>
                  <td>{x.line}</td>
                  <td>{x.accountRef ?? '—'}</td>
                  <td>{dateTime(x.executedAt)}</td>
                  <td>{x.symbol}</td>
                  <td>{x.side}</td>
                  <td className="num">{x.quantity}</td>
                  <td className="num">{x.price}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <RowErrors errors={preview.data.errors} />
          {!importId && (
            <button type="button" className="primary" onClick={() => commit.mutate(file)} disabled={commit.isPending}>
              Import {file.name}
            </button>
          )}
          {commit.error && <ErrorBox error={commit.error} />}
          {watchError !== null && <ErrorBox error={watchError} />}
          {running && <Progress detail={running} />}
        </section>
      )}

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">Past imports</h2>
        <History />
      </section>
    </div>
  );
}
