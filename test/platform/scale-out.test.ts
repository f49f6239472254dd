/**
 * Two API nodes behind one load balancer behave as one. With DATABASE_URL and REDIS_URL the
 * nodes are two real server processes sharing PostgreSQL and Redis; in the embedded mode
 * (PGlite is one in-process connection and cannot be shared between processes) they are two
 * apps in this process sharing one database, cache and event bus, the in-process stand-ins
 * for what Redis and PostgreSQL share across processes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { buildApp } from '../../src/app.js';
import { openCache } from '../../src/platform/cache/cache.js';
import { openEventBus } from '../../src/platform/events/event-bus.js';
import { openTestDatabase, testConfig, usingPostgres, usingRedis } from '../helpers/app.js';
import type { ServerProcess } from '../helpers/process.js';
import { startServer, waitReady } from '../helpers/process.js';
import { connect, listen } from '../modules/realtime/realtime-helpers.js';

const separateProcesses = usingPostgres() && usingRedis();
const PASSWORD = 'correct horse battery staple 42';

interface Node {
  baseUrl: string;
}

let nodes: [Node, Node];
let stop: () => Promise<void>;

beforeAll(async () => {
  const env = { RATE_LIMIT_AUTH: '100000/60', RATE_LIMIT_DEFAULT: '100000/60', RATE_LIMIT_ANALYTICS: '100000/60', LOGIN_MAX_FAILURES: '5', SHED_EVENT_LOOP_DELAY_MS: '0' };
  if (separateProcesses) {
    const servers: ServerProcess[] = [startServer({ ...env, LOG_LEVEL: 'warn' }), startServer({ ...env, LOG_LEVEL: 'warn' })];
    await Promise.all(servers.map((s) => waitReady(s, 90_000)));
    nodes = [{ baseUrl: servers[0]!.baseUrl }, { baseUrl: servers[1]!.baseUrl }];
    stop = async () => {
      for (const s of servers) s.child.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.exited));
    };
    return;
  }
  const config = testConfig(env);
  const database = await openTestDatabase(config);
  const cache = await openCache(config);
  const events = await openEventBus(config);
  const apps: App[] = [await buildApp(config, { database, cache, events }), await buildApp(config, { database, cache, events })];
  nodes = [{ baseUrl: await listen(apps[0]!) }, { baseUrl: await listen(apps[1]!) }];
  stop = async () => {
    for (const app of apps) await app.close();
    await events.close();
    await cache.close();
    await database.close();
  };
}, 120_000);
afterAll(() => stop());

async function api(node: Node, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const res = await fetch(`${node.baseUrl}/api/v1${path}`, {
    method,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function register(node: Node) {
  const email = `scale-${randomUUID()}@example.test`;
  const res = await api(node, 'POST', '/auth/register', { body: { email, password: PASSWORD } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { email, accessToken: res.body.accessToken as string, refreshToken: res.body.refreshToken as string, id: (res.body.user as { id: string }).id };
}

describe(`two API nodes (${separateProcesses ? 'separate processes on PostgreSQL and Redis' : 'two apps in one process sharing database, cache and event bus'})`, () => {
  it('delivers an event published by node A to a socket held by node B', async () => {
    const user = await register(nodes[0]);
    const socket = connect(nodes[1].baseUrl, { token: user.accessToken });
    await socket.next((m) => m.type === 'ready', 'ready');
    const put = await api(nodes[0], 'PUT', '/journal/2025-04-01', { token: user.accessToken, body: { content: 'written on A' } });
    expect(put.status).toBe(200);
    const event = await socket.next((m) => m.type === 'journal.updated', 'journal.updated');
    expect(event.data).toEqual({ date: '2025-04-01', deleted: false });
    socket.socket.close();
  });

  it('invalidates an analytics result cached on node A by a write on node B', async () => {
    const user = await register(nodes[0]);
    const account = await api(nodes[1], 'POST', '/accounts', { token: user.accessToken, body: { name: 'Main' } });
    expect(account.status).toBe(201);
    const statsBefore = await api(nodes[0], 'GET', '/health/cache-stats');
    const first = await api(nodes[0], 'GET', '/analytics/summary', { token: user.accessToken });
    const second = await api(nodes[0], 'GET', '/analytics/summary', { token: user.accessToken });
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const statsAfter = await api(nodes[0], 'GET', '/health/cache-stats');
    // The second read was served from the cache.
    expect(statsAfter.body.hits as number).toBeGreaterThan(statsBefore.body.hits as number);
    expect(first.body.tradeCount).toBe(0);

    const trade = await api(nodes[1], 'POST', '/trades', {
      token: user.accessToken,
      body: {
        accountId: account.body.id,
        symbol: 'AAPL',
        assetClass: 'stock',
        fills: [
          { executedAt: '2025-04-02T15:00:00Z', side: 'buy', quantity: '10', price: '100' },
          { executedAt: '2025-04-02T16:00:00Z', side: 'sell', quantity: '10', price: '102.5' },
        ],
      },
    });
    expect(trade.status).toBe(201);
    const after = await api(nodes[0], 'GET', '/analytics/summary', { token: user.accessToken });
    expect(after.body).toMatchObject({ tradeCount: 1, wins: 1 });
  });

  it('counts failed sign-ins made on both nodes in one throttle', async () => {
    const user = await register(nodes[0]);
    for (let i = 0; i < 5; i++) {
      const res = await api(nodes[i % 2 === 0 ? 0 : 1], 'POST', '/auth/login', { body: { email: user.email, password: 'wrong password 0000' } });
      expect(res.status).toBe(401);
    }
    // Three failures on A and two on B: five in all, so the next attempt is refused on either node, even with the right password.
    for (const node of nodes) {
      const res = await api(node, 'POST', '/auth/login', { body: { email: user.email, password: PASSWORD } });
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('too_many_login_attempts');
    }
  });

  it('refuses on node B a refresh token already rotated on node A', async () => {
    const user = await register(nodes[0]);
    const rotated = await api(nodes[0], 'POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(rotated.status).toBe(200);
    const reused = await api(nodes[1], 'POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(reused.status).toBe(401);
    // Reuse revokes the session everywhere: the rotated token is dead on node A too.
    const rotatedAgain = await api(nodes[0], 'POST', '/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } });
    expect(rotatedAgain.status).toBe(401);
  });
});
