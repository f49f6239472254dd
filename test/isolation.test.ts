/**
 * The isolation matrix: every route that names an object × {owner, another user}. Another
 * user's id is answered 404, exactly like a missing one, and the owner's data is unchanged.
 * (Anonymous calls to every route are covered by test/platform/openapi.test.ts.) The last
 * test fails when a route with an id appears that this matrix does not cover.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp, TestUser } from './helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from './helpers/app.js';
import { addExecution, addRoundTrip, createAccount } from './modules/executions/ledger-helpers.js';
import { importFile, tradesenseCsv } from './modules/imports/import-helpers.js';

let t: TestApp;
let owner: TestUser;
let intruder: TestUser;
const ids: Record<string, string> = {};
const DAY = '2025-03-14';

beforeAll(async () => {
  t = await buildTestApp();
  owner = await createUser(t);
  intruder = await createUser(t);
  ids.account = await createAccount(t, owner, { name: 'Owner account' });
  ids.trade = (await addRoundTrip(t, owner, ids.account, { symbol: 'AAPL', openAt: `${DAY}T14:30:00Z`, closeAt: `${DAY}T15:00:00Z`, entry: '100', exit: '101' })).id;
  ids.execution = (await addExecution(t, owner, ids.account, 'MSFT', { at: `${DAY}T14:31:00Z`, side: 'buy', quantity: '5', price: '300' })).id;
  const tag = await call(t, owner, { method: 'POST', url: '/api/v1/tags', payload: { name: 'breakout', kind: 'setup' } });
  ids.tag = tag.json().id;
  const playbook = await call(t, owner, { method: 'POST', url: '/api/v1/playbooks', payload: { name: 'Opening range', rules: [{ text: 'Wait 5 minutes' }] } });
  ids.playbook = playbook.json().id;
  const patched = await call(t, owner, { method: 'PATCH', url: `/api/v1/trades/${ids.trade}`, payload: { notes: 'mine', tagIds: [ids.tag], playbookId: ids.playbook } });
  expect(patched.statusCode, patched.body).toBe(200);
  const journal = await call(t, owner, { method: 'PUT', url: `/api/v1/journal/${DAY}`, payload: { content: 'owner thoughts', mood: 4 } });
  expect(journal.statusCode, journal.body).toBe(200);
  const key = await call(t, owner, { method: 'POST', url: '/api/v1/auth/api-keys', payload: { name: 'script', scope: 'read' } });
  ids.apiKey = key.json().id;
  const imported = await importFile(t, owner, { accountId: ids.account }, tradesenseCsv([['', `${DAY}T16:00:00Z`, 'NVDA', 'stock', 'buy', '2', '50', '0', '0', 'iso-1']]));
  ids.import = imported.id;
  const sessions = await call(t, owner, { method: 'GET', url: '/api/v1/auth/sessions' });
  ids.session = sessions.json().data[0].id;
});
afterAll(() => t.close());

/** What the owner sees of everything, to compare before and after the intruder's attempts. */
async function ownerSnapshot() {
  const urls = [
    `/api/v1/accounts/${ids.account}`,
    `/api/v1/trades/${ids.trade}`,
    `/api/v1/executions/${ids.execution}`,
    `/api/v1/tags/${ids.tag}`,
    `/api/v1/playbooks/${ids.playbook}`,
    `/api/v1/journal/${DAY}`,
    '/api/v1/auth/api-keys',
    '/api/v1/auth/sessions',
    `/api/v1/imports/${ids.import}`,
  ];
  const out: Record<string, unknown> = {};
  for (const url of urls) {
    const res = await call(t, owner, { method: 'GET', url });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    out[url] = res.json();
  }
  return out;
}

type Method = 'GET' | 'PATCH' | 'PUT' | 'DELETE';
const matrix: { method: Method; path: string; url: () => string; payload?: object }[] = [
  { method: 'GET', path: '/api/v1/accounts/{id}', url: () => `/api/v1/accounts/${ids.account}` },
  { method: 'PATCH', path: '/api/v1/accounts/{id}', url: () => `/api/v1/accounts/${ids.account}`, payload: { name: 'hijacked' } },
  { method: 'DELETE', path: '/api/v1/accounts/{id}', url: () => `/api/v1/accounts/${ids.account}?confirm=true` },
  { method: 'GET', path: '/api/v1/executions/{id}', url: () => `/api/v1/executions/${ids.execution}` },
  { method: 'DELETE', path: '/api/v1/executions/{id}', url: () => `/api/v1/executions/${ids.execution}` },
  { method: 'GET', path: '/api/v1/trades/{id}', url: () => `/api/v1/trades/${ids.trade}` },
  { method: 'PATCH', path: '/api/v1/trades/{id}', url: () => `/api/v1/trades/${ids.trade}`, payload: { notes: 'hijacked' } },
  { method: 'DELETE', path: '/api/v1/trades/{id}', url: () => `/api/v1/trades/${ids.trade}` },
  { method: 'GET', path: '/api/v1/tags/{id}', url: () => `/api/v1/tags/${ids.tag}` },
  { method: 'PATCH', path: '/api/v1/tags/{id}', url: () => `/api/v1/tags/${ids.tag}`, payload: { name: 'hijacked' } },
  { method: 'DELETE', path: '/api/v1/tags/{id}', url: () => `/api/v1/tags/${ids.tag}` },
  { method: 'GET', path: '/api/v1/playbooks/{id}', url: () => `/api/v1/playbooks/${ids.playbook}` },
  { method: 'PATCH', path: '/api/v1/playbooks/{id}', url: () => `/api/v1/playbooks/${ids.playbook}`, payload: { name: 'hijacked' } },
  { method: 'DELETE', path: '/api/v1/playbooks/{id}', url: () => `/api/v1/playbooks/${ids.playbook}` },
  { method: 'GET', path: '/api/v1/playbooks/{id}/stats', url: () => `/api/v1/playbooks/${ids.playbook}/stats` },
  { method: 'DELETE', path: '/api/v1/journal/{date}', url: () => `/api/v1/journal/${DAY}` },
  { method: 'DELETE', path: '/api/v1/auth/api-keys/{id}', url: () => `/api/v1/auth/api-keys/${ids.apiKey}` },
  { method: 'DELETE', path: '/api/v1/auth/sessions/{id}', url: () => `/api/v1/auth/sessions/${ids.session}` },
  { method: 'GET', path: '/api/v1/imports/{id}', url: () => `/api/v1/imports/${ids.import}` },
  { method: 'DELETE', path: '/api/v1/imports/{id}', url: () => `/api/v1/imports/${ids.import}` },
];

/** Routes whose path parameter is not an object of a user (the date names a day of the caller's own journal). */
const notOwned = new Set(['GET /api/v1/instruments/{symbol}', 'GET /api/v1/journal/{date}', 'PUT /api/v1/journal/{date}']);

describe('another user', () => {
  it.each(matrix)('gets 404 for $method $path and changes nothing', async ({ method, url, payload }) => {
    const before = await ownerSnapshot();
    const res = await call(t, intruder, { method, url: url(), payload });
    expect(res.statusCode, res.body).toBe(404);
    expectEnvelope(res.json());
    expect(await ownerSnapshot()).toEqual(before);
  });

  it('sees their own empty journal day, never the owner entry, and writing it leaves the owner entry alone', async () => {
    const before = await ownerSnapshot();
    const read = await call(t, intruder, { method: 'GET', url: `/api/v1/journal/${DAY}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ hasEntry: false, content: '', trades: [] });
    const write = await call(t, intruder, { method: 'PUT', url: `/api/v1/journal/${DAY}`, payload: { content: 'intruder' } });
    expect(write.statusCode).toBe(200);
    expect(await ownerSnapshot()).toEqual(before);
  });

  it.each([
    ['/api/v1/accounts', 'account'],
    ['/api/v1/executions', 'execution'],
    ['/api/v1/trades', 'trade'],
    ['/api/v1/tags', 'tag'],
    ['/api/v1/playbooks', 'playbook'],
    ['/api/v1/auth/api-keys', 'apiKey'],
    ['/api/v1/auth/sessions', 'session'],
    ['/api/v1/imports', 'import'],
  ])('never lists the owner objects in %s', async (url, kind) => {
    const res = await call(t, intruder, { method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.map((o: { id: string }) => o.id)).not.toContain(ids[kind]);
  });

  it('cannot use the owner account, tag or playbook in its own writes', async () => {
    const execution = await call(t, intruder, {
      method: 'POST',
      url: '/api/v1/executions',
      payload: { accountId: ids.account, executedAt: `${DAY}T15:00:00Z`, symbol: 'AAPL', assetClass: 'stock', side: 'buy', quantity: '1', price: '1' },
    });
    expect(execution.statusCode).toBe(404);
    const ownAccount = await createAccount(t, intruder);
    const ownTrade = await addRoundTrip(t, intruder, ownAccount, { symbol: 'X', openAt: `${DAY}T14:00:00Z`, closeAt: `${DAY}T14:10:00Z`, entry: '1', exit: '2' });
    const tagged = await call(t, intruder, { method: 'PATCH', url: `/api/v1/trades/${ownTrade.id}`, payload: { tagIds: [ids.tag] } });
    expect(tagged.statusCode).toBe(404);
    const playbook = await call(t, intruder, { method: 'PATCH', url: `/api/v1/trades/${ownTrade.id}`, payload: { playbookId: ids.playbook } });
    expect(playbook.statusCode).toBe(404);
  });

  it('covers every route that takes an id', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const covered = new Set(matrix.map((m) => `${m.method} ${m.path}`));
    const missing = Object.entries(spec.paths)
      .filter(([path]) => path.includes('{'))
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((route) => !covered.has(route) && !notOwned.has(route));
    expect(missing).toEqual([]);
  });
});

describe('a user who is not an administrator', () => {
  it('gets 403 on every /admin route, and nobody gets anything without credentials', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const adminRoutes = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith('/api/v1/admin/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase() as 'GET' | 'POST', url: path })));
    expect(adminRoutes.map((r) => `${r.method} ${r.url}`)).toEqual(expect.arrayContaining(['GET /api/v1/admin/status', 'POST /api/v1/admin/cache/flush', 'POST /api/v1/admin/maintenance', 'GET /api/v1/admin/users']));
    for (const route of adminRoutes) {
      const res = await call(t, intruder, { ...route, payload: route.method === 'POST' ? {} : undefined });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
      expectEnvelope(res.json(), 'forbidden');
      expect((await call(t, null, route)).statusCode, `${route.method} ${route.url}`).toBe(401);
    }
  });
});

describe('the owner', () => {
  it.each(matrix.filter((m) => m.method === 'GET'))('reads $path', async ({ url }) => {
    const res = await call(t, owner, { method: 'GET', url: url() });
    expect(res.statusCode, res.body).toBe(200);
  });
});
