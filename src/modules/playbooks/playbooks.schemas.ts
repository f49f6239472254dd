import { Type } from 'typebox';
import type { Static } from 'typebox';
import { DateTime, Page, PageQuery, StrictObject, Uuid } from '../../platform/http/schemas.js';

export const MAX_RULES = 100;

const PlaybookName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', description: 'Unique per user, case-insensitively' });
const Description = Type.String({ maxLength: 100_000, description: 'Markdown' });
const RuleText = Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S' });

export const PlaybookRule = Type.Object({
  id: Uuid,
  position: Type.Integer({ minimum: 1, description: '1-based order in the checklist' }),
  text: Type.String(),
});

export const Playbook = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.String(),
  rules: Type.Array(PlaybookRule),
  tradeCount: Type.Integer({ description: "How many of the user's trades follow this playbook" }),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type PlaybookView = Static<typeof Playbook>;

export const CreatePlaybookBody = StrictObject({
  name: PlaybookName,
  description: Type.Optional(Description),
  rules: Type.Optional(Type.Array(StrictObject({ text: RuleText }), { maxItems: MAX_RULES, description: 'The checklist, in order' })),
});
export type CreatePlaybookInput = Static<typeof CreatePlaybookBody>;

export const UpdatePlaybookBody = StrictObject(
  {
    name: Type.Optional(PlaybookName),
    description: Type.Optional(Description),
    rules: Type.Optional(
      Type.Array(StrictObject({ id: Type.Optional(Uuid), text: RuleText }), {
        maxItems: MAX_RULES,
        description:
          'Replaces the checklist, in order. Items with the id of one of this playbook\'s rules keep that rule (and the trades\' checks of it); items without an id are new rules; rules left out are deleted with their checks.',
      }),
    ),
  },
  { minProperties: 1 },
);
export type UpdatePlaybookInput = Static<typeof UpdatePlaybookBody>;

export const PlaybookListQuery = StrictObject({ ...PageQuery });
export type PlaybookListInput = Static<typeof PlaybookListQuery>;

export const PlaybookPage = Page(Playbook);
