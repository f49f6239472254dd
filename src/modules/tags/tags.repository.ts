import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { tags, tradeTags, trades, users } from '../../db/schema/index.js';
import type { Db, Executor, Tx } from '../../platform/db/database.js';
import type { NameCursor } from './tags.domain.js';
import type { TagKind } from './tags.schemas.js';
import { userDataChanged } from '../../platform/db/data-changes.js';

export interface TagRow {
  id: string;
  name: string;
  kind: TagKind;
  color: string | null;
  usageCount: number;
  createdAt: Date;
}

// Counted through trades so a tag can never count another user's trade. Outer columns are
// spelled out: drizzle leaves columns unqualified in single-table selects, and inside this
// subquery an unqualified "id" would mean trades.id.
const usageCount = sql<number>`(
  select count(*)::int from ${tradeTags} tt
  join ${trades} tr on tr.id = tt.trade_id
  where tt.tag_id = "tags"."id" and tr.user_id = "tags"."user_id"
)`.mapWith(Number);

const columns = {
  id: tags.id,
  name: tags.name,
  kind: tags.kind,
  color: tags.color,
  usageCount,
  createdAt: tags.createdAt,
};

export function createTagsRepository(db: Db) {
  return {
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },

    async insert(userId: string, values: { name: string; kind: TagKind; color: string | null }, tx: Executor = db): Promise<TagRow> {
      const [row] = await tx.insert(tags).values({ userId, ...values }).returning({ id: tags.id });
      return (await this.findById(userId, row!.id, tx))!;
    },

    async findById(userId: string, id: string, tx: Executor = db): Promise<TagRow | undefined> {
      const [row] = await tx.select(columns).from(tags).where(and(eq(tags.userId, userId), eq(tags.id, id)));
      return row;
    },

    async list(userId: string, query: { kind?: TagKind; after?: NameCursor; limit: number }, tx: Executor = db): Promise<TagRow[]> {
      const conditions: SQL[] = [eq(tags.userId, userId)];
      if (query.kind) conditions.push(eq(tags.kind, query.kind));
      if (query.after) conditions.push(sql`(lower(${tags.name}), ${tags.id}) > (${query.after.name}, ${query.after.id}::uuid)`);
      return tx
        .select(columns)
        .from(tags)
        .where(and(...conditions))
        .orderBy(sql`lower(${tags.name})`, asc(tags.id))
        .limit(query.limit);
    },

    async update(userId: string, id: string, values: Partial<{ name: string; kind: TagKind; color: string | null }>, tx: Executor = db): Promise<TagRow | undefined> {
      const [row] = await tx
        .update(tags)
        .set(values)
        .where(and(eq(tags.userId, userId), eq(tags.id, id)))
        .returning({ id: tags.id });
      return row ? this.findById(userId, row.id, tx) : undefined;
    },

    async delete(userId: string, id: string, tx: Executor = db): Promise<boolean> {
      const rows = await tx
        .delete(tags)
        .where(and(eq(tags.userId, userId), eq(tags.id, id)))
        .returning({ id: tags.id });
      return rows.length > 0;
    },

    /** The user's own tags among `ids` (others' and missing ids are simply absent). */
    async findOwned(userId: string, ids: string[], tx: Executor = db): Promise<{ id: string; kind: TagKind }[]> {
      if (ids.length === 0) return [];
      return tx
        .select({ id: tags.id, kind: tags.kind })
        .from(tags)
        .where(and(eq(tags.userId, userId), inArray(tags.id, ids)));
    },

    /** Tag changes alter what trade filters and analytics see; the analytics cache keys on this. */
    async bumpDataGeneration(userId: string, tx: Executor = db): Promise<void> {
      await tx
        .update(users)
        .set({ dataGeneration: sql`${users.dataGeneration} + 1` })
        .where(eq(users.id, userId));
      await userDataChanged(tx, userId);
    },
  };
}

export type TagsRepository = ReturnType<typeof createTagsRepository>;
