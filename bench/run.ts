/**
 * `npm run bench` — one command, one table. `-- --quick` for a short run; `-- --db postgres`
 * to run against DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) instead of PGlite.
 */
import { execSync } from 'node:child_process';
import type { Row } from './lib.js';
import { load, printTable, root, startServer, tempDir } from './lib.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const dbArg = args.includes('--db') ? args[args.indexOf('--db') + 1] : 'pglite';
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
  console.log('building...');
  execSync('npm run build', { cwd: root, stdio: 'ignore' });
  const rows: Row[] = [];
  await startup(rows);

  const env = { DATA_DIR: tempDir('tradesense-bench-'), JWT_SECRET: secret, ...(dbArg === 'postgres' ? { DATABASE_URL: databaseUrl } : {}) };
  const { server } = await startServer(env);
  try {
    const trivial = await load('health (trivial JSON route)', { url: `${server.url}/api/v1/health`, durationSeconds: duration, connections: 100 });
    rows.push(trivial);
    rows.push(await load('readiness (database + cache ping)', { url: `${server.url}/api/v1/health/ready`, durationSeconds: duration, connections: 100 }));
    console.log(`\nTradeSense bench — database: ${dbArg}, ${quick ? 'quick' : 'full'} run, ${new Date().toISOString()}, node ${process.version}\n`);
    printTable(rows, trivial.reqPerSec);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
