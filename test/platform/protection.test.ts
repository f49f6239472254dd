import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp, TestUser } from '../helpers/app.js';
import { buildTestApp, createUser, expectEnvelope } from '../helpers/app.js';

/** Client addresses of this run only: with Redis the per-IP counters outlive the process, so a second run within the window must not find the first's. */
const run = Math.floor(Math.random() * 256);
const addr = (ip: string) => ip.replace(/^10\.(\d+)/, (_m, second: string) => `10.${(Number(second) + run) % 256}`);

describe('rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(
      { RATE_LIMIT_DEFAULT: '3/60', RATE_LIMIT_ANALYTICS: '2/60' },
      {
        routes: (app) => {
          app.get('/api/v1/test/limited', { schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => ({ ok: true }));
          app.get('/api/v1/test/anon', { config: { public: true }, schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => ({ ok: true }));
          app.get('/api/v1/test/analytics', { config: { rateLimit: 'analytics' }, schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => ({ ok: true }));
        },
      },
    );
  });
  afterAll(() => t.close());

  const get = (url: string, user?: TestUser, ip = addr('10.0.0.1')) => t.app.inject({ method: 'GET', url, headers: user?.headers, remoteAddress: ip });

  it('counts per user and answers 429 with Retry-After and RateLimit headers past the limit', async () => {
    const alice = await createUser(t);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await get('/api/v1/test/limited', alice));
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 429]);
    expect(answers[0]!.headers['ratelimit-limit']).toBe('3');
    expect(answers[0]!.headers['ratelimit-remaining']).toBe('2');
    const limited = answers[3]!;
    expectEnvelope(limited.json(), 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-remaining']).toBe('0');

    // Another user has a budget of their own.
    const bob = await createUser(t);
    expect((await get('/api/v1/test/limited', bob)).statusCode).toBe(200);
  });

  it('counts anonymous callers per IP', async () => {
    for (let i = 0; i < 3; i++) expect((await get('/api/v1/test/anon', undefined, addr('10.9.9.9'))).statusCode).toBe(200);
    expect((await get('/api/v1/test/anon', undefined, addr('10.9.9.9'))).statusCode).toBe(429);
    expect((await get('/api/v1/test/anon', undefined, addr('10.9.9.10'))).statusCode).toBe(200);
  });

  it('keeps classes apart', async () => {
    const carol = await createUser(t);
    expect((await get('/api/v1/test/analytics', carol)).statusCode).toBe(200);
    expect((await get('/api/v1/test/analytics', carol)).statusCode).toBe(200);
    expect((await get('/api/v1/test/analytics', carol)).statusCode).toBe(429);
    expect((await get('/api/v1/test/limited', carol)).statusCode).toBe(200);
  });

  it('never limits health checks', async () => {
    for (let i = 0; i < 5; i++) expect((await get('/api/v1/health', undefined, addr('10.7.7.7'))).statusCode).toBe(200);
  });

  it('counts rejections by class in /metrics', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).toMatch(/rate_limit_rejections_total\{class="default"\} [1-9]/);
    expect(res.body).toMatch(/rate_limit_rejections_total\{class="analytics"\} [1-9]/);
  });
});

describe('load shedding', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A heap limit of 1 byte: the process is always "overloaded".
    t = await buildTestApp({ SHED_HEAP_USED_BYTES: '1', SHED_EVENT_LOOP_DELAY_MS: '0' });
    await new Promise((resolve) => setTimeout(resolve, 600));
  });
  afterAll(() => t.close());

  it('answers 503 with Retry-After while overloaded', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(503);
    expectEnvelope(res.json(), 'overloaded');
    expect(res.headers['retry-after']).toBe('2');
  });

  it('keeps health answerable while overloaded', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(200);
  });
});

/** Keeps the thread (and so the in-process app's event loop) busy for `ms`. */
function block(ms: number) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('load shedding on event-loop delay', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ SHED_EVENT_LOOP_DELAY_MS: '300' });
  });
  afterAll(() => t.close());

  it('does not shed after one long synchronous step, and sheds while the delay lasts', async () => {
    // Two samples on time first (the app's own start may have left one late).
    await tick(1_100);
    // One step of 1.2 s (as a large embedded-database query makes): the next sample sees it, the one after does not.
    block(1_200);
    await tick(50);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' })).statusCode).toBe(404);

    // Overload: for 2 s the loop is late in every sample (the work runs from the check phase, as I/O callbacks do).
    const until = performance.now() + 2_000;
    while (performance.now() < until) {
      block(450);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const shed = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(shed.statusCode).toBe(503);
    expectEnvelope(shed.json(), 'overloaded');
    expect(shed.json().details).toEqual({ reason: 'event_loop_delay' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);

    // Once the loop is on time again, two samples later, requests are served.
    await tick(1_200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' })).statusCode).toBe(404);
  });
});

describe('the auth rate-limit class', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ RATE_LIMIT_AUTH: '2/60' });
  });
  afterAll(() => t.close());

  it('limits sign-in, sign-up and refresh together per client IP', async () => {
    const ip = addr('10.44.0.1');
    const login = () => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, payload: { email: 'nobody@example.test', password: 'wrong password 1' } });
    expect((await login()).statusCode).toBe(401);
    const refresh = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', remoteAddress: ip, payload: { refreshToken: 'x'.repeat(43) } });
    expect(refresh.statusCode).toBe(401);
    const limited = await login();
    expect(limited.statusCode).toBe(429);
    expectEnvelope(limited.json(), 'rate_limited');
    const otherIp = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: addr('10.44.0.2'), payload: { email: 'nobody@example.test', password: 'wrong password 1' } });
    expect(otherIp.statusCode).toBe(401);
  });
});
