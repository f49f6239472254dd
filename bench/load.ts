/**
 * `npm run bench:load` — a dashboard's mixed reads at 100, 500 and 1,000 concurrent connections
 * against one compiled server: trades list page, filtered trades, analytics summary (cached),
 * calendar, breakdown by symbol and health, requested round-robin by every connection, with a
 * browser's Accept-Encoding (and once more without it at the first level).
 *
 * `-- --quick`: 3-second runs and a 20,000-row seed (default 10 s, 100,000 rows).
 * `-- --db postgres`: on DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tradesense_bench, created when missing).
 * `-- --connections 100,500`: other levels. Load shedding stays on (as deployed): 503s under
 * overload show in the non-2xx column.
 */
import { execSync } from 'node:child_process';
import type { Row } from './lib.js';
import { BENCH_DATABASE_URL, ensureDatabase, load, loadAverage, printTable, root, startServer, tempDir } from './lib.js';
import { BENCH_ENV, BROWSER_HEADERS, READS, seedUser } from './scenarios.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const dbArg = args.includes('--db') ? args[args.indexOf('--db') + 1] : 'pglite';
const databaseUrl = process.env.DATABASE_URL ?? BENCH_DATABASE_URL;
const levels = args.includes('--connections') ? args[args.indexOf('--connections') + 1]!.split(',').map(Number) : [100, 500, 1000];
const duration = quick ? 3 : 10;
const rows = quick ? 20_000 : 100_000;
const MIX = [READS.tradesPage, READS.tradesFiltered, READS.summary, READS.calendar, READS.breakdownBySymbol, READS.health];

async function main() {
  if (dbArg === 'postgres') ensureDatabase(databaseUrl);
  const loadBefore = loadAverage();
  console.log('building...');
  execSync('npm run build', { cwd: root, stdio: 'ignore' });
  const env = {
    DATA_DIR: tempDir('tradesense-load-'),
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
    ...BENCH_ENV,
    ...(dbArg === 'postgres' ? { DATABASE_URL: databaseUrl } : {}),
  };
  const { server } = await startServer(env);
  try {
    console.log(`seeding ${rows.toLocaleString('en-US')} executions through an import...`);
    const seeded = await seedUser(server, rows);
    // Warm the cache once per route, so the cached reads are what is measured.
    for (const path of MIX) await (await fetch(`${server.url}${path}`, { headers: seeded.headers })).arrayBuffer();
    const table: Row[] = [];
    const baseline = await load('health alone, 100 connections (baseline)', { url: `${server.url}${READS.health}`, connections: 100, durationSeconds: duration });
    table.push(baseline);
    for (const [i, connections] of levels.entries()) {
      console.log(`${connections} connections...`);
      // As the dashboard's browser asks (it always sends Accept-Encoding); at the first level also as a client that accepts no compression.
      table.push(await load(`mixed reads, ${connections} connections`, { url: server.url, paths: MIX, headers: { ...seeded.headers, ...BROWSER_HEADERS }, connections, durationSeconds: duration }));
      if (i === 0) table.push(await load(`mixed reads, ${connections} connections, no Accept-Encoding`, { url: server.url, paths: MIX, headers: seeded.headers, connections, durationSeconds: duration }));
    }
    console.log(`\nTradeSense load — database: ${dbArg}, ${duration} s per level, ${rows.toLocaleString('en-US')} executions seeded, ${new Date().toISOString()}, node ${process.version}`);
    console.log(`mix (round-robin per connection): ${MIX.join(', ')}`);
    console.log(`command: npm run bench:load -- ${args.join(' ')}`.trimEnd());
    console.log(`load average (1/5/15 min) before: ${loadBefore}, after: ${loadAverage()}\n`);
    printTable(table, baseline.reqPerSec);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
