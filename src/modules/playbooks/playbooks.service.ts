import { badRequest, conflict, notFound } from '../../platform/errors/app-error.js';
import { invalidateAnalyticsAfterCommit } from '../../platform/events/after-commit-events.js';
import type { EventPublisher } from '../../platform/events/event-bus.js';
import { noEvents } from '../../platform/events/event-bus.js';
import type { Executor } from '../../platform/db/database.js';
import { isUniqueViolation } from '../../platform/db/pg-errors.js';
import { decodeCursor, encodeCursor, isText, isUuid } from '../../platform/http/cursor.js';
import { nameCursor, normalizeName } from '../tags/tags.domain.js';
import type { PlaybookRow, PlaybooksRepository, RuleRow } from './playbooks.repository.js';
import type { CreatePlaybookInput, PlaybookListInput, PlaybookView, UpdatePlaybookInput } from './playbooks.schemas.js';

export interface PlaybooksServiceDeps {
  playbooksRepository: PlaybooksRepository;
  /** analytics.invalidated after each write commits. */
  events?: EventPublisher;
}

const playbookExists = (name: string) => conflict('playbook_exists', `A playbook named "${name}" already exists.`, { name });
const playbookNotFound = () => notFound('playbook_not_found', 'Playbook not found');

function toView(row: PlaybookRow, rules: RuleRow[]): PlaybookView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    rules: rules.filter((r) => r.playbookId === row.id).map((r) => ({ id: r.id, position: r.position, text: r.text })),
    tradeCount: row.tradeCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function createPlaybooksService({ playbooksRepository: repo, events = noEvents }: PlaybooksServiceDeps) {
  async function load(userId: string, id: string, tx?: Executor): Promise<PlaybookView> {
    const row = await repo.findById(userId, id, tx);
    if (!row) throw playbookNotFound();
    return toView(row, await repo.findRules([row.id], tx));
  }

  return {
    async createPlaybook(userId: string, input: CreatePlaybookInput): Promise<PlaybookView> {
      const name = normalizeName(input.name);
      try {
        return await repo.transaction(async (tx) => {
          const id = await repo.insert(userId, { name, description: input.description ?? '' }, tx);
          await repo.replaceRules(id, (input.rules ?? []).map((r) => ({ text: r.text.trim() })), tx);
          return load(userId, id, tx);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw playbookExists(name);
        throw error;
      }
    },

    getPlaybook: (userId: string, id: string) => load(userId, id),

    async listPlaybooks(userId: string, query: PlaybookListInput): Promise<{ data: PlaybookView[]; page: { nextCursor: string | null; limit: number } }> {
      const limit = query.limit ?? 50;
      const after = query.cursor ? nameCursor(decodeCursor<[string, string]>(query.cursor, isText, isUuid)) : undefined;
      const rows = await repo.list(userId, { after, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const rules = await repo.findRules(page.map((r) => r.id));
      const last = page.at(-1);
      const nextCursor = rows.length > limit && last ? encodeCursor([last.name.toLowerCase(), last.id]) : null;
      return { data: page.map((row) => toView(row, rules)), page: { nextCursor, limit } };
    },

    async updatePlaybook(userId: string, id: string, input: UpdatePlaybookInput): Promise<PlaybookView> {
      const values: { name?: string; description?: string } = {};
      if (input.name !== undefined) values.name = normalizeName(input.name);
      if (input.description !== undefined) values.description = input.description;
      try {
        return await repo.transaction(async (tx) => {
          if (!(await repo.update(userId, id, values, tx))) throw playbookNotFound();
          if (input.rules) {
            const current = new Set((await repo.findRules([id], tx)).map((r) => r.id));
            const seen = new Set<string>();
            for (const rule of input.rules) {
              if (!rule.id) continue;
              if (!current.has(rule.id)) throw badRequest('rule_not_in_playbook', 'A rule id is not one of this playbook\'s rules; leave the id out to add a new rule.', { ruleId: rule.id });
              if (seen.has(rule.id)) throw badRequest('duplicate_rule', 'A rule id appears twice in the list.', { ruleId: rule.id });
              seen.add(rule.id);
            }
            await repo.replaceRules(id, input.rules.map((r) => ({ id: r.id, text: r.text.trim() })), tx);
          }
          // Renames and checklist edits change what analytics by playbook report.
          await repo.bumpDataGeneration(userId, tx);
          invalidateAnalyticsAfterCommit(events, tx, userId);
          return load(userId, id, tx);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw playbookExists(values.name ?? '');
        throw error;
      }
    },

    async deletePlaybook(userId: string, id: string): Promise<void> {
      await repo.transaction(async (tx) => {
        // Trades following it keep existing with no playbook (foreign key: set null).
        if (!(await repo.delete(userId, id, tx))) throw playbookNotFound();
        await repo.bumpDataGeneration(userId, tx);
        invalidateAnalyticsAfterCommit(events, tx, userId);
      });
    },

    /** For other modules: one of the user's playbooks with its rule ids, or undefined when not theirs. */
    async findOwnedPlaybook(userId: string, id: string, tx?: Executor): Promise<{ id: string; ruleIds: string[] } | undefined> {
      const row = await repo.findById(userId, id, tx);
      if (!row) return undefined;
      return { id: row.id, ruleIds: (await repo.findRules([row.id], tx)).map((r) => r.id) };
    },
  };
}

export type PlaybooksService = ReturnType<typeof createPlaybooksService>;
