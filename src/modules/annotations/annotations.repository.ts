import { and, eq, notInArray, sql } from 'drizzle-orm';
import { tradeRuleChecks, tradeTags, trades, users } from '../../db/schema/index.js';
import type { Db, Executor, Tx } from '../../platform/db/database.js';
import { userDataChanged } from '../../platform/db/data-changes.js';

/** The annotation columns of trades: written only here; the derived columns belong to the trades module. */
export interface AnnotationColumns {
  notes?: string;
  playbookId?: string | null;
  stopPrice?: string | null;
  initialRisk?: string | null;
  rating?: number | null;
}

export function createAnnotationsRepository(db: Db) {
  return {
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },

    /** Locks the user's trade for the transaction, so concurrent patches apply one after the other; false when not theirs. */
    async lockTrade(userId: string, tradeId: string, tx: Executor): Promise<boolean> {
      const rows = await tx
        .select({ id: trades.id })
        .from(trades)
        .where(and(eq(trades.userId, userId), eq(trades.id, tradeId)))
        .for('update');
      return rows.length > 0;
    },

    async updateColumns(userId: string, tradeId: string, values: AnnotationColumns, tx: Executor = db): Promise<void> {
      await tx
        .update(trades)
        .set({ ...values, updatedAt: sql`now()` })
        .where(and(eq(trades.userId, userId), eq(trades.id, tradeId)));
    },

    /** The caller has checked that the trade and every tag are the user's. */
    async replaceTags(tradeId: string, tagIds: string[], tx: Executor = db): Promise<void> {
      await tx.delete(tradeTags).where(eq(tradeTags.tradeId, tradeId));
      if (tagIds.length > 0) await tx.insert(tradeTags).values(tagIds.map((tagId) => ({ tradeId, tagId })));
    },

    /** Drops the trade's checks of rules outside `ruleIds` (those of another playbook). */
    async keepRuleChecksOf(tradeId: string, ruleIds: string[], tx: Executor = db): Promise<void> {
      await tx
        .delete(tradeRuleChecks)
        .where(ruleIds.length > 0 ? and(eq(tradeRuleChecks.tradeId, tradeId), notInArray(tradeRuleChecks.ruleId, ruleIds)) : eq(tradeRuleChecks.tradeId, tradeId));
    },

    async replaceRuleChecks(tradeId: string, checks: { ruleId: string; followed: boolean }[], tx: Executor = db): Promise<void> {
      await tx.delete(tradeRuleChecks).where(eq(tradeRuleChecks.tradeId, tradeId));
      if (checks.length > 0) await tx.insert(tradeRuleChecks).values(checks.map((c) => ({ tradeId, ruleId: c.ruleId, followed: c.followed })));
    },

    /** Annotations feed analytics (tags, playbooks, R multiples); the analytics cache keys on this. */
    async bumpDataGeneration(userId: string, tx: Executor = db): Promise<void> {
      await tx
        .update(users)
        .set({ dataGeneration: sql`${users.dataGeneration} + 1` })
        .where(eq(users.id, userId));
      await userDataChanged(tx, userId);
    },
  };
}

export type AnnotationsRepository = ReturnType<typeof createAnnotationsRepository>;
