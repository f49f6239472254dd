import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Config } from '../../config/config.js';
import type { EventBus, EventListener } from '../../platform/events/event-bus.js';

export type Transport = 'websocket' | 'sse';

export interface RealtimeServiceDeps {
  events: Pick<EventBus, 'subscribe'>;
  limits: Config['realtime'];
  registry: Registry;
}

/**
 * The live connections of this process: the per-user limit, the subscriptions to the event
 * bus, and the metrics. Both transports go through here, so a user's WebSocket and SSE
 * streams count against one limit.
 */
export function createRealtimeService({ events, limits, registry }: RealtimeServiceDeps) {
  const perUser = new Map<string, number>();
  const open = {
    websocket: new Gauge({ name: 'websocket_connections', help: 'Open WebSocket connections on this process (authenticated or not yet)', registers: [registry] }),
    sse: new Gauge({ name: 'sse_connections', help: 'Open Server-Sent Events streams on this process', registers: [registry] }),
  };
  const closed = new Counter({
    name: 'realtime_connections_closed_total',
    help: 'Live connections ended by the server, by transport and reason',
    labelNames: ['transport', 'reason'] as const,
    registers: [registry],
  });

  return {
    opened(transport: Transport): void {
      open[transport].inc();
    },
    ended(transport: Transport, reason: string): void {
      open[transport].dec();
      closed.inc({ transport, reason });
    },

    /**
     * Takes one of the user's connection slots and subscribes `listener` to their events.
     * Answers null when the user already holds WS_MAX_SOCKETS_PER_USER; otherwise the function
     * that gives the slot back and unsubscribes (call it once).
     */
    async attach(userId: string, listener: EventListener): Promise<(() => void) | null> {
      const held = perUser.get(userId) ?? 0;
      if (held >= limits.maxSocketsPerUser) return null;
      perUser.set(userId, held + 1);
      const unsubscribe = await events.subscribe(userId, listener);
      return () => {
        unsubscribe();
        const left = (perUser.get(userId) ?? 1) - 1;
        if (left === 0) perUser.delete(userId);
        else perUser.set(userId, left);
      };
    },
  };
}

export type RealtimeService = ReturnType<typeof createRealtimeService>;
