import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Config } from '../../config/config.js';
import { startTiming } from '../observability/request-context.js';

export interface CacheStats {
  backend: 'memory' | 'redis';
  hits: number;
  misses: number;
  hitRate: number | null;
  entries: number | null;
  errors: number;
}

/**
 * One interface over the in-process LRU and Redis. Values are strings (callers serialise), so
 * both backends behave the same. Redis failures never fail a request: reads miss, writes are
 * dropped, counters fall back to memory, and `healthy()` tells /health/ready.
 */
export interface Cache {
  readonly backend: 'memory' | 'redis';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Sets the value only if the key holds none (atomically in Redis); true when this call set it. */
  setIfAbsent(key: string, value: string, ttlSeconds?: number): Promise<boolean>;
  /** Atomically increments a counter that expires `ttlSeconds` after its first increment; returns the new value and the seconds left. */
  incr(key: string, ttlSeconds: number): Promise<{ count: number; ttlSeconds: number }>;
  ping(): Promise<void>;
  healthy(): boolean;
  stats(): Promise<CacheStats>;
  /**
   * Removes every value and counter whose key starts with `keyPrefix` (all of them by default)
   * and returns how many keys went. Redis: only keys under our own prefix, found with SCAN and
   * removed with UNLINK in batches (never FLUSHDB: the database may be shared). Rejects when
   * Redis is unreachable.
   */
  flush(keyPrefix?: string): Promise<number>;
  close(): Promise<void>;
}

/** Span descriptions of the Redis calls (used only when tracing is on). */
const redisSpan = (command: string) => ({ name: `redis ${command}`, attributes: { 'db.system.name': 'redis', 'db.operation.name': command } });
const SPANS = { get: redisSpan('GET'), set: redisSpan('SET'), incr: redisSpan('INCR'), flush: redisSpan('SCAN+UNLINK') };

/** Keys per SCAN step and per UNLINK while flushing Redis: bounded work per round trip. */
const FLUSH_BATCH = 500;

/** A literal for a Redis MATCH pattern: the prefix's own glob characters are escaped. */
export function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

interface Counter {
  count: number;
  expiresAt: number;
}

class MemoryCache implements Cache {
  readonly backend = 'memory' as const;
  private readonly values: LRUCache<string, string>;
  private readonly counters: LRUCache<string, Counter>;
  private hits = 0;
  private misses = 0;

  constructor(
    maxEntries: number,
    private readonly defaultTtlSeconds: number,
  ) {
    this.values = new LRUCache({ max: maxEntries, ttl: defaultTtlSeconds * 1000, ttlAutopurge: false });
    this.counters = new LRUCache({ max: Math.max(1000, maxEntries), ttlAutopurge: false });
  }

  async get(key: string) {
    const value = this.values.get(key);
    if (value === undefined) this.misses++;
    else this.hits++;
    return value;
  }
  async set(key: string, value: string, ttlSeconds = this.defaultTtlSeconds) {
    this.values.set(key, value, { ttl: ttlSeconds * 1000 });
  }
  async setIfAbsent(key: string, value: string, ttlSeconds = this.defaultTtlSeconds) {
    if (this.values.has(key)) return false;
    this.values.set(key, value, { ttl: ttlSeconds * 1000 });
    return true;
  }
  async del(key: string) {
    this.values.delete(key);
    this.counters.delete(key);
  }
  async incr(key: string, ttlSeconds: number) {
    return this.incrSync(key, ttlSeconds);
  }
  incrSync(key: string, ttlSeconds: number) {
    const now = Date.now();
    let counter = this.counters.get(key);
    if (!counter || counter.expiresAt <= now) {
      counter = { count: 0, expiresAt: now + ttlSeconds * 1000 };
    }
    counter.count++;
    this.counters.set(key, counter, { ttl: counter.expiresAt - now });
    return { count: counter.count, ttlSeconds: Math.max(1, Math.ceil((counter.expiresAt - now) / 1000)) };
  }
  async ping() {}
  healthy() {
    return true;
  }
  async stats(): Promise<CacheStats> {
    const total = this.hits + this.misses;
    return { backend: 'memory', hits: this.hits, misses: this.misses, hitRate: total ? this.hits / total : null, entries: this.values.size, errors: 0 };
  }
  async flush(keyPrefix = '') {
    let removed = 0;
    for (const map of [this.values, this.counters] as LRUCache<string, object | string>[]) {
      for (const key of [...map.keys()]) {
        if (key.startsWith(keyPrefix) && map.delete(key)) removed++;
      }
    }
    return removed;
  }
  async close() {
    this.values.clear();
    this.counters.clear();
  }
}

class RedisCache implements Cache {
  readonly backend = 'redis' as const;
  private hits = 0;
  private misses = 0;
  private errors = 0;
  /** Used for counters while Redis is unreachable, so limits still hold per process. */
  private readonly fallback: MemoryCache;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly defaultTtlSeconds: number,
  ) {
    this.fallback = new MemoryCache(10_000, defaultTtlSeconds);
  }

  private fail(): undefined {
    this.errors++;
    return undefined;
  }

  async get(key: string) {
    if (!this.healthy()) {
      this.misses++;
      return undefined;
    }
    let failed = false;
    const stop = startTiming('cache', SPANS.get);
    try {
      const value = await this.redis.get(this.prefix + key);
      if (value === null) {
        this.misses++;
        return undefined;
      }
      this.hits++;
      return value;
    } catch {
      this.misses++;
      failed = true;
      return this.fail();
    } finally {
      stop(failed);
    }
  }
  async set(key: string, value: string, ttlSeconds = this.defaultTtlSeconds) {
    if (!this.healthy()) return;
    const stop = startTiming('cache', SPANS.set);
    let failed = false;
    await this.redis.set(this.prefix + key, value, 'EX', ttlSeconds).catch(() => {
      failed = true;
      this.fail();
    });
    stop(failed);
  }
  async setIfAbsent(key: string, value: string, ttlSeconds = this.defaultTtlSeconds) {
    if (!this.healthy()) return false;
    const stop = startTiming('cache');
    const result = await this.redis.set(this.prefix + key, value, 'EX', ttlSeconds, 'NX').catch(() => this.fail());
    stop();
    return result === 'OK';
  }
  async del(key: string) {
    await this.fallback.del(key);
    if (!this.healthy()) return;
    await this.redis.del(this.prefix + key).catch(() => this.fail());
  }
  async incr(key: string, ttlSeconds: number) {
    if (!this.healthy()) return this.fallback.incrSync(key, ttlSeconds);
    const stop = startTiming('cache', SPANS.incr);
    let failed = false;
    try {
      const k = this.prefix + key;
      const result = await this.redis.multi().incr(k).expire(k, ttlSeconds, 'NX').ttl(k).exec();
      if (!result) throw new Error('redis transaction aborted');
      const count = Number(result[0]?.[1]);
      const ttl = Number(result[2]?.[1]);
      return { count, ttlSeconds: ttl > 0 ? ttl : ttlSeconds };
    } catch {
      failed = true;
      this.fail();
      return this.fallback.incrSync(key, ttlSeconds);
    } finally {
      stop(failed);
    }
  }
  async ping() {
    await this.redis.ping();
  }
  healthy() {
    return this.redis.status === 'ready';
  }
  async stats(): Promise<CacheStats> {
    const total = this.hits + this.misses;
    let entries: number | null = null;
    if (this.healthy()) entries = await this.redis.dbsize().catch(() => null);
    return { backend: 'redis', hits: this.hits, misses: this.misses, hitRate: total ? this.hits / total : null, entries, errors: this.errors };
  }
  async flush(keyPrefix = '') {
    let removed = await this.fallback.flush(keyPrefix);
    const stop = startTiming('cache', SPANS.flush);
    let failed = false;
    try {
      const match = `${globLiteral(this.prefix + keyPrefix)}*`;
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', FLUSH_BATCH);
        cursor = next;
        if (keys.length > 0) removed += await this.redis.unlink(...keys);
      } while (cursor !== '0');
      return removed;
    } catch (error) {
      failed = true;
      this.errors++;
      throw error;
    } finally {
      stop(failed);
    }
  }
  async close() {
    await this.fallback.close();
    this.redis.disconnect();
  }
}

export async function openCache(config: Config): Promise<Cache> {
  const { redisUrl, maxEntries, ttlSeconds, keyPrefix } = config.cache;
  if (!redisUrl) return new MemoryCache(maxEntries, ttlSeconds);
  // Loaded only with Redis configured: the embedded default starts without parsing ioredis (≈ 390 KB).
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, {
    // Fail fast while disconnected instead of queueing requests behind a dead connection.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  // Without a listener ioredis reports connection errors as unhandled; the cache reports them through healthy().
  redis.on('error', () => undefined);
  await redis.connect().catch(() => undefined);
  return new RedisCache(redis, keyPrefix, ttlSeconds);
}
