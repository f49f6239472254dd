/**
 * SIGTERM while many clients are reading and writing: the process stops accepting, answers
 * every request it accepted, loses no write it acknowledged, and exits 0 within the grace period.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/process.js';
import { startServer, waitReady } from '../helpers/process.js';

const CLIENTS = 24;
const GRACE_MS = 20_000;
/** Requests answered before the signal is sent, so it lands with every client mid-flight. */
const REQUESTS_BEFORE_SIGNAL = 200;

interface Outcome {
  kind: 'execution' | 'journal' | 'read';
  /** execution: its broker id; journal: the content written. */
  key: string;
  client: number;
  status?: number;
  error?: string;
}

/** The network error code under fetch's TypeError (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, ...). */
function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
}

const env = {
  LOG_LEVEL: 'warn',
  RATE_LIMIT_DEFAULT: 'off',
  RATE_LIMIT_AUTH: 'off',
  SHUTDOWN_GRACE_MS: String(GRACE_MS),
};

async function json(server: ServerProcess, token: string | null, method: string, url: string, body?: unknown) {
  const res = await fetch(`${server.baseUrl}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('SIGTERM under load', () => {
  it('answers every accepted request without a 5xx, keeps every acknowledged write, and exits 0 within the grace period', { timeout: 240_000 }, async () => {
    const server = startServer(env);
    await waitReady(server, 90_000);
    const email = `shutdown-${randomUUID()}@example.test`;
    const password = 'Violet-Harbor-Lantern-42';
    const registered = await json(server, null, 'POST', '/api/v1/auth/register', { email, password });
    expect(registered.status).toBe(201);
    const token = registered.body.accessToken as string;
    const account = await json(server, token, 'POST', '/api/v1/accounts', { name: 'Load' });
    expect(account.status).toBe(201);
    const accountId = account.body.id as string;

    const outcomes: Outcome[] = [];
    let answered = 0;
    let signalledAt = 0;
    let signal!: () => void;
    const signalled = new Promise<void>((resolve) => (signal = resolve));

    async function client(n: number) {
      for (let i = 0; ; i++) {
        const step = i % 4;
        const outcome: Outcome =
          step === 0
            ? { kind: 'execution', key: `c${n}-${i}`, client: n }
            : step === 2
              ? { kind: 'journal', key: `client ${n} write ${i}`, client: n }
              : { kind: 'read', key: step === 1 ? '/api/v1/trades?limit=50' : '/api/v1/executions?limit=20', client: n };
        try {
          const res =
            outcome.kind === 'execution'
              ? await fetch(`${server.baseUrl}/api/v1/executions`, {
                  method: 'POST',
                  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                  body: JSON.stringify({ accountId, symbol: `S${n}`, assetClass: 'stock', executedAt: new Date(Date.UTC(2025, 0, 2, 15, 0, i)).toISOString(), side: i % 8 === 0 ? 'buy' : 'sell', quantity: '1', price: '10', brokerExecId: outcome.key }),
                })
              : outcome.kind === 'journal'
                ? await fetch(`${server.baseUrl}/api/v1/journal/2025-01-${String(n + 1).padStart(2, '0')}`, {
                    method: 'PUT',
                    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                    body: JSON.stringify({ content: outcome.key }),
                  })
                : await fetch(`${server.baseUrl}${outcome.key}`, { headers: { authorization: `Bearer ${token}` } });
          outcome.status = res.status;
          await res.arrayBuffer();
          outcomes.push(outcome);
          if (++answered === REQUESTS_BEFORE_SIGNAL) signal();
        } catch (error) {
          outcome.error = errorCode(error);
          outcomes.push(outcome);
          // Refused: the server no longer listens; this client is done.
          if (outcome.error === 'ECONNREFUSED') return;
        }
        if (signalledAt && Date.now() - signalledAt > GRACE_MS) return;
      }
    }

    const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));
    await signalled;
    signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const code = await server.exited;
    const exitMs = Date.now() - signalledAt;
    await Promise.all(clients);

    expect(code, server.output()).toBe(0);
    expect(exitMs).toBeLessThan(GRACE_MS);
    const responses = outcomes.filter((o) => o.status !== undefined);
    expect(responses.length).toBeGreaterThanOrEqual(REQUESTS_BEFORE_SIGNAL);
    // The server's log names the cause of a 5xx (errors are logged with the request id).
    expect(responses.filter((o) => o.status! >= 500), server.output()).toEqual([]);
    expect(responses.filter((o) => o.status! >= 300)).toEqual([]);
    // Every client ran until the server stopped listening.
    expect(new Set(outcomes.filter((o) => o.error === 'ECONNREFUSED').map((o) => o.client)).size).toBe(CLIENTS);
    const broken = outcomes.filter((o) => o.error !== undefined && o.error !== 'ECONNREFUSED');

    // The same data, read back by a new process.
    const again = startServer({ ...env, DATA_DIR: server.dataDir });
    try {
      await waitReady(again, 90_000);
      const login = await json(again, null, 'POST', '/api/v1/auth/login', { email, password });
      expect(login.status).toBe(200);
      const token2 = login.body.accessToken as string;
      const stored = new Set<string>();
      let cursor: string | null = null;
      do {
        const page = await json(again, token2, 'GET', `/api/v1/executions?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        for (const e of page.body.data as { brokerExecId: string }[]) stored.add(e.brokerExecId);
        cursor = (page.body.page as { nextCursor: string | null }).nextCursor;
      } while (cursor);
      const acknowledged = responses.filter((o) => o.kind === 'execution').map((o) => o.key);
      expect(acknowledged.filter((key) => !stored.has(key))).toEqual([]);
      // A request that broke without an answer was never accepted: its write did not happen.
      expect(broken.filter((o) => o.kind === 'execution' && stored.has(o.key))).toEqual([]);

      for (let n = 0; n < CLIENTS; n++) {
        const last = responses.filter((o) => o.kind === 'journal' && o.client === n).at(-1);
        if (!last) continue;
        const day = await json(again, token2, 'GET', `/api/v1/journal/2025-01-${String(n + 1).padStart(2, '0')}`);
        expect(day.body.content).toBe(last.key);
      }
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
    expect(broken.map((o) => o.error)).toEqual([]);
  });
});
