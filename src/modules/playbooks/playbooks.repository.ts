import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { playbookRules, playbooks, trades, users } from '../../db/schema/index.js';
import type { Db, Executor, Tx } from '../../platform/db/database.js';
import type { NameCursor } from '../tags/tags.domain.js';
import { userDataChanged } from '../../platform/db/data-changes.js';

export interface PlaybookRow {
  id: string;
  name: string;
  description: string;
  tradeCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface RuleRow {
  id: string;
  playbookId: string;
  position: number;
  text: string;
}

// Outer columns spelled out: drizzle leaves them unqualified in single-table selects, and
// inside this subquery an unqualified "id" would mean trades.id.
const tradeCount = sql<number>`(
  select count(*)::int from ${trades} tr
  where tr.playbook_id = "playbooks"."id" and tr.user_id = "playbooks"."user_id"
)`.mapWith(Number);

const columns = {
  id: playbooks.id,
  name: playbooks.name,
  description: playbooks.description,
  tradeCount,
  createdAt: playbooks.createdAt,
  updatedAt: playbooks.updatedAt,
};

export function createPlaybooksRepository(db: Db) {
  return {
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },

    async insert(userId: string, values: { name: string; description: string }, tx: Executor = db): Promise<string> {
      const [row] = await tx.insert(playbooks).values({ userId, ...values }).returning({ id: playbooks.id });
      return row!.id;
    },

    async findById(userId: string, id: string, tx: Executor = db): Promise<PlaybookRow | undefined> {
      const [row] = await tx.select(columns).from(playbooks).where(and(eq(playbooks.userId, userId), eq(playbooks.id, id)));
      return row;
    },

    async list(userId: string, query: { after?: NameCursor; limit: number }, tx: Executor = db): Promise<PlaybookRow[]> {
      const conditions: SQL[] = [eq(playbooks.userId, userId)];
      if (query.after) conditions.push(sql`(lower(${playbooks.name}), ${playbooks.id}) > (${query.after.name}, ${query.after.id}::uuid)`);
      return tx
        .select(columns)
        .from(playbooks)
        .where(and(...conditions))
        .orderBy(sql`lower(${playbooks.name})`, asc(playbooks.id))
        .limit(query.limit);
    },

    /** Updates the row (and so locks it for the rest of the transaction); false when it is not the user's. */
    async update(userId: string, id: string, values: Partial<{ name: string; description: string }>, tx: Executor = db): Promise<boolean> {
      const rows = await tx
        .update(playbooks)
        .set({ ...values, updatedAt: sql`now()` })
        .where(and(eq(playbooks.userId, userId), eq(playbooks.id, id)))
        .returning({ id: playbooks.id });
      return rows.length > 0;
    },

    async delete(userId: string, id: string, tx: Executor = db): Promise<boolean> {
      const rows = await tx
        .delete(playbooks)
        .where(and(eq(playbooks.userId, userId), eq(playbooks.id, id)))
        .returning({ id: playbooks.id });
      return rows.length > 0;
    },

    /** Rules of the given playbooks (already scoped to the user by the caller), in checklist order. */
    async findRules(playbookIds: string[], tx: Executor = db): Promise<RuleRow[]> {
      if (playbookIds.length === 0) return [];
      return tx
        .select({ id: playbookRules.id, playbookId: playbookRules.playbookId, position: playbookRules.position, text: playbookRules.text })
        .from(playbookRules)
        .where(inArray(playbookRules.playbookId, playbookIds))
        .orderBy(asc(playbookRules.playbookId), asc(playbookRules.position));
    },

    /** Ids of the rules of one of the user's playbooks; empty when the playbook is not theirs. */
    async findRuleIds(userId: string, playbookId: string, tx: Executor = db): Promise<string[]> {
      const rows = await tx
        .select({ id: playbookRules.id })
        .from(playbookRules)
        .innerJoin(playbooks, eq(playbooks.id, playbookRules.playbookId))
        .where(and(eq(playbooks.userId, userId), eq(playbooks.id, playbookId)));
      return rows.map((r) => r.id);
    },

    /**
     * Makes the playbook's checklist exactly `rules`, in order. Rules with an id are kept (text
     * and position updated), so trade rule checks of them survive; the rest are deleted, and
     * their checks with them (foreign key cascade).
     */
    async replaceRules(playbookId: string, rules: { id?: string; text: string }[], tx: Executor = db): Promise<void> {
      const keptIds = rules.flatMap((r) => (r.id ? [r.id] : []));
      await tx
        .delete(playbookRules)
        .where(keptIds.length > 0 ? and(eq(playbookRules.playbookId, playbookId), notInArray(playbookRules.id, keptIds)) : eq(playbookRules.playbookId, playbookId));
      const fresh: { playbookId: string; position: number; text: string }[] = [];
      for (const [index, rule] of rules.entries()) {
        if (rule.id) {
          await tx
            .update(playbookRules)
            .set({ position: index + 1, text: rule.text })
            .where(and(eq(playbookRules.playbookId, playbookId), eq(playbookRules.id, rule.id)));
        } else {
          fresh.push({ playbookId, position: index + 1, text: rule.text });
        }
      }
      if (fresh.length > 0) await tx.insert(playbookRules).values(fresh);
    },

    async bumpDataGeneration(userId: string, tx: Executor = db): Promise<void> {
      await tx
        .update(users)
        .set({ dataGeneration: sql`${users.dataGeneration} + 1` })
        .where(eq(users.id, userId));
      await userDataChanged(tx, userId);
    },
  };
}

export type PlaybooksRepository = ReturnType<typeof createPlaybooksRepository>;
