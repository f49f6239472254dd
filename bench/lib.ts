import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

export interface Row {
  scenario: string;
  reqPerSec?: number;
  p50?: number;
  p95?: number;
  p99?: number;
  /** Connection errors and timeouts. */
  errors?: number;
  /** Answers outside 2xx (429, 503 from load shedding, ...). */
  non2xx?: number;
  note?: string;
}

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/**
 * The benches' default PostgreSQL database (created when missing): never the test database,
 * whose tests rebuild every user's aggregates and would pay for a bench's hundred thousand rows.
 */
export const BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/tradesense_bench';

/** The database a URL names, and the URL of the server's `postgres` database to create or drop it from. */
function serverOf(url: string): { name: string; admin: string } {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  return { name, admin: u.toString() };
}

/** Creates the scratch database a bench names in its URL when it does not exist, so a bench never needs the test database. */
export function ensureDatabase(url: string) {
  const { name, admin } = serverOf(url);
  const exists = execFileSync('psql', [admin, '-tAc', `select 1 from pg_database where datname = '${name}'`]).toString().trim();
  if (exists !== '1') execFileSync('psql', [admin, '-c', `create database "${name}"`]);
}

/** Drops and creates a bench's own scratch database, so a run starts from no rows (a database a run already filled writes several times slower once its indexes outgrow shared_buffers). */
export function recreateDatabase(url: string) {
  const { name, admin } = serverOf(url);
  execFileSync('psql', [admin, '-qc', `drop database if exists "${name}" with (force)`]);
  execFileSync('psql', [admin, '-qc', `create database "${name}"`]);
}

export function tempDir(prefix: string) {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export interface Server {
  child: ChildProcess;
  url: string;
  stop(): Promise<number | null>;
}

/** A port nobody listens on now (another bench may be running on this machine at the same time). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The Node.js options of a checkout's `npm start` (its package.json start script,
 * `node [options] dist/src/server.js`), so a bench runs the server as it is run in production
 * (the heap limit changes its memory and CPU).
 */
function startOptions(checkout: string): string[] {
  const pkg = JSON.parse(readFileSync(path.join(checkout, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = pkg.scripts.start.trim().split(/\s+/);
  if (command !== 'node') throw new Error(`cannot read the node options of the start script "${pkg.scripts.start}"`);
  return args.filter((arg) => arg.startsWith('-'));
}

/**
 * Starts the compiled server (dist/, or the `entry` of another checkout's build, run from that
 * checkout with that checkout's `npm start` options) and resolves when /health/ready answers 200,
 * with the time that took.
 */
export async function startServer(env: Record<string, string | undefined>, entry = path.join(root, 'dist/src/server.js')): Promise<{ server: Server; readyMs: number }> {
  const p = await freePort();
  const started = performance.now();
  const checkout = path.resolve(path.dirname(entry), '../..');
  const child = spawn(process.execPath, [...startOptions(checkout), entry], {
    cwd: checkout,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', LOG_PRETTY: 'false', HOST: '127.0.0.1', PORT: String(p), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${p}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/api/v1/health/ready`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const readyMs = performance.now() - started;
  return {
    readyMs,
    server: {
      child,
      url,
      async stop() {
        child.kill('SIGTERM');
        return exited;
      },
    },
  };
}

export interface LoadOptions {
  url: string;
  connections?: number;
  durationSeconds?: number;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  body?: string;
  /** Several paths, requested round-robin. */
  paths?: string[];
  /** A new path for every request (e.g. to miss a cache each time). */
  pathFn?: () => string;
}

export async function load(scenario: string, options: LoadOptions): Promise<Row> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections ?? 50,
    duration: options.durationSeconds ?? 5,
    headers: options.headers,
    method: options.method ?? 'GET',
    body: options.body,
    requests: options.pathFn
      ? [{ setupRequest: (request) => ({ ...request, path: options.pathFn!() }) }]
      : options.paths?.map((p) => ({ path: p })),
  });
  // Requests still queued in the server when the run ends would bleed into the next scenario:
  // wait until a readiness check (which needs the database) gets through.
  await fetch(new URL('/api/v1/health/ready', options.url)).then((res) => res.arrayBuffer(), () => undefined);
  // Which statuses the non-2xx answers had (429, 503, ...), so a row with some says why.
  const non2xxCodes = Object.entries(result.statusCodeStats ?? {})
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, { count }]) => `${count} × ${code}`);
  const notes = [
    ...(result.requests.total === 0 ? [`no request finished within the ${options.durationSeconds ?? 5} s run`] : []),
    ...(non2xxCodes.length > 0 ? [`non-2xx: ${non2xxCodes.join(', ')}`] : []),
  ];
  return {
    scenario,
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p95: result.latency.p97_5,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export function printTable(rows: Row[], baseline?: number) {
  const header = ['scenario', 'req/s', 'p50 ms', 'p97.5 ms', 'p99 ms', 'errors', 'non-2xx', 'vs trivial', 'note'];
  const lines = rows.map((r) => [
    r.scenario,
    r.reqPerSec?.toLocaleString('en-US') ?? '',
    r.p50?.toString() ?? '',
    r.p95?.toString() ?? '',
    r.p99?.toString() ?? '',
    r.errors?.toString() ?? '',
    r.non2xx?.toString() ?? '',
    baseline && r.reqPerSec ? `${Math.round((r.reqPerSec / baseline) * 100)}%` : '',
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(fmt(l));
}

/** The machine's load when a bench runs: numbers here only compare within a run. */
export function loadAverage(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');
}
