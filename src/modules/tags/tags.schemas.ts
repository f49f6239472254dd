import { Type } from 'typebox';
import type { Static } from 'typebox';
import { DateTime, Nullable, NullableString, Page, PageQuery, StrictObject, Uuid } from '../../platform/http/schemas.js';

export const TAG_KINDS = ['setup', 'mistake', 'custom'] as const;
export type TagKind = (typeof TAG_KINDS)[number];

export const TagKindSchema = Type.Union(
  [Type.Literal('setup'), Type.Literal('mistake'), Type.Literal('custom')],
  { description: 'setup: why you took the trade; mistake: what went wrong; custom: anything else' },
);
// At least one non-space character; surrounding spaces are trimmed before storing.
const TagName = Type.String({ minLength: 1, maxLength: 64, pattern: '\\S', description: 'Unique per user, case-insensitively' });
const colorOptions = { pattern: '^#[0-9a-fA-F]{6}$', description: 'A #rrggbb colour, stored lower-case; null for none' };

export const Tag = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    kind: TagKindSchema,
    color: Nullable(Type.String()),
    usageCount: Type.Integer({ description: "How many of the user's trades carry this tag" }),
    createdAt: DateTime,
  },
  { description: 'A label for trades' },
);
export type TagView = Static<typeof Tag>;

export const CreateTagBody = StrictObject({
  name: TagName,
  kind: Type.Optional(TagKindSchema),
  color: Type.Optional(NullableString(colorOptions)),
});
export type CreateTagInput = Static<typeof CreateTagBody>;

export const UpdateTagBody = StrictObject(
  {
    name: Type.Optional(TagName),
    kind: Type.Optional(TagKindSchema),
    color: Type.Optional(NullableString(colorOptions)),
  },
  { minProperties: 1 },
);
export type UpdateTagInput = Static<typeof UpdateTagBody>;

export const TagListQuery = StrictObject({
  kind: Type.Optional(TagKindSchema),
  ...PageQuery,
});
export type TagListInput = Static<typeof TagListQuery>;

export const TagPage = Page(Tag);
