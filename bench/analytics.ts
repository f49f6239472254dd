/**
 * Analytics bench: `npx tsx bench/analytics.ts [--trades 100000] [--quick] [--redis]`.
 *
 * Inserts N closed trades for one new user straight into PostgreSQL (one `unnest` insert per
 * 20k rows) and builds the user's daily aggregates from them (what the trades module keeps up to
 * date on every write), starts the server (src/server.ts through tsx, its own process), then
 * measures: uncached summary latency (every request a distinct `to` day far in the future, so
 * every request misses the cache, runs the SQL and still reads every trade), uncached latency of
 * each analytics endpoint (`--samples N` sequential requests each, default 20; the summary's own
 * series has `--summary-samples N`, default 100), cached summary at
 * 100 connections, and /api/v1/health at 100 connections in the same run for comparison.
 * `--endpoints-only` skips the autocannon scenarios, `--skip a,b` the endpoint scenarios named so.
 * `--user <id>` measures a user an earlier run seeded (its id is printed) instead of inserting
 * again (seeding 1,000,000 trades takes minutes); `--rebuild` with it first rebuilds that user's
 * daily aggregates (after a migration added stored rows).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import autocannon from 'autocannon';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from '../src/db/schema/index.js';
import { rebuildDailyAggregates } from '../src/modules/trades/trades.repository.js';
import { loadConfig } from '../src/config/config.js';
import { createTokenService } from '../src/platform/auth/tokens.js';
import { insertClosedTrades } from './closed-trades.js';
import type { Row } from './lib.js';
import { BENCH_DATABASE_URL, ensureDatabase, printTable, root, tempDir } from './lib.js';

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const quick = args.includes('--quick');
const useRedis = args.includes('--redis');
const tradeCount = Number(arg('--trades') ?? (quick ? 20_000 : 100_000));
const endpointSamples = Number(arg('--samples') ?? (quick ? 5 : 20));
const endpointsOnly = args.includes('--endpoints-only');
/**
 * `--skip name,name`: endpoint scenarios (by name prefix) left out, e.g. the per-trade equity curve at 1M trades.
 * Names hold ", " (comma and space), so only a comma without a space after it separates two of them.
 */
const skip = (arg('--skip') ?? '').split(/,(?! )/).filter(Boolean);
const reuseUser = arg('--user');
const rebuild = args.includes('--rebuild');
const databaseUrl = process.env.DATABASE_URL ?? BENCH_DATABASE_URL;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const duration = quick ? 3 : 10;
const secret = 'bench-secret-bench-secret-bench-secret-0123';

/** An earlier run's user (`--user`): its account, a new session, and a check that it holds the trades asked for. */
async function reuse(client: pg.Client, userId: string): Promise<{ userId: string; sessionId: string; accountId: string }> {
  const { rows: [account] } = await client.query<{ id: string }>(`select id from accounts where user_id = $1 order by created_at limit 1`, [userId]);
  if (!account) throw new Error(`no account of user ${userId}`);
  const { rows: [counted] } = await client.query<{ n: string }>(`select count(*) as n from trades where user_id = $1 and status = 'closed'`, [userId]);
  if (Number(counted!.n) !== tradeCount) throw new Error(`user ${userId} has ${counted!.n} closed trades, not ${tradeCount}`);
  if (rebuild) {
    const began = performance.now();
    await drizzle({ client, schema }).transaction((tx) => rebuildDailyAggregates(tx, userId));
    await client.query('vacuum (analyze) daily_aggregates, daily_sequences, daily_account_sequences, daily_symbol_sequences');
    console.log(`rebuilt the daily aggregates in ${Math.round(performance.now() - began)} ms`);
  }
  const { rows: [session] } = await client.query<{ id: string }>(
    `insert into sessions (user_id, expires_at) values ($1, now() + interval '1 day') returning id`,
    [userId],
  );
  console.log(`reusing user ${userId} (${tradeCount} trades)`);
  return { userId, sessionId: session!.id, accountId: account.id };
}

async function seed(client: pg.Client): Promise<{ userId: string; sessionId: string; accountId: string }> {
  await client.query('select 1 from users limit 1'); // migrations ran (the server start runs them otherwise)
  if (reuseUser !== undefined) return reuse(client, reuseUser);
  const email = `bench-${randomUUID()}@example.test`;
  const { rows: [user] } = await client.query<{ id: string }>(
    `insert into users (email, password_hash, timezone) values ($1, 'x', 'America/New_York') returning id`,
    [email],
  );
  const { rows: [account] } = await client.query<{ id: string }>(`insert into accounts (user_id, name) values ($1, 'Bench') returning id`, [user!.id]);
  const { rows: [session] } = await client.query<{ id: string }>(
    `insert into sessions (user_id, expires_at) values ($1, now() + interval '1 day') returning id`,
    [user!.id],
  );
  const { insertMs, aggregatesMs } = await insertClosedTrades(client, {
    userId: user!.id,
    accountId: account!.id,
    count: tradeCount,
    start: Date.parse('2020-01-01T14:30:00Z'),
    spacingMs: 20 * 60_000,
    jitterMs: 600_000,
    maxExtraHoldSeconds: 20_000,
    seed: 42,
  });
  console.log(`inserted ${tradeCount} trades in ${Math.round(insertMs)} ms`);
  console.log(`built the daily aggregates in ${Math.round(aggregatesMs)} ms`);
  console.log(`seeded user ${user!.id} (reuse it with --user)`);
  return { userId: user!.id, sessionId: session!.id, accountId: account!.id };
}

async function startServer(port: number, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/server.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', LOG_PRETTY: 'false', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/api/v1/health/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function cannon(scenario: string, url: string, connections: number, headers: Record<string, string> = {}): Promise<Row> {
  const result = await autocannon({ url, connections, duration, headers, method: 'GET' });
  return {
    scenario,
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p95: result.latency.p97_5,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function main() {
  ensureDatabase(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    DATA_DIR: tempDir('tradesense-bench-'),
    JWT_SECRET: secret,
    RATE_LIMIT_ANALYTICS: 'off',
    RATE_LIMIT_DEFAULT: 'off',
    SHED_EVENT_LOOP_DELAY_MS: '0',
    ...(useRedis ? { REDIS_URL: redisUrl } : {}),
  };
  const server = await startServer(18_900 + Math.floor(Math.random() * 500), env);
  const rows: Row[] = [];
  try {
    const { userId, sessionId, accountId } = await seed(client);
    const tokens = createTokenService(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, DATABASE_URL: databaseUrl }));
    const { token } = await tokens.signAccess({ userId, role: 'user', sessionId });
    const headers = { authorization: `Bearer ${token}` };
    const summaryUrl = `${server.url}/api/v1/analytics/summary`;

    // Uncached, one request at a time: a distinct `to` day per request (every trade still matches), so each misses the cache.
    let bust = 0;
    const farDay = () => new Date(Date.UTC(2100, 0, 1) + ++bust * 86_400_000).toISOString().slice(0, 10);
    const uncachedPath = () => `/api/v1/analytics/summary?to=${farDay()}`;
    const warm = await fetch(`${server.url}${uncachedPath()}`, { headers });
    const body = (await warm.json()) as { tradeCount: number };
    if (body.tradeCount !== tradeCount) throw new Error(`summary saw ${body.tradeCount} trades, expected ${tradeCount}`);
    const times: number[] = [];
    const samples = Number(arg('--summary-samples') ?? (quick ? 30 : 100));
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}${uncachedPath()}`, { headers });
      await res.arrayBuffer();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    rows.push({
      scenario: `summary uncached, sequential (${samples} requests)`,
      p50: Math.round(pct(times, 0.5) * 10) / 10,
      p95: Math.round(pct(times, 0.95) * 10) / 10,
      p99: Math.round(pct(times, 0.99) * 10) / 10,
      note: 'p95 column is p95 here (fetch timing, 0.1 ms)',
    });

    // Every endpoint uncached, one request at a time. `to=<far day>` keeps a request on the daily
    // aggregates; `maxPnl` (any P&L filter) sends it to the trades.
    const endpoints: [string, string][] = [
      ['summary', '/api/v1/analytics/summary?to=DAY'],
      ['summary, accountId', `/api/v1/analytics/summary?accountId=${accountId}&to=DAY`],
      ['summary, symbol + from/to', '/api/v1/analytics/summary?symbol=AAPL&from=2021-01-01&to=DAY'],
      ['summary, maxPnl (trades path)', '/api/v1/analytics/summary?maxPnl=1000000&to=DAY'],
      ['equity-curve interval=day', '/api/v1/analytics/equity-curve?interval=day&to=DAY'],
      ['equity-curve interval=trade', '/api/v1/analytics/equity-curve?interval=trade&to=DAY'],
      ['calendar year=2021', '/api/v1/analytics/calendar?year=2021&to=DAY'],
      ['calendar year=2021, maxPnl (trades path)', '/api/v1/analytics/calendar?year=2021&maxPnl=1000000&to=DAY'],
      ['breakdown by=symbol', '/api/v1/analytics/breakdown?by=symbol&to=DAY'],
      ['breakdown by=weekday', '/api/v1/analytics/breakdown?by=weekday&to=DAY'],
      ['breakdown by=hour', '/api/v1/analytics/breakdown?by=hour&to=DAY'],
      ['streaks', '/api/v1/analytics/streaks?to=DAY'],
      ['distribution metric=pnl', '/api/v1/analytics/distribution?metric=pnl&to=DAY'],
    ];
    for (const [name, template] of endpoints.filter(([name]) => !skip.some((prefix) => name.startsWith(prefix)))) {
      const took: number[] = [];
      for (let i = 0; i < endpointSamples; i++) {
        const t0 = performance.now();
        const res = await fetch(`${server.url}${template.replace('DAY', farDay())}`, { headers });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${name}: ${res.status}`);
        took.push(performance.now() - t0);
      }
      took.sort((a, b) => a - b);
      rows.push({
        scenario: `${name}, uncached (${endpointSamples} requests)`,
        p50: Math.round(pct(took, 0.5) * 10) / 10,
        p95: Math.round(pct(took, 0.95) * 10) / 10,
        p99: Math.round(took.at(-1)! * 10) / 10,
        note: 'p99 column is the max here',
      });
    }
    if (endpointsOnly) {
      console.log(`\nTradeSense analytics bench — PostgreSQL, ${tradeCount} trades, endpoints only, ${new Date().toISOString()}, node ${process.version}\n`);
      printTable(rows);
      return;
    }

    const concurrent = await autocannon({
      url: server.url,
      connections: 4,
      duration,
      headers,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: uncachedPath() }) }],
    });
    rows.push({
      scenario: 'summary uncached, 4 connections',
      reqPerSec: Math.round(concurrent.requests.average),
      p50: concurrent.latency.p50,
      p95: concurrent.latency.p97_5,
      p99: concurrent.latency.p99,
      errors: concurrent.errors + concurrent.non2xx,
    });

    await fetch(summaryUrl, { headers });
    const health = await cannon('health (trivial JSON route), 100 connections', `${server.url}/api/v1/health`, 100);
    rows.push(health);
    rows.push(await cannon(`summary cached (${useRedis ? 'Redis' : 'memory'}), 100 connections`, summaryUrl, 100, headers));
    console.log(
      `\nTradeSense analytics bench — PostgreSQL, ${tradeCount} trades, ${useRedis ? 'Redis' : 'in-process'} cache, ${quick ? 'quick' : 'full'} run, ${new Date().toISOString()}, node ${process.version}\n`,
    );
    printTable(rows, health.reqPerSec);
  } finally {
    await server.stop();
    await client.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
