import { randomUUID } from 'node:crypto';
import type { Cache } from './cache.js';

/** How long a user's data version lives without writes; a new one (a miss for every entry) is made after that. */
const VERSION_TTL_SECONDS = 7 * 86_400;

/**
 * Per-user data versions for caches of answers computed from a user's data (analytics answers,
 * trades list pages): a random token per user in the cache (shared by every process with Redis),
 * under `ud:v:<user>`, that `renew` replaces once after each committed write to the user's trading
 * data or settings (the database's `onUserDataChanged`, see data-changes.ts). Every cache keyed
 * by it reads the same token, so one renewal makes all of them stale; entries keyed by an old
 * version are never read again (they expire by TTL), so a hit needs no database read.
 */
export function createUserDataVersions(cache: Pick<Cache, 'get' | 'set' | 'setIfAbsent'>) {
  const keyOf = (userId: string) => `ud:v:${userId}`;
  return {
    /**
     * The user's current version. A missing one is created here, before any data is read, so
     * whatever is computed under it saw every write committed before it existed. Undefined when
     * the cache cannot keep one (Redis down): callers must not cache then, or key otherwise.
     */
    async current(userId: string): Promise<string | undefined> {
      const key = keyOf(userId);
      const current = await cache.get(key);
      if (current !== undefined) return current;
      const fresh = randomUUID();
      if (await cache.setIfAbsent(key, fresh, VERSION_TTL_SECONDS)) return fresh;
      return cache.get(key);
    },

    /** After a commit that changed these users' data or settings: their entries are not read again. */
    async renew(userIds: readonly string[]): Promise<void> {
      await Promise.all(userIds.map((userId) => cache.set(keyOf(userId), randomUUID(), VERSION_TTL_SECONDS)));
    },
  };
}
