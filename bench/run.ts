/**
 * `npm run bench` — one command, one table: start-up, the trivial JSON route (the baseline of
 * the "vs trivial" column), an import of 100,000 rows through the API, sign-in, the trades list,
 * analytics (cached and uncached), calendar and breakdown, all against one compiled server.
 *
 * `-- --quick`: 2-second scenarios and a 20,000-row import. `-- --db postgres`: on DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/tradesense_bench, created when missing) instead of PGlite. `-- --rows N`: import size.
 * `-- --startup`: only the start-up rows (5 runs each), without the load scenarios.
 */
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Row } from './lib.js';
import { BENCH_DATABASE_URL, ensureDatabase, load, loadAverage, printTable, root, startServer, tempDir } from './lib.js';
import { BENCH_ENV, PASSWORD, READS, seedUser, uncachedSummaryPath } from './scenarios.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const startupOnly = args.includes('--startup');
const dbArg = args.includes('--db') ? args[args.indexOf('--db') + 1] : 'pglite';
const rowsArg = args.includes('--rows') ? Number(args[args.indexOf('--rows') + 1]) : undefined;
const importRows = rowsArg ?? (quick ? 20_000 : 100_000);
const databaseUrl = process.env.DATABASE_URL ?? BENCH_DATABASE_URL;
const duration = quick ? 2 : 8;
const secret = 'bench-secret-bench-secret-bench-secret-0123';

/**
 * CPU time (user + system, all threads) a process has used, from /proc: on a shared machine
 * the start-up's wall time depends on the others' load, its CPU time far less.
 */
function cpuMs(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Starts the server `runs` times; the row's note has the best and the median wall time and CPU time to ready. */
async function timeStartups(scenario: string, env: Record<string, string>, runs: number): Promise<Row> {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = await startServer(env);
    walls.push(started.readyMs);
    cpus.push(cpuMs(started.server.child.pid));
    await started.server.stop();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    scenario,
    note: `${Math.round(Math.min(...walls))} ms best of ${runs} (median ${Math.round(median(walls))} ms); CPU to ready ${Math.round(Math.min(...cpus))} ms best (median ${Math.round(median(cpus))} ms)`,
  };
}

async function startup(rows: Row[]) {
  // PGlite: a new data directory (initdb + migrations), then the same directory reopened.
  const dataDir = tempDir('tradesense-bench-');
  const first = await startServer({ DATA_DIR: dataDir, JWT_SECRET: secret });
  await first.server.stop();
  rows.push({ scenario: 'start-up to ready: PGlite, new data dir', note: `${Math.round(first.readyMs)} ms` });
  const runs = startupOnly ? 5 : quick ? 1 : 3;
  rows.push(await timeStartups('start-up to ready: PGlite, existing data dir', { DATA_DIR: dataDir, JWT_SECRET: secret }, runs));
  rows.push(await timeStartups('start-up to ready: PostgreSQL', { DATA_DIR: dataDir, JWT_SECRET: secret, DATABASE_URL: databaseUrl }, runs));
}

function printHeader(loadBefore: string) {
  console.log(`\nTradeSense bench — database: ${dbArg}, ${startupOnly ? 'start-up only' : `${quick ? 'quick' : 'full'} run (${duration} s per scenario)`}, ${new Date().toISOString()}, node ${process.version}`);
  console.log(`command: npm run bench -- ${args.join(' ')}`.trimEnd());
  console.log(`load average (1/5/15 min) before: ${loadBefore}, after: ${loadAverage()}\n`);
}

async function main() {
  ensureDatabase(databaseUrl);
  const loadBefore = loadAverage();
  console.log('building...');
  execSync('npm run build', { cwd: root, stdio: 'ignore' });
  const rows: Row[] = [];
  await startup(rows);
  if (startupOnly) {
    printHeader(loadBefore);
    printTable(rows);
    return;
  }

  const env = { DATA_DIR: tempDir('tradesense-bench-'), JWT_SECRET: secret, ...BENCH_ENV, ...(dbArg === 'postgres' ? { DATABASE_URL: databaseUrl } : {}) };
  const { server } = await startServer(env);
  try {
    const url = (path: string) => `${server.url}${path}`;
    const trivial = await load('health (trivial JSON route), 100 connections', { url: url(READS.health), durationSeconds: duration, connections: 100 });
    rows.push(trivial);
    rows.push(await load('readiness (database + cache ping), 100 connections', { url: url('/api/v1/health/ready'), durationSeconds: duration, connections: 100 }));

    console.log(`importing ${importRows.toLocaleString('en-US')} rows...`);
    const seeded = await seedUser(server, importRows);
    const seconds = seeded.importMs / 1000;
    rows.push({
      scenario: `import of ${importRows.toLocaleString('en-US')} rows (POST → done)`,
      note: `${seconds.toFixed(1)} s, ${Math.round(importRows / seconds).toLocaleString('en-US')} rows/s, ${seeded.executionsAdded.toLocaleString('en-US')} executions added`,
    });
    const headers = seeded.headers;

    rows.push(
      await load('login (argon2id verify), 10 connections', {
        url: url('/api/v1/auth/login'),
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: seeded.email, password: PASSWORD }),
        durationSeconds: duration,
        connections: 10,
      }),
    );
    rows.push(await load('trades list, first page (limit 50), 100 connections', { url: url(READS.tradesPage), headers, durationSeconds: duration, connections: 100 }));
    rows.push(await load('trades list, symbol + date range filtered, 100 connections', { url: url(READS.tradesFiltered), headers, durationSeconds: duration, connections: 100 }));
    rows.push(await load('analytics summary, uncached (a new filter each request), 4 connections', { url: url(READS.summary), pathFn: uncachedSummaryPath(), headers, durationSeconds: duration, connections: 4 }));
    rows.push(await load('analytics summary, cached, 100 connections', { url: url(READS.summary), headers, durationSeconds: duration, connections: 100 }));
    rows.push(await load('calendar (year), cached, 100 connections', { url: url(READS.calendar), headers, durationSeconds: duration, connections: 100 }));
    rows.push(await load('breakdown by symbol, cached, 100 connections', { url: url(READS.breakdownBySymbol), headers, durationSeconds: duration, connections: 100 }));

    printHeader(loadBefore);
    printTable(rows, trivial.reqPerSec);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
