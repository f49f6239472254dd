/**
 * `npm run bench` — one command, one table: start-up, the trivial JSON route (the baseline of
 * the "vs trivial" column), an import of 100,000 rows through the API, sign-in, the trades list,
 * analytics (cached and uncached), calendar and breakdown, all against one compiled server.
 *
 * `-- --quick`: 2-second scenarios and a 20,000-row import. `-- --db postgres`: on DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/test) instead of PGlite. `-- --rows N`: import size.
 */
import { execSync } from 'node:child_process';
import type { Row } from './lib.js';
import { load, loadAverage, printTable, root, startServer, tempDir } from './lib.js';
import { BENCH_ENV, PASSWORD, READS, seedUser, uncachedSummaryPath } from './scenarios.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const dbArg = args.includes('--db') ? args[args.indexOf('--db') + 1] : 'pglite';
const rowsArg = args.includes('--rows') ? Number(args[args.indexOf('--rows') + 1]) : undefined;
const importRows = rowsArg ?? (quick ? 20_000 : 100_000);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const duration = quick ? 2 : 8;
const secret = 'bench-secret-bench-secret-bench-secret-0123';

async function startup(rows: Row[]) {
  // PGlite: a new data directory (initdb + migrations), then the same directory reopened.
  const dataDir = tempDir('tradesense-bench-');
  const first = await startServer({ DATA_DIR: dataDir, JWT_SECRET: secret });
  await first.server.stop();
  rows.push({ scenario: 'start-up to ready: PGlite, new data dir', note: `${Math.round(first.readyMs)} ms` });
  const runs = quick ? 1 : 3;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const again = await startServer({ DATA_DIR: dataDir, JWT_SECRET: secret });
    times.push(again.readyMs);
    await again.server.stop();
  }
  rows.push({ scenario: 'start-up to ready: PGlite, existing data dir', note: `${Math.round(Math.min(...times))} ms best of ${runs}` });

  const pgTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const pg = await startServer({ DATA_DIR: dataDir, JWT_SECRET: secret, DATABASE_URL: databaseUrl });
    pgTimes.push(pg.readyMs);
    await pg.server.stop();
  }
  rows.push({ scenario: 'start-up to ready: PostgreSQL', note: `${Math.round(Math.min(...pgTimes))} ms best of ${runs}` });
}

async function main() {
  const loadBefore = loadAverage();
  console.log('building...');
  execSync('npm run build', { cwd: root, stdio: 'ignore' });
  const rows: Row[] = [];
  await startup(rows);

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

    console.log(`\nTradeSense bench — database: ${dbArg}, ${quick ? 'quick' : 'full'} run (${duration} s per scenario), ${new Date().toISOString()}, node ${process.version}`);
    console.log(`command: npm run bench -- ${args.join(' ')}`.trimEnd());
    console.log(`load average (1/5/15 min) before: ${loadBefore}, after: ${loadAverage()}\n`);
    printTable(rows, trivial.reqPerSec);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
