import type { UuidSet } from '../../lib/uuid-set.js';
import type { EventPublisher, EventType } from './event-bus.js';

/** Ids per event, so no message grows past ~20 KB. */
export const IDS_PER_EVENT = 500;
/** Above this many ids of one kind, one `bulk` event replaces the lists (a 100k-row import is not 200 messages of ids). */
export const BULK_OVER = 2_000;

/**
 * Announces changed trades as `{ tradeIds, count, bulk: false }` in batches of at most
 * IDS_PER_EVENT ids, or, beyond BULK_OVER ids, as one `{ tradeIds: [], count, bulk: true }`
 * that tells a client to refetch instead of patching its lists.
 */
export function publishIds(events: EventPublisher, userId: string, type: EventType, ids: readonly string[] | UuidSet): void {
  const count = 'size' in ids ? ids.size : ids.length;
  if (count > BULK_OVER) {
    events.publish(userId, type, { tradeIds: [], count, bulk: true });
    return;
  }
  const list = 'size' in ids ? [...ids] : ids;
  for (let start = 0; start < list.length; start += IDS_PER_EVENT) {
    const batch = list.slice(start, start + IDS_PER_EVENT);
    events.publish(userId, type, { tradeIds: batch, count: batch.length, bulk: false });
  }
}
