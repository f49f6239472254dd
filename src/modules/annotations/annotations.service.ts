import { badRequest, notFound } from '../../platform/errors/app-error.js';
import { afterCommit } from '../../platform/db/data-changes.js';
import type { Tx } from '../../platform/db/database.js';
import { publishIds } from '../../platform/events/after-commit-events.js';
import type { EventPublisher } from '../../platform/events/event-bus.js';
import { noEvents } from '../../platform/events/event-bus.js';
import type { PlaybooksService } from '../playbooks/playbooks.service.js';
import type { TagsService } from '../tags/tags.service.js';
import type { AnnotationColumns, AnnotationsRepository } from './annotations.repository.js';
import type { TagKind } from './annotations.domain.js';
import { firstDuplicate, nextTagSet } from './annotations.domain.js';
import type { PatchTradeInput } from './annotations.schemas.js';

/** What this module needs to know of a trade; the trades service answers with more. */
interface AnnotatedTrade {
  playbookId: string | null;
  tags: readonly { id: string; kind: TagKind }[];
}

export interface AnnotationsServiceDeps<T extends AnnotatedTrade> {
  annotationsRepository: AnnotationsRepository;
  tradesService: { getTrade(userId: string, tradeId: string, tx?: Tx): Promise<T> };
  tagsService: Pick<TagsService, 'findOwnedTags'>;
  playbooksService: Pick<PlaybooksService, 'findOwnedPlaybook'>;
  /** trade.updated and analytics.invalidated after an annotation commits. */
  events?: EventPublisher;
}

export function createAnnotationsService<T extends AnnotatedTrade>({ annotationsRepository: repo, tradesService, tagsService, playbooksService, events = noEvents }: AnnotationsServiceDeps<T>) {
  return {
    /** Applies a trade annotation patch in one transaction and answers the updated trade. */
    async annotateTrade(userId: string, tradeId: string, input: PatchTradeInput): Promise<T> {
      return repo.transaction(async (tx) => {
        if (!(await repo.lockTrade(userId, tradeId, tx))) throw notFound('trade_not_found', 'Trade not found');
        const trade = await tradesService.getTrade(userId, tradeId, tx);

        // Tags: every id must be one of the user's tags; mistakes must be of kind mistake.
        let tagSet: string[] | undefined;
        if (input.tagIds || input.mistakes) {
          const requested = [...new Set([...(input.tagIds ?? []), ...(input.mistakes ?? [])])];
          const owned = new Map((await tagsService.findOwnedTags(userId, requested, tx)).map((t) => [t.id, t.kind]));
          const missing = requested.find((id) => !owned.has(id));
          if (missing) throw notFound('tag_not_found', 'Tag not found');
          const notMistake = (input.mistakes ?? []).find((id) => owned.get(id) !== 'mistake');
          if (notMistake) throw badRequest('tag_not_mistake', 'Every id in mistakes must be a tag of kind "mistake".', { tagId: notMistake });
          for (const tag of trade.tags) if (!owned.has(tag.id)) owned.set(tag.id, tag.kind);
          tagSet = nextTagSet(
            trade.tags.map((t) => t.id),
            input,
            (id) => owned.get(id),
          );
        }

        // Playbook: must be the user's own; its rules bound the rule checks.
        const playbookChanges = input.playbookId !== undefined && input.playbookId !== trade.playbookId;
        const playbookId = input.playbookId !== undefined ? input.playbookId : trade.playbookId;
        let ruleIds: string[] = [];
        if (playbookId) {
          const playbook = await playbooksService.findOwnedPlaybook(userId, playbookId, tx);
          if (!playbook) throw notFound('playbook_not_found', 'Playbook not found');
          ruleIds = playbook.ruleIds;
        }
        if (input.ruleChecks) {
          const duplicate = firstDuplicate(input.ruleChecks.map((c) => c.ruleId));
          if (duplicate) throw badRequest('duplicate_rule_check', 'A rule appears twice in ruleChecks.', { ruleId: duplicate });
          const outside = input.ruleChecks.find((c) => !ruleIds.includes(c.ruleId));
          if (outside) {
            throw badRequest('rule_not_in_playbook', "Every rule check must be of a rule of the trade's playbook.", { ruleId: outside.ruleId });
          }
        }

        const columns: AnnotationColumns = {};
        if (input.notes !== undefined) columns.notes = input.notes;
        if (input.playbookId !== undefined) columns.playbookId = input.playbookId;
        if (input.stopPrice !== undefined) columns.stopPrice = input.stopPrice;
        if (input.initialRisk !== undefined) columns.initialRisk = input.initialRisk;
        if (input.rating !== undefined) columns.rating = input.rating;
        await repo.updateColumns(userId, tradeId, columns, tx);
        if (tagSet) await repo.replaceTags(tradeId, tagSet, tx);
        if (input.ruleChecks) await repo.replaceRuleChecks(tradeId, input.ruleChecks, tx);
        // Checks of the previous playbook's rules mean nothing under another playbook.
        else if (playbookChanges) await repo.keepRuleChecksOf(tradeId, ruleIds, tx);
        await repo.bumpDataGeneration(userId, tx);
        afterCommit(tx, () => publishIds(events, userId, 'trade.updated', [tradeId]));

        return tradesService.getTrade(userId, tradeId, tx);
      });
    },
  };
}

export type AnnotationsService<T extends AnnotatedTrade = AnnotatedTrade> = ReturnType<typeof createAnnotationsService<T>>;
