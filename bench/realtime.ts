/**
 * Live updates under load: `npx tsx bench/realtime.ts [--sockets 1000] [--users 10] [--rows 100000] [--redis]`.
 *
 * 1. Starts the compiled server on PostgreSQL (a scratch database `tradesense_bench_realtime`,
 *    created when missing; DATABASE_URL overrides), with the in-process event bus, or Redis
 *    pub/sub with `--redis` (REDIS_URL, default redis://127.0.0.1:6379/15).
 * 2. Registers the users and opens the sockets, spread evenly over them; the server's RSS before
 *    and after (idle sockets) gives the memory per idle socket.
 * 3. Starts an import of N rows for the first user through POST /api/v1/imports and, while it
 *    runs, has every other user record a manual trade every 200 ms (POST /api/v1/trades).
 * 4. Every socket timestamps what it receives: delivery delay = receive time − the event's `time`
 *    (same machine, same clock), as p50/p95/p99 per event type. Every socket must receive all its
 *    user's events and nothing else: each user's events are known (their trades and imports), and
 *    the event ids seen by different users' sockets must not overlap. A violation fails the bench.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, openAsBlob, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import WebSocket from 'ws';
import { ensureDatabase, root, startServer, tempDir } from './lib.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const SOCKETS = arg('--sockets', 1000);
const USERS = arg('--users', 10);
const ROWS = arg('--rows', 100_000);
const useRedis = args.includes('--redis');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tradesense_bench_realtime';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const PASSWORD = 'correct horse battery staple 42';

interface Received {
  type: string;
  id: string;
  time: string;
  data: Record<string, unknown>;
  receivedAt: number;
}

async function generate(file: string, rows: number) {
  const out = createWriteStream(file);
  out.write('account,executed_at,symbol,asset_class,side,quantity,price,commission,fees,broker_exec_id\n');
  const start = Date.UTC(2021, 0, 4, 14, 30);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const symbol = `S${String(i % 500).padStart(3, '0')}`;
    const n = Math.floor(i / 500);
    chunk += `,${new Date(start + i * 1000).toISOString()},${symbol},stock,${n % 2 === 0 ? 'buy' : 'sell'},100,${(100 + (n % 40) * 0.25).toFixed(2)},1.00,0,R${i}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk);
  await finished(out);
}

function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main() {
  ensureDatabase(DATABASE_URL);
  const dir = tempDir('tradesense-bench-rt-');
  const file = path.join(dir, 'executions.csv');
  await generate(file, ROWS);
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  if (build.status !== 0) console.log('note: npm run build reported errors; dist/ as emitted is used');

  const { server } = await startServer({
    DATABASE_URL,
    ...(useRedis ? { REDIS_URL } : {}),
    DATA_DIR: dir,
    JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-012345',
    RATE_LIMIT_AUTH: '100000/60',
    RATE_LIMIT_DEFAULT: '1000000/60',
    RATE_LIMIT_IMPORTS: '1000/60',
    WS_MAX_SOCKETS_PER_USER: String(Math.ceil(SOCKETS / USERS)),
    // Import's CPU work must not make the server refuse the bench's own trades.
    SHED_EVENT_LOOP_DELAY_MS: '0',
  });
  const pid = server.child.pid!;
  const rssMb = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  const wsUrl = `${server.url.replace(/^http/, 'ws')}/api/v1/ws`;
  const post = async (pathName: string, token: string | null, body: unknown) => {
    const res = await fetch(`${server.url}/api/v1${pathName}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  try {
    const users: { token: string; accountId: string; tradeIds: Set<string>; importIds: Set<string> }[] = [];
    for (let i = 0; i < USERS; i++) {
      const reg = await post('/auth/register', null, { email: `bench-rt-${Date.now()}-${i}@example.test`, password: PASSWORD });
      if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
      const token = reg.body.accessToken as string;
      const account = await post('/accounts', token, { name: 'Bench' });
      users.push({ token, accountId: account.body.id as string, tradeIds: new Set(), importIds: new Set() });
    }

    const rssBefore = rssMb();
    const sockets: { user: number; socket: WebSocket; received: Received[] }[] = [];
    for (let start = 0; start < SOCKETS; start += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, SOCKETS - start) }, (_, k) => {
          const user = (start + k) % USERS;
          const socket = new WebSocket(wsUrl, ['tradesense.v1', `bearer.${users[user]!.token}`], { perMessageDeflate: false });
          const entry = { user, socket, received: [] as Received[] };
          sockets.push(entry);
          return new Promise<void>((resolve, reject) => {
            socket.on('message', (raw) => {
              const receivedAt = Date.now();
              const m = JSON.parse(raw.toString()) as Omit<Received, 'receivedAt'>;
              if (m.type === 'ready') resolve();
              else entry.received.push({ ...m, receivedAt });
            });
            socket.on('error', reject);
            socket.on('close', (code) => reject(new Error(`socket closed ${code}`)));
          });
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 2000));
    const rssIdle = rssMb();
    const perSocketKb = ((rssIdle - rssBefore) * 1024) / SOCKETS;
    console.log(`${SOCKETS} sockets open (${USERS} users); server RSS ${rssBefore.toFixed(0)} → ${rssIdle.toFixed(0)} MB`);

    // Event-loop delay of both ends while the import runs: the server's from its /metrics
    // (prom-client resets it at each scrape), the bench's own from perf_hooks.
    const serverLag = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return Number(/^nodejs_eventloop_lag_p99_seconds (\S+)/m.exec(text)?.[1] ?? NaN) * 1000;
    };
    await serverLag();
    const clientLag = monitorEventLoopDelay({ resolution: 10 });
    clientLag.enable();

    // The import, and a steady trickle of manual trades from the other users while it runs.
    const form = new FormData();
    form.set('accountId', users[0]!.accountId);
    form.set('file', await openAsBlob(file, { type: 'text/csv' }), 'executions.csv');
    const started = performance.now();
    const res = await fetch(`${server.url}/api/v1/imports`, { method: 'POST', headers: { authorization: `Bearer ${users[0]!.token}` }, body: form });
    const accepted = (await res.json()) as { id: string };
    if (res.status !== 202) throw new Error(`import refused: ${res.status} ${JSON.stringify(accepted)}`);
    users[0]!.importIds.add(accepted.id);

    let tradesMade = 0;
    let done = false;
    const writers = users.slice(1).map(async (user, u) => {
      for (let n = 0; !done; n++) {
        const minute = String(n % 60).padStart(2, '0');
        const day = `2024-${String(1 + (Math.floor(n / 60) % 12)).padStart(2, '0')}-1${u % 10}`;
        const r = await post('/trades', user.token, {
          accountId: user.accountId,
          symbol: `W${u}X${n}`,
          assetClass: 'stock',
          fills: [
            { executedAt: `${day}T15:${minute}:00Z`, side: 'buy', quantity: '1', price: '10' },
            { executedAt: `${day}T16:${minute}:00Z`, side: 'sell', quantity: '1', price: '11' },
          ],
        });
        if (r.status === 201) {
          for (const t of r.body.trades as { id: string }[]) user.tradeIds.add(t.id);
          tradesMade++;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });
    const importers = sockets.filter((s) => s.user === 0);
    for (;;) {
      if (importers.every((s) => s.received.some((m) => m.type === 'import.completed' || m.type === 'import.failed'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const importMs = performance.now() - started;
    const serverLagP99 = await serverLag();
    clientLag.disable();
    done = true;
    await Promise.all(writers);
    // Let the last events arrive.
    await new Promise((r) => setTimeout(r, 1500));

    // Isolation and completeness.
    const violations: string[] = [];
    const eventsOfUser = new Map<number, Set<string>>();
    for (const s of sockets) {
      const own = users[s.user]!;
      const ids = eventsOfUser.get(s.user) ?? new Set<string>();
      eventsOfUser.set(s.user, ids);
      for (const m of s.received) {
        ids.add(m.id);
        const tradeIds = (m.data.tradeIds as string[] | undefined) ?? [];
        if (m.type.startsWith('trade.') && s.user !== 0 && tradeIds.some((id) => !own.tradeIds.has(id))) violations.push(`user ${s.user} got another user's ${m.type}`);
        if (m.type.startsWith('import.') && !own.importIds.has(m.data.importId as string)) violations.push(`user ${s.user} got another user's ${m.type}`);
      }
    }
    const owners = new Map<string, number>();
    for (const [user, ids] of eventsOfUser) {
      for (const id of ids) {
        const other = owners.get(id);
        if (other !== undefined && other !== user) violations.push(`event ${id} reached users ${other} and ${user}`);
        owners.set(id, user);
      }
    }
    let incomplete = 0;
    for (const s of sockets) if (s.received.length !== eventsOfUser.get(s.user)!.size) incomplete++;

    const byType = new Map<string, number[]>();
    for (const s of sockets) {
      for (const m of s.received) {
        const delay = m.receivedAt - Date.parse(m.time);
        const key = m.type.startsWith('trade.') ? 'trade.*' : m.type;
        (byType.get(key) ?? byType.set(key, []).get(key)!).push(delay);
        (byType.get('all') ?? byType.set('all', []).get('all')!).push(delay);
      }
    }
    const final = (await (await fetch(`${server.url}/api/v1/imports/${accepted.id}`, { headers: { authorization: `Bearer ${users[0]!.token}` } })).json()) as { status: string; counts: { executionsAdded: number } };

    console.log(`\nTradeSense realtime bench — ${new Date().toISOString()}, node ${process.version}, event bus ${useRedis ? 'Redis' : 'in-process'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`import of ${ROWS.toLocaleString('en-US')} rows: ${final.status}, ${final.counts.executionsAdded} executions, ${(importMs / 1000).toFixed(1)} s; ${tradesMade} manual trades meanwhile`);
    console.log(`memory per idle socket: ${perSocketKb.toFixed(1)} KB (server RSS delta / sockets)`);
    console.log(`event-loop delay p99 during the import: server ${serverLagP99.toFixed(0)} ms, bench client ${(clientLag.percentile(99) / 1e6).toFixed(0)} ms`);
    console.log('\n| events | deliveries | p50 ms | p95 ms | p99 ms | max ms |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const [type, delays] of [...byType.entries()].sort()) {
      delays.sort((a, b) => a - b);
      console.log(`| ${type} | ${delays.length} | ${percentile(delays, 50)} | ${percentile(delays, 95)} | ${percentile(delays, 99)} | ${delays.at(-1)} |`);
    }
    console.log(`\nsockets that missed one of their user's events: ${incomplete}`);
    console.log(`deliveries to another user's socket: ${violations.length}`);
    for (const s of sockets) s.socket.close();
    if (violations.length > 0 || incomplete > 0) {
      console.error(violations.slice(0, 10).join('\n'));
      process.exitCode = 1;
    }
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
