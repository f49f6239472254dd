import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Config } from '../../config/config.js';

export const EVENT_TYPES = [
  'import.progress',
  'import.completed',
  'import.failed',
  'trade.created',
  'trade.updated',
  'trade.deleted',
  'journal.updated',
  'analytics.invalidated',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What a client receives: the same JSON over WebSocket and Server-Sent Events (docs/realtime.md). */
export interface UserEvent {
  type: EventType;
  id: string;
  /** ISO 8601 instant the event was published (delivery delay = receive time − this). */
  time: string;
  data: Record<string, unknown>;
}

/** Called with the event and its JSON, serialised once per event rather than once per socket. */
export type EventListener = (event: UserEvent, json: string) => void;

export interface EventPublisher {
  /** Never throws and never waits: events are a notification, the database stays the truth. */
  publish(userId: string, type: EventType, data: Record<string, unknown>): void;
}

export interface EventBus extends EventPublisher {
  readonly backend: 'memory' | 'redis';
  /** Resolves once the events of `userId` published by any process will reach `listener`. */
  subscribe(userId: string, listener: EventListener): Promise<() => void>;
  /** False while Redis is unreachable: events then reach this process's sockets only. */
  healthy(): boolean;
  close(): Promise<void>;
}

/** For services built without a bus (unit tests, benches). */
export const noEvents: EventPublisher = { publish: () => undefined };

function makeEvent(type: EventType, data: Record<string, unknown>): { event: UserEvent; json: string } {
  const event: UserEvent = { type, id: randomUUID(), time: new Date().toISOString(), data };
  return { event, json: JSON.stringify(event) };
}

/** The listeners of this process, by user. */
class LocalListeners {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open socket; the per-user socket limit bounds them.
    this.emitter.setMaxListeners(0);
  }

  add(userId: string, listener: EventListener): number {
    this.emitter.on(userId, listener);
    return this.emitter.listenerCount(userId);
  }
  remove(userId: string, listener: EventListener): number {
    this.emitter.off(userId, listener);
    return this.emitter.listenerCount(userId);
  }
  deliver(userId: string, event: UserEvent, json: string): void {
    this.emitter.emit(userId, event, json);
  }
  clear(): void {
    this.emitter.removeAllListeners();
  }
}

class MemoryEventBus implements EventBus {
  readonly backend = 'memory' as const;
  private readonly local = new LocalListeners();

  publish(userId: string, type: EventType, data: Record<string, unknown>): void {
    const { event, json } = makeEvent(type, data);
    this.local.deliver(userId, event, json);
  }
  async subscribe(userId: string, listener: EventListener) {
    this.local.add(userId, listener);
    return () => void this.local.remove(userId, listener);
  }
  healthy() {
    return true;
  }
  async close() {
    this.local.clear();
  }
}

/**
 * Redis pub/sub with one channel per user (`<prefix>events:<userId>`) and one subscriber
 * connection per process, subscribed to the channels of the users that have a socket here.
 * So a process receives only the events of users it serves, not every event of the cluster.
 * Publishing goes through Redis only (the process's own sockets get it back through the
 * subscription, once); while Redis is down it is delivered locally instead and never throws.
 */
class RedisEventBus implements EventBus {
  readonly backend = 'redis' as const;
  private readonly local = new LocalListeners();

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
  ) {
    subscriber.on('message', (channel: string, json: string) => {
      const userId = channel.slice(this.prefix.length);
      let event: UserEvent;
      try {
        event = JSON.parse(json) as UserEvent;
      } catch {
        // Only this code publishes on these channels; anything else there is not ours to deliver.
        return;
      }
      this.local.deliver(userId, event, json);
    });
  }

  private channel(userId: string) {
    return this.prefix + userId;
  }

  publish(userId: string, type: EventType, data: Record<string, unknown>): void {
    const { event, json } = makeEvent(type, data);
    if (!this.healthy()) {
      this.local.deliver(userId, event, json);
      return;
    }
    this.publisher.publish(this.channel(userId), json).catch(() => this.local.deliver(userId, event, json));
  }

  async subscribe(userId: string, listener: EventListener) {
    if (this.local.add(userId, listener) === 1) {
      const subscribed = this.subscriber.subscribe(this.channel(userId)).catch(() => undefined);
      // While Redis is down the SUBSCRIBE waits in ioredis's queue and is made on reconnect;
      // the socket does not wait for it (local events still reach it).
      if (this.subscriber.status === 'ready') await subscribed;
    }
    return () => {
      if (this.local.remove(userId, listener) === 0) void this.subscriber.unsubscribe(this.channel(userId)).catch(() => undefined);
    };
  }

  healthy() {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  async close() {
    this.local.clear();
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}

export async function openEventBus(config: Config): Promise<EventBus> {
  const { redisUrl, keyPrefix } = config.cache;
  if (!redisUrl) return new MemoryEventBus();
  // Loaded only with Redis configured: the embedded default starts without parsing ioredis (≈ 390 KB).
  const { Redis } = await import('ioredis');
  const options = { connectTimeout: 2_000, lazyConnect: true, retryStrategy: (times: number) => Math.min(times * 200, 2_000) };
  // The publisher fails fast while disconnected (publish falls back to local delivery); the
  // subscriber queues its SUBSCRIBE commands until it is connected again.
  const publisher = new Redis(redisUrl, { ...options, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const subscriber = new Redis(redisUrl, { ...options, maxRetriesPerRequest: null });
  // Without listeners ioredis reports connection errors as unhandled; healthy() reports them.
  publisher.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  await Promise.all([publisher.connect().catch(() => undefined), subscriber.connect().catch(() => undefined)]);
  return new RedisEventBus(publisher, subscriber, `${keyPrefix}events:`);
}
