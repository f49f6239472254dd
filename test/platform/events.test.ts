import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBus, UserEvent } from '../../src/platform/events/event-bus.js';
import { openEventBus } from '../../src/platform/events/event-bus.js';
import { uuidV7 } from '../../src/lib/ids.js';
import { UuidSet } from '../../src/lib/uuid-set.js';
import { BULK_OVER, IDS_PER_EVENT, publishIds } from '../../src/platform/events/after-commit-events.js';
import type { TestApp } from '../helpers/app.js';
import { buildTestApp, call, createUser, testConfig, usingRedis } from '../helpers/app.js';
import { connect, listen } from '../modules/realtime/realtime-helpers.js';

const UNREACHABLE_REDIS = 'redis://127.0.0.1:6390';

const backends = [{ name: 'memory', env: { REDIS_URL: undefined } }, ...(usingRedis() ? [{ name: 'redis', env: { REDIS_URL: process.env.REDIS_URL } }] : [])];

/** Collects what a subscription receives; `until` resolves when `count` have arrived. */
function collector() {
  const received: { event: UserEvent; json: string }[] = [];
  let wake: (() => void) | undefined;
  return {
    received,
    listener: (event: UserEvent, json: string) => {
      received.push({ event, json });
      wake?.();
    },
    until(count: number) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got ${received.length} of ${count} events`)), 10_000);
        const check = () => {
          if (received.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        };
        wake = check;
        check();
      });
    },
  };
}

describe.each(backends)('event bus on $name', ({ env }) => {
  let a: EventBus;
  let b: EventBus;
  beforeAll(async () => {
    // On Redis two buses stand for two processes and meet only through pub/sub; the memory
    // bus is one process's, so both names are the same bus there.
    a = await openEventBus(testConfig(env));
    b = env.REDIS_URL ? await openEventBus(testConfig(env)) : a;
  });
  afterAll(async () => {
    await a.close();
    if (b !== a) await b.close();
  });

  it('delivers a user\'s events to that user\'s subscribers only, serialised once', async () => {
    const alice = randomUUID();
    const bob = randomUUID();
    const toAlice = collector();
    const toBob = collector();
    const unsubscribeAlice = await a.subscribe(alice, toAlice.listener);
    const unsubscribeBob = await a.subscribe(bob, toBob.listener);
    a.publish(alice, 'journal.updated', { date: '2025-05-01', deleted: false });
    a.publish(bob, 'trade.deleted', { tradeIds: ['t1'] });
    await toAlice.until(1);
    await toBob.until(1);
    expect(toAlice.received.map((r) => r.event.type)).toEqual(['journal.updated']);
    expect(toBob.received.map((r) => r.event.type)).toEqual(['trade.deleted']);
    const { event, json } = toAlice.received[0]!;
    expect(JSON.parse(json)).toEqual(event);
    expect(event).toMatchObject({ type: 'journal.updated', data: { date: '2025-05-01', deleted: false } });
    expect(Number.isNaN(Date.parse(event.time))).toBe(false);
    unsubscribeAlice();
    unsubscribeBob();
  });

  it('delivers events in order from a publisher to the subscribers of another bus (another process on Redis)', async () => {
    const user = randomUUID();
    const onB = collector();
    const unsubscribe = await b.subscribe(user, onB.listener);
    for (let i = 0; i < 5; i++) a.publish(user, 'import.progress', { importId: 'i', rowsRead: i });
    await onB.until(5);
    expect(onB.received.map((r) => r.event.data.rowsRead)).toEqual([0, 1, 2, 3, 4]);
    unsubscribe();
  });

  it('stops delivering after unsubscribe', async () => {
    const user = randomUUID();
    const gone = collector();
    const still = collector();
    const unsubscribe = await b.subscribe(user, gone.listener);
    const unsubscribeStill = await b.subscribe(user, still.listener);
    unsubscribe();
    a.publish(user, 'analytics.invalidated', {});
    await still.until(1);
    expect(gone.received).toEqual([]);
    unsubscribeStill();
  });
});

describe('event bus with Redis unreachable', () => {
  let bus: EventBus;
  beforeAll(async () => {
    bus = await openEventBus(testConfig({ REDIS_URL: UNREACHABLE_REDIS }));
  });
  afterAll(() => bus.close());

  it('reports itself unhealthy, never throws on publish, and still delivers within the process', async () => {
    expect(bus.healthy()).toBe(false);
    const user = randomUUID();
    const local = collector();
    const unsubscribe = await bus.subscribe(user, local.listener);
    expect(() => bus.publish(user, 'journal.updated', { date: '2025-05-02', deleted: false })).not.toThrow();
    await local.until(1);
    expect(local.received[0]!.event.type).toBe('journal.updated');
    unsubscribe();
  });
});

describe('the app with Redis unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ REDIS_URL: UNREACHABLE_REDIS });
  });
  afterAll(() => t.close());

  it('says degraded in /health/ready, with the event bus down', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'degraded', checks: { database: { status: 'ok' }, cache: { status: 'down' }, events: { status: 'down' } } });
  });

  it('keeps serving writes from the database and delivers their events to this process\'s sockets', async () => {
    const user = await createUser(t);
    const baseUrl = await listen(t.app);
    const socket = connect(baseUrl, { token: user.token });
    await socket.next((m) => m.type === 'ready', 'ready');
    const put = await call(t, user, { method: 'PUT', url: '/api/v1/journal/2025-05-03', payload: { content: 'Redis is down' } });
    expect(put.statusCode, put.body).toBe(200);
    await socket.next((m) => m.type === 'journal.updated', 'journal.updated');
    socket.socket.close();
  });
});

describe('trade ids in events', () => {
  const published: { type: string; data: Record<string, unknown> }[] = [];
  const recorder = { publish: (_userId: string, type: string, data: Record<string, unknown>) => void published.push({ type, data }) };

  it('go in batches of IDS_PER_EVENT, and beyond BULK_OVER as one bulk event with the count', () => {
    published.length = 0;
    const ids = Array.from({ length: IDS_PER_EVENT * 2 + 7 }, (_, i) => `t${i}`);
    publishIds(recorder, 'u', 'trade.created', ids);
    expect(published.map((p) => p.data.count)).toEqual([IDS_PER_EVENT, IDS_PER_EVENT, 7]);
    expect(published.flatMap((p) => p.data.tradeIds as string[])).toEqual(ids);
    expect(published.every((p) => p.type === 'trade.created' && p.data.bulk === false)).toBe(true);

    published.length = 0;
    publishIds(recorder, 'u', 'trade.deleted', Array.from({ length: BULK_OVER + 1 }, (_, i) => `t${i}`));
    expect(published).toEqual([{ type: 'trade.deleted', data: { tradeIds: [], count: BULK_OVER + 1, bulk: true } }]);

    published.length = 0;
    publishIds(recorder, 'u', 'trade.updated', []);
    expect(published).toEqual([]);
  });

  it('from a UuidSet: the same events as from the list of its ids', () => {
    const few = Array.from({ length: IDS_PER_EVENT + 3 }, () => uuidV7());
    const many = Array.from({ length: BULK_OVER + 1 }, () => uuidV7());
    for (const ids of [few, many]) {
      const set = new UuidSet();
      for (const id of ids) set.add(id);
      published.length = 0;
      publishIds(recorder, 'u', 'trade.created', ids);
      const fromList = [...published];
      published.length = 0;
      publishIds(recorder, 'u', 'trade.created', set);
      expect(published).toEqual(fromList);
    }
  });
});
