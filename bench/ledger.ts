/**
 * Ledger benchmark (issue: the ledger). `npx tsx bench/ledger.ts [--executions 1000000] [--quick] [--rebuild-only]`
 *
 * On PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/tradesense_bench, created when missing): generates N
 * executions for one new user (3 accounts, 60 symbols, scale-ins, scale-outs and flips),
 * derives their trades, then measures the rebuild of one instrument with 10,000 executions
 * in-process, the trades list's query path in-process (first page; symbol + date-range filtered
 * page; sort=-netPnl), and the same pages over HTTP with autocannon against the compiled server
 * (there, after the first request, from the page cache).
 */
import { execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config/config.js';
import { accounts, users } from '../src/db/schema/index.js';
import { createAccountsRepository } from '../src/modules/accounts/accounts.repository.js';
import { createAccountsService } from '../src/modules/accounts/accounts.service.js';
import { createExecutionsRepository } from '../src/modules/executions/executions.repository.js';
import { createTradesRepository } from '../src/modules/trades/trades.repository.js';
import { createTradesService } from '../src/modules/trades/trades.service.js';
import { openDatabase } from '../src/platform/db/database.js';
import type { Db } from '../src/platform/db/database.js';
import type { Row } from './lib.js';
import { BENCH_DATABASE_URL, ensureDatabase, load, printTable, root, startServer, tempDir } from './lib.js';
import { listScenarios, measureQueryPath } from './list-scenarios.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
/** Keep the generated user and its data (for EXPLAIN ANALYZE afterwards); the user id is printed. */
const keep = args.includes('--keep');
/** Only the in-process rebuilds of the 10,000-execution instrument (beside `--executions` others, default none); no server. */
const rebuildOnly = args.includes('--rebuild-only');
const count = Number(args.includes('--executions') ? args[args.indexOf('--executions') + 1] : rebuildOnly ? 0 : quick ? 100_000 : 1_000_000);
const databaseUrl = process.env.DATABASE_URL ?? BENCH_DATABASE_URL;
const secret = 'bench-secret-bench-secret-bench-secret-0123';
const config = loadConfig({ DATABASE_URL: databaseUrl, JWT_SECRET: secret, DB_POOL_MAX: '4', DB_STATEMENT_TIMEOUT_MS: '0' });

/** Deterministic PRNG (mulberry32) so every run generates the same data. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STOCKS = Array.from({ length: 56 }, (_, i) => `SYM${String(i).padStart(2, '0')}`);
const FUTURES = ['ESZ5', 'MESZ5', 'NQZ5', 'CLF6'];

interface GenExecution {
  accountId: string;
  symbol: string;
  assetClass: 'stock' | 'future';
  multiplier: string;
  executedAt: Date;
  side: 'buy' | 'sell';
  quantity: number;
  price: string;
  commission: string;
}

/** Executions of one instrument: trades of 2–6 fills, with scale-ins, partial exits and some flips. */
function* instrumentExecutions(rand: () => number, accountId: string, symbol: string, n: number, start: Date): Generator<GenExecution> {
  const future = FUTURES.includes(symbol);
  const multiplier = future ? (symbol.startsWith('MES') ? '5' : symbol.startsWith('ES') ? '50' : symbol.startsWith('NQ') ? '20' : '1000') : '1';
  let position = 0;
  let price = 50 + rand() * 200;
  let time = start.getTime();
  for (let i = 0; i < n; i++) {
    time += 1000 + Math.floor(rand() * 600_000);
    price = Math.max(1, price + (rand() - 0.5) * 2);
    let side: 'buy' | 'sell';
    let quantity: number;
    const remaining = n - i;
    if (position === 0) {
      side = rand() < 0.6 ? 'buy' : 'sell';
      quantity = 1 + Math.floor(rand() * 10) * (future ? 1 : 10);
    } else if (remaining <= 2 || rand() < 0.45) {
      // Close, sometimes flipping through zero.
      side = position > 0 ? 'sell' : 'buy';
      quantity = Math.abs(position) + (remaining > 2 && rand() < 0.1 ? 1 + Math.floor(rand() * 5) : 0);
    } else if (rand() < 0.5) {
      side = position > 0 ? 'buy' : 'sell';
      quantity = 1 + Math.floor(rand() * 5);
    } else {
      side = position > 0 ? 'sell' : 'buy';
      quantity = Math.max(1, Math.floor(Math.abs(position) / 2));
    }
    position += side === 'buy' ? quantity : -quantity;
    yield {
      accountId,
      symbol,
      assetClass: future ? 'future' : 'stock',
      multiplier,
      executedAt: new Date(time),
      side,
      quantity,
      price: price.toFixed(2),
      commission: (quantity * 0.005).toFixed(3),
    };
  }
}

async function insertBatch(db: Db, userId: string, batch: GenExecution[]) {
  const col = <T>(f: (e: GenExecution) => T) => batch.map(f);
  await db.execute(sql`
    insert into executions (user_id, account_id, instrument_key, executed_at, symbol, asset_class, side, quantity, price, commission, fees, multiplier, currency)
    select ${userId}::uuid, a, s, t, s, c, d, q, p, f, 0, m, 'USD'
    from unnest(${sql.param(col((e) => e.accountId))}::uuid[], ${sql.param(col((e) => e.symbol))}::text[],
                ${sql.param(col((e) => e.executedAt.toISOString()))}::timestamptz[], ${sql.param(col((e) => e.assetClass))}::text[],
                ${sql.param(col((e) => e.side))}::text[], ${sql.param(col((e) => String(e.quantity)))}::numeric[],
                ${sql.param(col((e) => e.price))}::numeric[], ${sql.param(col((e) => e.commission))}::numeric[],
                ${sql.param(col((e) => e.multiplier))}::numeric[])
      as x(a, s, t, c, d, q, p, f, m)`);
}

async function main() {
  ensureDatabase(databaseUrl);
  console.log('building...');
  execSync('npm run build', { cwd: root, stdio: 'ignore' });
  const database = await openDatabase(config);
  const { db } = database;
  const rows: Row[] = [];

  const [user] = await db.insert(users).values({ email: `bench-${randomUUID()}@example.test`, passwordHash: 'x', timezone: 'America/New_York' }).returning({ id: users.id });
  const userId = user!.id;
  const accountIds = (await db.insert(accounts).values([1, 2, 3].map((i) => ({ userId, name: `Bench ${i}` }))).returning({ id: accounts.id })).map((a) => a.id);

  // Generate and insert.
  const rand = prng(42);
  const instruments = accountIds.flatMap((accountId) => [...STOCKS, ...FUTURES].map((symbol) => ({ accountId, symbol })));
  const perInstrument = Math.floor(count / instruments.length);
  const start = new Date('2023-01-02T14:30:00Z');
  let batch: GenExecution[] = [];
  let inserted = 0;
  const insertStarted = performance.now();
  for (const { accountId, symbol } of instruments) {
    for (const e of instrumentExecutions(rand, accountId, symbol, perInstrument, start)) {
      batch.push(e);
      if (batch.length === 20_000) {
        await insertBatch(db, userId, batch);
        inserted += batch.length;
        batch = [];
      }
    }
  }
  if (batch.length) await insertBatch(db, userId, batch);
  inserted += batch.length;
  const insertMs = performance.now() - insertStarted;
  rows.push({ scenario: `generate + insert ${inserted.toLocaleString('en-US')} executions (unnest)`, note: `${(insertMs / 1000).toFixed(1)} s` });

  const accountsService = createAccountsService({ accountsRepository: createAccountsRepository(db) });
  const tradesService = createTradesService({ tradesRepository: createTradesRepository(db), executionsRepository: createExecutionsRepository(db), accountsService });

  const rebuildStarted = performance.now();
  let tradeCount = 0;
  for (let i = 0; i < instruments.length; i += 10) {
    const refs = instruments.slice(i, i + 10).map(({ accountId, symbol }) => ({ accountId, instrumentKey: symbol }));
    tradeCount += (await db.transaction((tx) => tradesService.rebuildInstruments(userId, refs, tx))).trades;
  }
  const rebuildMs = performance.now() - rebuildStarted;
  rows.push({ scenario: `derive all trades (${instruments.length} instruments)`, note: `${(rebuildMs / 1000).toFixed(1)} s → ${tradeCount.toLocaleString('en-US')} trades` });
  await db.execute(sql`analyze executions`);
  await db.execute(sql`analyze trades`);

  // One instrument with 10,000 executions: its first build, then rebuilds with nothing changed (median of 7).
  const bigSymbol = 'BIG10K';
  const bigRef = { accountId: accountIds[0]!, instrumentKey: bigSymbol };
  await insertBatch(db, userId, [...instrumentExecutions(rand, accountIds[0]!, bigSymbol, 10_000, start)]);
  const rebuildBig = async () => {
    const t0 = performance.now();
    await db.transaction((tx) => tradesService.rebuildInstruments(userId, [bigRef], tx));
    return performance.now() - t0;
  };
  const firstBuild = await rebuildBig();
  rows.push({ scenario: 'first build of one instrument, 10,000 executions', note: `${Math.round(firstBuild)} ms` });
  const times: number[] = [];
  for (let i = 0; i < 7; i++) times.push(await rebuildBig());
  times.sort((a, b) => a - b);
  rows.push({ scenario: 'rebuild one instrument, 10,000 executions, unchanged', note: `median ${Math.round(times[3]!)} ms (min ${Math.round(times[0]!)}, max ${Math.round(times[6]!)})` });
  // One execution's commission changes: the rebuild rewrites one trade and one fill link.
  const changed: number[] = [];
  for (let i = 0; i < 5; i++) {
    await db.execute(sql`
      update executions set commission = commission + 0.01
      where id = (select id from executions where account_id = ${bigRef.accountId} and instrument_key = ${bigSymbol} order by executed_at desc limit 1 offset ${1000 * (i + 1)})`);
    changed.push(await rebuildBig());
  }
  changed.sort((a, b) => a - b);
  rows.push({ scenario: 'rebuild one instrument, 10,000 executions, one fee changed', note: `median ${Math.round(changed[2]!)} ms (min ${Math.round(changed[0]!)}, max ${Math.round(changed[4]!)})` });
  if (rebuildOnly) {
    for (const row of rows) console.log(`${row.scenario}: ${row.note}`);
    await db.execute(sql`delete from users where id = ${userId}`);
    await database.close();
    return;
  }

  // HTTP: the compiled server against the same database.
  const { headers, scenarios } = await listScenarios(db, config, userId);
  rows.push(...(await measureQueryPath(tradesService, userId, scenarios, quick ? 200 : 1000)));
  const { server } = await startServer({ DATA_DIR: tempDir('tradesense-bench-'), JWT_SECRET: secret, DATABASE_URL: databaseUrl, RATE_LIMIT_DEFAULT: 'off' });
  const duration = quick ? 3 : 10;
  try {
    const health = await load('health (trivial JSON route)', { url: `${server.url}/api/v1/health`, connections: 10, durationSeconds: duration });
    rows.push(health);
    // Every request after the first is answered from the page cache (nothing writes meanwhile); the query path is measured above.
    for (const { scenario, path } of scenarios) {
      rows.push(await load(`${scenario}, HTTP, cached page`, { url: `${server.url}${path}`, headers, connections: 10, durationSeconds: duration }));
    }
    console.log(`\nLedger bench — PostgreSQL, ${inserted.toLocaleString('en-US')} executions, ${new Date().toISOString()}, node ${process.version}\n`);
    printTable(rows, health.reqPerSec);
  } finally {
    await server.stop();
    if (keep) console.log(`\nkept user ${userId} (accounts ${accountIds.join(', ')})`);
    else await db.execute(sql`delete from users where id = ${userId}`);
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
