import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cache } from '../../src/platform/cache/cache.js';
import { openCache } from '../../src/platform/cache/cache.js';
import type { TestApp } from '../helpers/app.js';
import { buildTestApp, testConfig, usingRedis } from '../helpers/app.js';

const backends = [
  { name: 'memory', env: { REDIS_URL: undefined } },
  ...(usingRedis() ? [{ name: 'redis', env: { REDIS_URL: process.env.REDIS_URL, CACHE_KEY_PREFIX: `test:${process.pid}:${Date.now()}:` } }] : []),
];

describe.each(backends)('cache on $name', ({ env }) => {
  let cache: Cache;
  beforeAll(async () => {
    cache = await openCache(testConfig(env));
  });
  afterAll(() => cache.close());

  it('stores, reads and deletes values, counting hits and misses', async () => {
    expect(await cache.get('k1')).toBeUndefined();
    await cache.set('k1', 'v1');
    expect(await cache.get('k1')).toBe('v1');
    await cache.del('k1');
    expect(await cache.get('k1')).toBeUndefined();
    const stats = await cache.stats();
    expect(stats.hits).toBe(1);
    expect(stats.misses).toBe(2);
    expect(stats.hitRate).toBeCloseTo(1 / 3);
  });

  it('expires values after their TTL', async () => {
    await cache.set('short', 'x', 1);
    expect(await cache.get('short')).toBe('x');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await cache.get('short')).toBeUndefined();
  });

  it('counts atomically within a window', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.incr('counter', 60)));
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(results.every((r) => r.ttlSeconds > 0 && r.ttlSeconds <= 60)).toBe(true);
  });
});

describe('when Redis is down', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Nothing listens on this port: a Redis that is down, not a mock of one.
    t = await buildTestApp({ REDIS_URL: 'redis://127.0.0.1:6390' });
  });
  afterAll(() => t.close());

  it('reports the service degraded but ready', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'degraded', checks: { database: { status: 'ok' }, cache: { status: 'down' } } });
  });

  it('misses instead of failing, and keeps counting in memory', async () => {
    const cache = await openCache(testConfig({ REDIS_URL: 'redis://127.0.0.1:6390' }));
    try {
      await cache.set('a', 'b');
      expect(await cache.get('a')).toBeUndefined();
      expect((await cache.incr('c', 60)).count).toBe(1);
      expect((await cache.incr('c', 60)).count).toBe(2);
      expect(cache.healthy()).toBe(false);
    } finally {
      await cache.close();
    }
  });
});
