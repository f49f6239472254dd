import { Type } from 'typebox';
import type { Static } from 'typebox';
import { NullableInteger, NullableString, StrictObject, Uuid } from '../../platform/http/schemas.js';

export const MAX_NOTES_LENGTH = 100_000;

/** A decimal string strictly greater than zero: "1", "0.25", "101.5". */
const PositiveDecimal = (description: string) =>
  NullableString({ pattern: '^(?=.*[1-9])\\d{1,20}(\\.\\d{1,12})?$', description: `${description}; null clears it` });

export const PatchTradeBody = StrictObject(
  {
    notes: Type.Optional(Type.String({ maxLength: MAX_NOTES_LENGTH, description: 'Markdown' })),
    tagIds: Type.Optional(
      Type.Array(Uuid, { maxItems: 100, uniqueItems: true, description: "Replaces the trade's tags; each must be one of your tags" }),
    ),
    mistakes: Type.Optional(
      Type.Array(Uuid, {
        maxItems: 100,
        uniqueItems: true,
        description:
          "Ids of your tags of kind mistake. Replaces the trade's mistake tags and leaves its other tags alone; applied after tagIds when both are sent.",
      }),
    ),
    playbookId: Type.Optional(NullableString({ format: 'uuid', description: 'One of your playbooks; null for none' })),
    stopPrice: Type.Optional(PositiveDecimal('Planned stop price, > 0')),
    initialRisk: Type.Optional(PositiveDecimal('Money at risk when the trade was opened, > 0; the denominator of the R multiple')),
    rating: Type.Optional(NullableInteger({ minimum: 1, maximum: 5, description: '1–5; null clears it' })),
    ruleChecks: Type.Optional(
      Type.Array(StrictObject({ ruleId: Uuid, followed: Type.Boolean() }), {
        maxItems: 100,
        description: "Replaces the trade's rule checks; every rule must belong to the trade's playbook (after this patch)",
      }),
    ),
  },
  { minProperties: 1 },
);
export type PatchTradeInput = Static<typeof PatchTradeBody>;
