import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { buildTestApp, usingPostgres, usingRedis } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

describe('health', () => {
  it('answers liveness with version and uptime', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ok');
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('is ready when the database and cache answer', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ready', checks: { database: { status: 'ok' }, cache: { status: 'ok' } } });
  });

  it('reports the database driver and pool', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health/db' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.driver).toBe(usingPostgres() ? 'postgres' : 'pglite');
    expect(body.pool.total).toBeGreaterThanOrEqual(0);
    expect(body.pool).toHaveProperty('idle');
    expect(body.pool).toHaveProperty('waiting');
  });

  it('reports cache statistics of the configured backend', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health/cache-stats' });
    expect(res.statusCode).toBe(200);
    expect(res.json().backend).toBe(usingRedis() ? 'redis' : 'memory');
  });
});

describe('database observability', () => {
  it('reports database time in Server-Timing for a request that queries', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
    expect(res.headers['server-timing']).toMatch(/^db;dur=\d+\.\d+, total;dur=\d+\.\d+$/);
  });

  it('records query durations by statement name and pool gauges in /metrics', async () => {
    await t.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).toMatch(/db_query_duration_seconds_count\{statement="select",outcome="ok"\} [1-9]/);
    expect(res.body).toMatch(/db_pool_connections\{state="idle"\} \d+/);
    expect(res.body).toMatch(/db_pool_connections\{state="waiting"\} 0/);
  });
});
