import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { buildTestApp, call, createUser } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ CORS_ORIGINS: 'https://app.example.com' });
});
afterAll(() => t.close());

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'geolocation=(), microphone=(), camera=()',
};

describe('every response', () => {
  it.each(['/api/v1/health', '/api/v1/nope', '/metrics', '/docs/'])('carries the security headers and no banner: %s', async (url) => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.headers).toMatchObject(SECURITY_HEADERS);
    expect(res.headers['strict-transport-security']).toMatch(/^max-age=31536000/);
    expect(res.headers['content-security-policy']).toMatch(/default-src '(none|self)'/);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers.server).toBeUndefined();
    expect(res.headers['server-timing']).toMatch(/total;dur=\d+(\.\d+)?/);
  });

  it('gives API responses the strictest content security policy', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('makes a request id when none comes in', async () => {
    const a = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    const b = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('keeps a well-formed incoming request id, in errors too', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nope', headers: { 'x-request-id': 'trace-abc-123456' } });
    expect(res.headers['x-request-id']).toBe('trace-abc-123456');
    expect(res.json().request_id).toBe('trace-abc-123456');
  });

  it('replaces a malformed incoming request id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health', headers: { 'x-request-id': 'bad id <script>' } });
    expect(res.headers['x-request-id']).not.toBe('bad id <script>');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('CORS', () => {
  it('allows an origin on the allow-list', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health', headers: { origin: 'https://app.example.com' } });
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-expose-headers']).toContain('X-Request-ID');
  });

  it('answers a preflight from an allowed origin', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/health',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-methods']).toContain('POST');
  });

  it('does not allow an origin missing from the list', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health', headers: { origin: 'https://evil.example.net' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('compression', () => {
  it('compresses responses over 1 KB with brotli or gzip as the client accepts', async () => {
    const br = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json', headers: { 'accept-encoding': 'br' } });
    expect(br.headers['content-encoding']).toBe('br');
    const gz = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('leaves small responses uncompressed', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health', headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.headers['content-encoding']).toBeUndefined();
  });
});

describe('metrics', () => {
  it('exposes request durations by route, method and status, and process metrics', async () => {
    await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    await t.app.inject({ method: 'GET', url: '/api/v1/unknown-route' });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/http_request_duration_seconds_bucket\{le="[^"]+",route="\/api\/v1\/health",method="GET",status_code="200"\}/);
    expect(res.body).toContain('route="unmatched"');
    expect(res.body).toContain('nodejs_eventloop_lag_p99_seconds');
    expect(res.body).toContain('process_resident_memory_bytes');
  });

  it('has request-duration buckets from 1 ms to 10 s, fine enough for per-route p50/p95/p99', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    const les = [...res.body.matchAll(/http_request_duration_seconds_bucket\{le="([^"]+)",route="\/api\/v1\/health",method="GET",status_code="200"\}/g)].map((m) => m[1]);
    expect(les).toEqual(['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf']);
  });

  it('counts cache hits and misses by backend and exposes import gauges and counters', async () => {
    const backend = t.config.cache.redisUrl ? 'redis' : 'memory';
    const before = await t.app.inject({ method: 'GET', url: '/metrics' });
    const count = (body: string, name: string) => Number(new RegExp(`^${name}\\{backend="${backend}"\\} (\\d+)`, 'm').exec(body)?.[1]);
    const misses = count(before.body, 'cache_misses_total');
    const hits = count(before.body, 'cache_hits_total');
    expect(misses).toBeGreaterThanOrEqual(0);
    // The first summary misses the cache and stores its answer, the second finds it.
    const user = await createUser(t);
    for (let i = 0; i < 2; i++) expect((await call(t, user, { method: 'GET', url: '/api/v1/analytics/summary' })).statusCode).toBe(200);
    const after = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(after.body).toMatch(/^imports_running \d+$/m);
    expect(after.body).toMatch(/^imports_queued \d+$/m);
    expect(after.body).toMatch(/^imports_total\{status="done"\} \d+$/m);
    expect(after.body).toMatch(/^imports_total\{status="failed"\} \d+$/m);
    expect(after.body).toMatch(/^cache_errors_total\{backend="(memory|redis)"\} \d+$/m);
    expect(count(after.body, 'cache_misses_total')).toBeGreaterThanOrEqual(misses + 1);
    expect(count(after.body, 'cache_hits_total')).toBeGreaterThanOrEqual(hits + 1);
  });
});
