/**
 * Import throughput on PostgreSQL: `npx tsx bench/imports.ts [--rows 1000000] [--quick] [--e2e-only | --phases-only]`.
 *
 * 1. Generates an N-row TradeSense generic CSV (500 symbols, half the rows with a broker id).
 * 2. In this process: parsing alone (parse + validate + prepare), staging alone (the batched
 *    COPY), the one INSERT … SELECT into executions alone, the trade rebuild alone (as the
 *    import calls it), and `psql \copy` of the same file into a scratch table (the physical limit).
 * 3. End to end through the compiled server: POST /api/v1/imports until done, with the server's
 *    peak RSS (VmHWM from /proc/<pid>/status) and /api/v1/health latency under autocannon
 *    meanwhile.
 *
 * DATABASE_URL defaults to a scratch database `tradesense_bench_imports` on 127.0.0.1:5432,
 * dropped and created again at the start of every run (so every run imports into an empty
 * database); a database named by DATABASE_URL is created when missing and never dropped.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, openAsBlob, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config/config.js';
import { createAccountsRepository } from '../src/modules/accounts/accounts.repository.js';
import { createAccountsService } from '../src/modules/accounts/accounts.service.js';
import { createExecutionsRepository } from '../src/modules/executions/executions.repository.js';
import { createImportsRepository } from '../src/modules/imports/imports.repository.js';
import { stageFile } from '../src/modules/imports/imports.staging.js';
import { createTradesRepository } from '../src/modules/trades/trades.repository.js';
import { createTradesService } from '../src/modules/trades/trades.service.js';
import { openDatabase } from '../src/platform/db/database.js';
import { eq } from 'drizzle-orm';
import { imports, users } from '../src/db/schema/index.js';
import { ensureDatabase, recreateDatabase, root, startServer, tempDir } from './lib.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
/** Only the end-to-end run through the server (the in-process phases take longer than it). */
const e2eOnly = args.includes('--e2e-only');
/** Only the in-process phases (no server). */
const phasesOnly = args.includes('--phases-only');
const rowsArg = args.indexOf('--rows');
const ROWS = rowsArg >= 0 ? Number(args[rowsArg + 1]) : quick ? 100_000 : 1_000_000;
const SYMBOLS = 500;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tradesense_bench_imports';

async function generate(file: string, rows: number) {
  const out = createWriteStream(file);
  out.write('account,executed_at,symbol,asset_class,side,quantity,price,commission,fees,multiplier,currency,broker_exec_id,underlying,expiry,strike,option_right\n');
  const start = Date.UTC(2020, 0, 2, 14, 30);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const symbol = `S${String(i % SYMBOLS).padStart(3, '0')}`;
    // Per symbol: buy then sell of the same size, so every other fill closes a trade.
    const n = Math.floor(i / SYMBOLS);
    const side = n % 2 === 0 ? 'buy' : 'sell';
    const price = (100 + (n % 50) * 0.25 + (i % 7) * 0.01).toFixed(2);
    const at = new Date(start + i * 1000).toISOString();
    const id = i % 2 === 0 ? `E${i}` : '';
    chunk += `,${at},${symbol},stock,${side},${(n % 5) + 1}00,${price},1.00,-0.0${i % 10},,USD,${id},,,,\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk);
  await finished(out);
}

const secs = (ms: number) => (ms / 1000).toFixed(1);
const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000)).toLocaleString('en-US');

async function phases(file: string, bytes: number, push: (row: [string, string, string, string]) => void) {
  const dir = path.dirname(file);
  let t0: number;
  // psql \copy of the same file: what PostgreSQL itself can take in.
  execFileSync('psql', [DATABASE_URL, '-qc', 'drop table if exists bench_copy; create table bench_copy (account text, executed_at timestamptz, symbol text, asset_class text, side text, quantity numeric, price numeric, commission numeric, fees numeric, multiplier numeric, currency text, broker_exec_id text, underlying text, expiry date, strike numeric, option_right text)']);
  t0 = performance.now();
  execFileSync('psql', [DATABASE_URL, '-qc', `\\copy bench_copy from '${file}' csv header`]);
  const copyMs = performance.now() - t0;
  execFileSync('psql', [DATABASE_URL, '-qc', 'drop table bench_copy']);
  push(['psql \\copy into a scratch table (physical limit)', secs(copyMs), rate(ROWS, copyMs), 'no indexes, no checks']);

  // In-process phases on the same database.
  const config = loadConfig({ DATABASE_URL, DATA_DIR: dir, LOG_LEVEL: 'silent', DB_STATEMENT_TIMEOUT_MS: '0' });
  const database = await openDatabase(config);
  const db = database.db;
  const [user] = await db.insert(users).values({ email: `bench-${Date.now()}@example.test`, passwordHash: 'x' }).returning();
  const accountsService = createAccountsService({ accountsRepository: createAccountsRepository(db) });
  const account = await accountsService.createAccount(user!.id, { name: 'Bench' });
  const importsRepository = createImportsRepository(db);
  const tradesService = createTradesService({ tradesRepository: createTradesRepository(db), executionsRepository: createExecutionsRepository(db), accountsService });

  const formAccount = { id: account.id, currency: account.currency, brokerAccountId: account.brokerAccountId };
  const [imp] = await db
    .insert(imports)
    .values({ userId: user!.id, accountId: account.id, status: 'writing', brokerRequested: 'tradesense', broker: 'tradesense', timezone: 'UTC', onInvalid: 'reject', fileBytes: bytes, fileSha256: 'bench' })
    .returning();
  // What the import's worker thread runs (here in this thread): parse, validate, prepare, content key, COPY text.
  const stage = (batch: (copy: Uint8Array) => Promise<void>) =>
    stageFile(createReadStream(file, { highWaterMark: 256 * 1024 }), { importId: imp!.id, broker: 'tradesense', timezone: 'UTC', formAccount, onInvalid: 'reject', maxRows: Infinity, batchRows: 5000 }, { batch, progress: () => undefined });

  t0 = performance.now();
  const parsed = (await stage(async () => undefined)).progress.executionsParsed;
  const parseMs = performance.now() - t0;
  push(['parse + validate + prepare + COPY text alone (stageFile: tokenizer, adapter, prepareExecution, content key)', secs(parseMs), rate(parsed, parseMs), `${parsed.toLocaleString('en-US')} executions`]);

  t0 = performance.now();
  const ord = (await stage((copy) => importsRepository.stageCopy(copy))).progress.executionsParsed;
  const parseStageMs = performance.now() - t0;
  push(['parse + staging, sequential (COPY, 5,000 rows a batch)', secs(parseStageMs), rate(ord, parseStageMs), `staging alone ≈ ${secs(parseStageMs - parseMs)} s`]);

  t0 = performance.now();
  const touched = await importsRepository.transaction((tx) => importsRepository.writeStaged(user!.id, imp!.id, [], tx));
  const writeMs = performance.now() - t0;
  const added = touched.reduce((n, x) => n + x.added, 0);
  push(['write alone: INSERT … SELECT staging → executions, dedupe, content hash', secs(writeMs), rate(added, writeMs), `${added.toLocaleString('en-US')} added`]);

  t0 = performance.now();
  // As the import runs it: one call in one transaction, in rounds bounded by stored executions.
  const rebuilt = await importsRepository.transaction((tx) => tradesService.rebuildInstruments(user!.id, touched, tx));
  const rebuildMs = performance.now() - t0;
  push(['trade rebuild alone (trades.service, as the import calls it)', secs(rebuildMs), rate(added, rebuildMs), `${rebuilt.trades.toLocaleString('en-US')} trades, ${rebuilt.instruments} instruments`]);
  await importsRepository.deleteStaging(imp!.id);
  await db.delete(users).where(eq(users.id, user!.id));
  await database.close();

}

async function main() {
  // The default scratch database starts empty every run; a database named by DATABASE_URL is only created when missing.
  if (process.env.DATABASE_URL) ensureDatabase(DATABASE_URL);
  else recreateDatabase(DATABASE_URL);
  const dir = tempDir('tradesense-bench-imports-');
  // The generated file (73 MiB per million rows) goes with the process, however it ends.
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'executions.csv');
  let t0 = performance.now();
  await generate(file, ROWS);
  const bytes = statSync(file).size;
  console.log(`generated ${ROWS.toLocaleString('en-US')} rows, ${(bytes / 1048576).toFixed(1)} MiB in ${secs(performance.now() - t0)} s`);

  const table: [string, string, string, string][] = [];
  const push = (row: [string, string, string, string]) => {
    table.push(row);
    console.log(`  ${row.join(' | ')}`);
  };

  if (!e2eOnly) await phases(file, bytes, push);
  if (phasesOnly) return;

  // End to end through the server.
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  if (build.status !== 0) console.log('note: npm run build reported errors (another module in progress); dist/ as emitted is used');
  const { server } = await startServer({ DATABASE_URL, DATA_DIR: dir, JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-012345', RATE_LIMIT_AUTH: '1000/60', DB_STATEMENT_TIMEOUT_MS: '15000' });
  const pid = server.child.pid!;
  const vm = (key: string) => {
    const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  };
  try {
    const email = `bench-${Date.now()}@example.test`;
    const reg = await fetch(`${server.url}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery staple 42' }) });
    const registered = (await reg.json()) as { accessToken?: string };
    if (reg.status !== 201 || !registered.accessToken) throw new Error(`register failed: ${reg.status} ${JSON.stringify(registered)}`);
    const accessToken = registered.accessToken;
    const auth = { authorization: `Bearer ${accessToken}` };
    const acc = await fetch(`${server.url}/api/v1/accounts`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Bench' }) });
    const accountId = ((await acc.json()) as { id: string }).id;
    const rssBefore = vm('VmRSS');

    const form = new FormData();
    form.set('accountId', accountId);
    form.set('timezone', 'UTC');
    form.set('file', await openAsBlob(file, { type: 'text/csv' }), 'executions.csv');

    // A load balancer's probe rate, not a flood: the flood would measure autocannon against the import for the CPU.
    const health = autocannon({ url: `${server.url}/api/v1/health`, connections: 4, overallRate: 200, duration: 3600 });
    t0 = performance.now();
    let res = await fetch(`${server.url}/api/v1/imports`, { method: 'POST', headers: auth, body: form });
    // A client honours Retry-After: the load shedder may still be reacting to start-up work.
    for (let attempt = 0; res.status === 503 && attempt < 10; attempt++) {
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? '1') * 1000));
      t0 = performance.now();
      res = await fetch(`${server.url}/api/v1/imports`, { method: 'POST', headers: auth, body: form });
    }
    const accepted = (await res.json()) as { id: string };
    if (res.status !== 202) throw new Error(`import refused: ${res.status} ${JSON.stringify(accepted)}`);
    const uploadMs = performance.now() - t0;
    let writingAt = 0;
    const rssBy: Record<string, number> = {};
    let detail: { status: string; counts: Record<string, number>; failure: unknown; startedAt: string; finishedAt: string };
    for (;;) {
      const r = await fetch(`${server.url}/api/v1/imports/${accepted.id}`, { headers: auth });
      detail = (await r.json()) as typeof detail;
      if (detail.status === 'writing' && writingAt === 0) writingAt = performance.now();
      rssBy[detail.status] = Math.max(rssBy[detail.status] ?? 0, vm('VmRSS'));
      if (detail.status === 'done' || detail.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const totalMs = performance.now() - t0;
    (health as unknown as { stop(): void }).stop();
    const h = await health;
    if (detail.status !== 'done') throw new Error(`import failed: ${JSON.stringify(detail.failure)}`);
    const peak = vm('VmHWM');

    push(['upload (multipart, streamed to disk) + format check → 202', secs(uploadMs), rate(ROWS, uploadMs), `${(bytes / 1048576).toFixed(0)} MiB`]);
    push(['parse → staging (in the server)', secs((writingAt || performance.now()) - t0 - uploadMs), rate(ROWS, (writingAt || performance.now()) - t0 - uploadMs), 'status parsing']);
    push(['one transaction: INSERT … SELECT with dedupe + trade rebuild + done', secs(t0 + totalMs - writingAt), rate(ROWS, t0 + totalMs - writingAt), 'status writing (±0.1 s polling)']);
    push(['END TO END: POST → done', secs(totalMs), rate(ROWS, totalMs), `target ≤ 30 s; ${detail.counts.executionsAdded} added`]);

    console.log('');
    console.log(`| phase (${ROWS.toLocaleString('en-US')} rows, PostgreSQL) | seconds | rows/s | note |`);
    console.log('|---|---|---|---|');
    for (const r of table) console.log(`| ${r.join(' | ')} |`);
    console.log('');
    console.log(`| server process | value | target |`);
    console.log('|---|---|---|');
    console.log(`| RSS before the upload | ${rssBefore.toFixed(0)} MiB | |`);
    console.log(`| peak RSS (VmHWM) | ${peak.toFixed(0)} MiB | ≤ 300 MiB |`);
    console.log(`| highest RSS sampled while parsing / writing | ${(rssBy.parsing ?? NaN).toFixed(0)} / ${(rssBy.writing ?? NaN).toFixed(0)} MiB | |`);
    console.log(`| /api/v1/health during the import: p50 / p99 / max | ${h.latency.p50} / ${h.latency.p99} / ${h.latency.max} ms (${h.requests.total} requests, ${h.errors + h.non2xx} errors) | p99 < 50 ms |`);
    printStatements(await (await fetch(`${server.url}/metrics`)).text(), totalMs);
  } finally {
    await server.stop();
  }
}

/**
 * Where the database time went: the server's `db_query_duration_seconds` sums by statement (verb
 * and main table, as the query observer names them), largest first. The server is fresh, so they
 * are the import's, with the bench's few requests around it.
 */
function printStatements(metrics: string, totalMs: number) {
  const sums = new Map<string, { seconds: number; count: number }>();
  for (const match of metrics.matchAll(/^db_query_duration_seconds_(sum|count)\{([^}]*)\} (\S+)$/gm)) {
    const statement = /statement="([^"]*)"/.exec(match[2]!)?.[1] ?? '?';
    const entry = sums.get(statement) ?? { seconds: 0, count: 0 };
    if (match[1] === 'sum') entry.seconds += Number(match[3]);
    else entry.count += Number(match[3]);
    sums.set(statement, entry);
  }
  const rows = [...sums].sort((a, b) => b[1].seconds - a[1].seconds).slice(0, 12);
  console.log('');
  console.log('| statement (verb, main table) | calls | seconds | share of end to end |');
  console.log('|---|---|---|---|');
  for (const [statement, { seconds, count }] of rows) {
    console.log(`| ${statement} | ${count.toLocaleString('en-US')} | ${seconds.toFixed(1)} | ${((seconds * 100000) / totalMs).toFixed(0)} % |`);
  }
}

await main();
