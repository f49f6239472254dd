/**
 * Trades list, query path and CPU per request.
 * `npx tsx bench/list.ts --user <id> [--runs 1000] [--server <server.js>]... [--connections 10] [--seconds 10]`
 *
 * On the data `bench/ledger.ts --keep` left in DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/tradesense_bench, created when missing) for user <id>: first the query path in-process, as
 * `bench/ledger.ts` measures it (`listTrades`, no page cache, one call at a time); then starts each compiled server in turn
 * (default dist/src/server.js; give another checkout's build to compare before and after in the
 * same minutes), warms it up for a second, then runs the ledger bench's list scenarios with
 * autocannon. Beside latency it prints the CPU time each request cost the server process and
 * the PostgreSQL backends serving it (utime + stime from /proc around the run): on a shared
 * machine latency follows the load, CPU per request far less.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { createAccountsRepository } from '../src/modules/accounts/accounts.repository.js';
import { createAccountsService } from '../src/modules/accounts/accounts.service.js';
import { createExecutionsRepository } from '../src/modules/executions/executions.repository.js';
import { createTradesRepository } from '../src/modules/trades/trades.repository.js';
import { createTradesService } from '../src/modules/trades/trades.service.js';
import { openDatabase } from '../src/platform/db/database.js';
import type { Db } from '../src/platform/db/database.js';
import type { Row } from './lib.js';
import { BENCH_DATABASE_URL, ensureDatabase, load, loadAverage, printTable, root, startServer, tempDir } from './lib.js';
import { listScenarios, measureQueryPath } from './list-scenarios.js';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const userId = option('--user');
const servers = args.flatMap((a, i) => (a === '--server' ? [path.resolve(args[i + 1]!)] : []));
const connections = Number(option('--connections') ?? 10);
const seconds = Number(option('--seconds') ?? 10);
const runs = Number(option('--runs') ?? 1000);
const databaseUrl = process.env.DATABASE_URL ?? BENCH_DATABASE_URL;
const secret = 'bench-secret-bench-secret-bench-secret-0123';

/** utime + stime of a process in milliseconds (0 once it is gone). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

async function main() {
  ensureDatabase(databaseUrl);
  if (!userId) throw new Error('--user <id> is required (a user kept by bench/ledger.ts --keep)');
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'tradesense-bench' });
  await client.connect();
  const { headers, scenarios } = await listScenarios(drizzle({ client }) as unknown as Db, loadConfig({ DATABASE_URL: databaseUrl, JWT_SECRET: secret }), userId);
  /** The server's PostgreSQL backends (its pool's connections). */
  const backends = async () =>
    (await client.query<{ pid: number }>(`select pid from pg_stat_activity where application_name = 'tradesense' and datname = current_database()`)).rows.map((r) => r.pid);
  const loadBefore = loadAverage();
  const database = await openDatabase(loadConfig({ DATABASE_URL: databaseUrl, JWT_SECRET: secret, DB_POOL_MAX: '4' }));
  const accountsService = createAccountsService({ accountsRepository: createAccountsRepository(database.db) });
  const tradesService = createTradesService({ tradesRepository: createTradesRepository(database.db), executionsRepository: createExecutionsRepository(database.db), accountsService });
  const rows: Row[] = await measureQueryPath(tradesService, userId, scenarios, runs);
  await database.close();
  for (const entry of servers.length > 0 ? servers : [path.join(root, 'dist/src/server.js')]) {
    const { server } = await startServer({ DATA_DIR: tempDir('tradesense-bench-'), JWT_SECRET: secret, DATABASE_URL: databaseUrl, RATE_LIMIT_DEFAULT: 'off' }, entry);
    try {
      for (const { scenario, path: url } of scenarios) {
        await load('warm-up', { url: `${server.url}${url}`, headers, connections, durationSeconds: 1 });
        const pids = [server.child.pid!, ...(await backends())];
        const before = pids.map(cpuMs);
        const row = await load(`${scenario} — ${path.relative(root, entry) || entry}`, { url: `${server.url}${url}`, headers, connections, durationSeconds: seconds });
        const spent = pids.map((pid, i) => cpuMs(pid) - before[i]!);
        const requests = (row.reqPerSec ?? 0) * seconds;
        const perRequest = (ms: number) => (requests > 0 ? `${Math.round((ms * 1000) / requests)} µs` : '-');
        rows.push({ ...row, note: `CPU/request: server ${perRequest(spent[0]!)}, PostgreSQL ${perRequest(spent.slice(1).reduce((a, b) => a + b, 0))}` });
      }
    } finally {
      await server.stop();
    }
  }
  await client.end();
  console.log(`\nTrades list — in-process ${runs} calls per row; HTTP ${connections} connections, ${seconds} s per row (a build with the page cache answers from it), ${new Date().toISOString()}, node ${process.version}`);
  console.log(`command: npx tsx bench/list.ts ${args.join(' ')}`);
  console.log(`load average (1/5/15 min) before: ${loadBefore}, after: ${loadAverage()}\n`);
  printTable(rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
