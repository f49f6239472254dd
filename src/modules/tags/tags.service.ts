import { conflict, notFound } from '../../platform/errors/app-error.js';
import { invalidateAnalyticsAfterCommit } from '../../platform/events/after-commit-events.js';
import type { EventPublisher } from '../../platform/events/event-bus.js';
import { noEvents } from '../../platform/events/event-bus.js';
import type { Executor } from '../../platform/db/database.js';
import { isUniqueViolation } from '../../platform/db/pg-errors.js';
import { decodeCursor, encodeCursor, isText, isUuid } from '../../platform/http/cursor.js';
import { nameCursor, normalizeColor, normalizeName } from './tags.domain.js';
import type { TagRow, TagsRepository } from './tags.repository.js';
import type { CreateTagInput, TagKind, TagListInput, TagView, UpdateTagInput } from './tags.schemas.js';

export interface TagsServiceDeps {
  tagsRepository: TagsRepository;
  /** analytics.invalidated after each write commits. */
  events?: EventPublisher;
}

const toView = (row: TagRow): TagView => ({ ...row, createdAt: row.createdAt.toISOString() });

const tagExists = (name: string) => conflict('tag_exists', `A tag named "${name}" already exists.`, { name });
const tagNotFound = () => notFound('tag_not_found', 'Tag not found');

export function createTagsService({ tagsRepository, events = noEvents }: TagsServiceDeps) {
  return {
    async createTag(userId: string, input: CreateTagInput): Promise<TagView> {
      const name = normalizeName(input.name);
      try {
        const row = await tagsRepository.insert(userId, { name, kind: input.kind ?? 'custom', color: normalizeColor(input.color) ?? null });
        return toView(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw tagExists(name);
        throw error;
      }
    },

    async getTag(userId: string, id: string): Promise<TagView> {
      const row = await tagsRepository.findById(userId, id);
      if (!row) throw tagNotFound();
      return toView(row);
    },

    async listTags(userId: string, query: TagListInput): Promise<{ data: TagView[]; page: { nextCursor: string | null; limit: number } }> {
      const limit = query.limit ?? 50;
      const after = query.cursor ? nameCursor(decodeCursor<[string, string]>(query.cursor, isText, isUuid)) : undefined;
      const rows = await tagsRepository.list(userId, { kind: query.kind, after, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = rows.length > limit && last ? encodeCursor([last.name.toLowerCase(), last.id]) : null;
      return { data: page.map(toView), page: { nextCursor, limit } };
    },

    async updateTag(userId: string, id: string, input: UpdateTagInput): Promise<TagView> {
      const values: Partial<{ name: string; kind: TagKind; color: string | null }> = {};
      if (input.name !== undefined) values.name = normalizeName(input.name);
      if (input.kind !== undefined) values.kind = input.kind;
      if (input.color !== undefined) values.color = normalizeColor(input.color) ?? null;
      try {
        return await tagsRepository.transaction(async (tx) => {
          const row = await tagsRepository.update(userId, id, values, tx);
          if (!row) throw tagNotFound();
          await tagsRepository.bumpDataGeneration(userId, tx);
          invalidateAnalyticsAfterCommit(events, tx, userId);
          return toView(row);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw tagExists(values.name ?? '');
        throw error;
      }
    },

    async deleteTag(userId: string, id: string): Promise<void> {
      await tagsRepository.transaction(async (tx) => {
        if (!(await tagsRepository.delete(userId, id, tx))) throw tagNotFound();
        await tagsRepository.bumpDataGeneration(userId, tx);
        invalidateAnalyticsAfterCommit(events, tx, userId);
      });
    },

    /** For other modules: the user's own tags among `ids`, with their kinds. */
    async findOwnedTags(userId: string, ids: string[], tx?: Executor): Promise<{ id: string; kind: TagKind }[]> {
      return tagsRepository.findOwned(userId, ids, tx);
    },
  };
}

export type TagsService = ReturnType<typeof createTagsService>;
