import { afterCommit } from '../db/after-commit.js';
import type { Tx } from '../db/database.js';
import type { EventPublisher, EventType } from './event-bus.js';

/** Ids per event: a 100k-row import announces its trades in batches, not one message per trade. */
export const IDS_PER_EVENT = 500;

/** Publishes one event per batch of at most IDS_PER_EVENT ids, as `{ tradeIds }` (or the given key). */
export function publishIds(events: EventPublisher, userId: string, type: EventType, ids: readonly string[], key = 'tradeIds'): void {
  for (let start = 0; start < ids.length; start += IDS_PER_EVENT) {
    events.publish(userId, type, { [key]: ids.slice(start, start + IDS_PER_EVENT) });
  }
}

const invalidated = new WeakMap<Tx, Set<string>>();

/**
 * Announces `analytics.invalidated` once the transaction commits, once per user and
 * transaction however many writes it made: the user's data generation moved, so cached
 * analytics are stale and a dashboard should refetch.
 */
export function invalidateAnalyticsAfterCommit(events: EventPublisher, tx: Tx, userId: string): void {
  let users = invalidated.get(tx);
  if (!users) {
    users = new Set();
    invalidated.set(tx, users);
  }
  if (users.has(userId)) return;
  users.add(userId);
  afterCommit(tx, () => events.publish(userId, 'analytics.invalidated', {}));
}
