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

  it('flushes every value and counter it holds, answering how many keys went', async () => {
    // Many keys, so Redis needs several SCAN steps and UNLINK batches.
    await Promise.all(Array.from({ length: 1200 }, (_, i) => cache.set(`many:${i}`, 'x')));
    await cache.incr('flush-counter', 60);
    expect(await cache.flush()).toBeGreaterThanOrEqual(1201);
    expect(await cache.get('many:7')).toBeUndefined();
    expect((await cache.incr('flush-counter', 60)).count).toBe(1);
    expect(await cache.flush()).toBe(1);
  });

  it('flushes only the keys under a given key prefix when asked', async () => {
    await cache.set('an:1', 'x');
    await cache.set('an:2', 'y');
    await cache.set('other', 'z');
    await cache.incr('an:counter', 60);
    expect(await cache.flush('an:')).toBe(3);
    expect(await cache.get('an:1')).toBeUndefined();
    expect(await cache.get('other')).toBe('z');
    expect((await cache.incr('an:counter', 60)).count).toBe(1);
    await cache.flush();
  });
});

// Only where a Redis server is configured (CI's server mode); the embedded run has none to flush.
if (usingRedis()) {
  describe('flushing Redis', () => {
    it('removes only keys under its prefix, even when the prefix holds glob characters', async () => {
      const base = `test:${process.pid}:${Date.now()}`;
      const star = await openCache(testConfig({ REDIS_URL: process.env.REDIS_URL, CACHE_KEY_PREFIX: `${base}:*:` }));
      const other = await openCache(testConfig({ REDIS_URL: process.env.REDIS_URL, CACHE_KEY_PREFIX: `${base}:other:` }));
      try {
        await star.set('a', '1');
        await other.set('b', '2');
        expect(await star.flush()).toBe(1);
        expect(await other.get('b')).toBe('2');
      } finally {
        await other.flush();
        await star.close();
        await other.close();
      }
    });
  });
}

describe('flushing a Redis that is down', () => {
  it('rejects instead of pretending', async () => {
    const down = await openCache(testConfig({ REDIS_URL: 'redis://127.0.0.1:6390' }));
    try {
      await expect(down.flush()).rejects.toThrow();
    } finally {
      await down.close();
    }
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
