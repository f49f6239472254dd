/**
 * `npx tsx bench/pglite.ts [--rows 300000] [--runs 3]`: what the embedded database's settings
 * cost at start and on large queries. One data directory gets a trades-like table of N rows;
 * then, for each setting (PGLITE_WASM_TIER_UP × PGLITE_SHARED_BUFFERS_MB), a new process opens
 * it through `openPglite` (the V8 flag is per process) and times the open (to the first query
 * answered and one turn of the event loop, wall and CPU of all the process's threads), then four analytics-like
 * statements over the table (best of 4, wall and CPU). `--runs` repeats the settings in turn.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { openPglite } from '../src/platform/db/pglite.js';
import type { Row } from './lib.js';
import { loadAverage, printTable, tempDir } from './lib.js';

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

const QUERIES: [string, string][] = [
  ['summary', 'select count(*), sum(pnl), avg(pnl) filter (where pnl > 0), avg(pnl) filter (where pnl < 0), stddev(pnl), max(pnl), min(pnl) from bench_trades'],
  ['drawdown', 'select min(cum - peak) from (select cum, max(cum) over (order by closed_at rows unbounded preceding) peak from (select closed_at, sum(pnl) over (order by closed_at rows unbounded preceding) cum from bench_trades) a) b'],
  ['by symbol', 'select symbol, count(*), sum(pnl), percentile_cont(0.5) within group (order by pnl) from bench_trades group by symbol order by 3 desc'],
  ['by day', "select date_trunc('day', closed_at at time zone 'America/New_York') d, sum(pnl), count(*) from bench_trades group by 1 order by 1"],
];

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** In a process of its own: open the directory with the environment's settings, time it and the queries; prints one JSON line. */
async function child(dataDir: string) {
  const [began, cpuBefore] = [performance.now(), cpuMs()];
  const client = await openPglite(loadConfig(), { dataDir });
  await client.query('select 1');
  await new Promise((resolve) => setImmediate(resolve));
  const open = { wall: performance.now() - began, cpu: cpuMs() - cpuBefore };
  const queries: Record<string, { wall: number; cpu: number }> = {};
  for (const [name, text] of QUERIES) {
    let best = { wall: Infinity, cpu: Infinity };
    for (let i = 0; i < 4; i++) {
      const [w, c] = [performance.now(), cpuMs()];
      await client.query(text);
      best = { wall: Math.min(best.wall, performance.now() - w), cpu: Math.min(best.cpu, cpuMs() - c) };
    }
    queries[name] = best;
  }
  await client.close();
  console.log(JSON.stringify({ open, queries }));
}

async function seed(dataDir: string, rows: number) {
  const client = await openPglite(loadConfig(), { dataDir });
  await client.exec(`create table bench_trades as
    select g as id, timestamptz '2020-01-02 14:30Z' + g * interval '20 minutes' as closed_at,
      round((random() * 200 - 100)::numeric, 2) as pnl, 'S' || (g % 200) as symbol
    from generate_series(1, ${rows}) g`);
  await client.exec('vacuum analyze bench_trades');
  await client.close();
}

async function main() {
  const rows = Number(arg('--rows') ?? 300_000);
  const runs = Number(arg('--runs') ?? 3);
  const loadBefore = loadAverage();
  const dataDir = path.join(tempDir('tradesense-bench-pglite-'), 'pglite');
  await seed(dataDir, rows);
  const settings = [
    { PGLITE_WASM_TIER_UP: 'false', PGLITE_SHARED_BUFFERS_MB: '16' },
    { PGLITE_WASM_TIER_UP: 'true', PGLITE_SHARED_BUFFERS_MB: '16' },
    { PGLITE_WASM_TIER_UP: 'false', PGLITE_SHARED_BUFFERS_MB: '128' },
    { PGLITE_WASM_TIER_UP: 'true', PGLITE_SHARED_BUFFERS_MB: '128' },
  ];
  type Result = { open: { wall: number; cpu: number }; queries: Record<string, { wall: number; cpu: number }> };
  const results = settings.map(() => [] as Result[]);
  for (let run = 0; run < runs; run++) {
    for (const [i, env] of settings.entries()) {
      const out = execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, '--child', dataDir], { env: { ...process.env, ...env } }).toString();
      results[i]!.push(JSON.parse(out.trim().split('\n').at(-1)!) as Result);
    }
  }
  rmSync(path.dirname(dataDir), { recursive: true, force: true });

  const best = (xs: number[]) => Math.round(Math.min(...xs));
  const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
  const table: Row[] = settings.map((env, i) => {
    const r = results[i]!;
    const parts = [`open ${best(r.map((x) => x.open.wall))} ms best, ${median(r.map((x) => x.open.wall))} median, CPU ${median(r.map((x) => x.open.cpu))}`];
    for (const [name] of QUERIES) parts.push(`${name} ${best(r.map((x) => x.queries[name]!.wall))} / CPU ${best(r.map((x) => x.queries[name]!.cpu))}`);
    return { scenario: `tier-up ${env.PGLITE_WASM_TIER_UP}, shared_buffers ${env.PGLITE_SHARED_BUFFERS_MB} MB`, note: parts.join('; ') };
  });
  console.log(`\nPGlite settings bench — ${rows.toLocaleString('en-US')} rows, ${runs} runs, ${new Date().toISOString()}, node ${process.version}`);
  console.log(`command: npx tsx bench/pglite.ts ${args.join(' ')}`.trimEnd());
  console.log(`load average (1/5/15 min) before: ${loadBefore}, after: ${loadAverage()}; times in ms, queries best of ${runs} processes × 4\n`);
  printTable(table);
}

if (args[0] === '--child') await child(args[1]!);
else await main();
