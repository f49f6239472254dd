/**
 * What `npm run bench` and `npm run bench:load` share: a generated broker file imported through
 * the API (so the same seeding works on PGlite and PostgreSQL, and its duration is the import
 * scenario), and the read routes a dashboard calls.
 */
import { createWriteStream, openAsBlob } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Server } from './lib.js';
import { tempDir } from './lib.js';

export const SYMBOLS = 200;
export const PASSWORD = 'Violet-Harbor-Lantern-42';

/** Server settings for benches: limits off, so the numbers are the routes' and not the limiter's. */
export const BENCH_ENV = {
  RATE_LIMIT_AUTH: 'off',
  RATE_LIMIT_DEFAULT: 'off',
  RATE_LIMIT_ANALYTICS: 'off',
  RATE_LIMIT_IMPORTS: 'off',
  LOGIN_MAX_FAILURES: '1000',
  IMPORT_MAX_RUNNING_PER_USER: '10',
};

/** A TradeSense CSV of `rows` executions over SYMBOLS symbols from 2020-01-02, every other fill closing a round trip. */
export async function generateCsv(rows: number): Promise<string> {
  const file = path.join(tempDir('tradesense-bench-csv-'), 'executions.csv');
  const out = createWriteStream(file);
  out.write('account,executed_at,symbol,asset_class,side,quantity,price,commission,fees,multiplier,currency,broker_exec_id,underlying,expiry,strike,option_right\n');
  const start = Date.UTC(2020, 0, 2, 14, 30);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const symbol = `S${String(i % SYMBOLS).padStart(3, '0')}`;
    const n = Math.floor(i / SYMBOLS);
    const side = n % 2 === 0 ? 'buy' : 'sell';
    const price = (100 + (n % 50) * 0.25 + (i % 7) * 0.01).toFixed(2);
    // One fill a minute: 100k rows cover about 70 days.
    const at = new Date(start + i * 60_000).toISOString();
    chunk += `,${at},${symbol},stock,${side},${(n % 5) + 1}00,${price},1.00,0.05,,USD,E${i},,,,\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk);
  await finished(out);
  return file;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export interface Seeded {
  email: string;
  token: string;
  headers: { authorization: string };
  importMs: number;
  rows: number;
  executionsAdded: number;
}

/** A new user whose executions arrive by one import of `rows` rows through POST /api/v1/imports, timed from the POST to `done`. */
export async function seedUser(server: Server, rows: number): Promise<Seeded> {
  const email = `bench-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const registered = await post(`${server.url}/api/v1/auth/register`, { email, password: PASSWORD });
  const token = registered.accessToken as string;
  const headers = { authorization: `Bearer ${token}` };
  const account = await post(`${server.url}/api/v1/accounts`, { name: 'Bench' }, headers);
  const file = await generateCsv(rows);
  const form = new FormData();
  form.set('accountId', account.id as string);
  form.set('timezone', 'UTC');
  form.set('file', await openAsBlob(file, { type: 'text/csv' }), 'executions.csv');

  const started = performance.now();
  let res = await fetch(`${server.url}/api/v1/imports`, { method: 'POST', headers, body: form });
  // The load shedder may still be reacting to start-up work: honour Retry-After as a client would.
  for (let attempt = 0; res.status === 503 && attempt < 10; attempt++) {
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? '1') * 1000));
    res = await fetch(`${server.url}/api/v1/imports`, { method: 'POST', headers, body: form });
  }
  const accepted = (await res.json()) as { id: string };
  if (res.status !== 202) throw new Error(`import refused: ${res.status} ${JSON.stringify(accepted)}`);
  for (;;) {
    const detail = (await (await fetch(`${server.url}/api/v1/imports/${accepted.id}`, { headers })).json()) as { status: string; counts: { executionsAdded: number }; failure: unknown };
    if (detail.status === 'failed') throw new Error(`import failed: ${JSON.stringify(detail.failure)}`);
    if (detail.status === 'done') return { email, token, headers, importMs: performance.now() - started, rows, executionsAdded: detail.counts.executionsAdded };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The dashboard's reads over the seeded data (2020-01-02 onwards). */
/** What a browser adds to every request (Chrome's Accept-Encoding): the dashboard's reads come compressed. */
export const BROWSER_HEADERS = { 'accept-encoding': 'gzip, deflate, br, zstd' };

export const READS = {
  tradesPage: '/api/v1/trades?limit=50',
  tradesFiltered: '/api/v1/trades?symbol=S007&from=2020-01-10&to=2020-02-10&limit=50',
  summary: '/api/v1/analytics/summary',
  calendar: '/api/v1/analytics/calendar?year=2020',
  breakdownBySymbol: '/api/v1/analytics/breakdown?by=symbol',
  health: '/api/v1/health',
};

/** A summary path no earlier request used, so it misses the cache and runs the SQL. */
export function uncachedSummaryPath(): () => string {
  let n = 0;
  return () => `/api/v1/analytics/summary?maxPnl=1000000.${String(++n).padStart(6, '0')}`;
}
