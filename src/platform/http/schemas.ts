import { Type } from 'typebox';
import type { TProperties, TSchema } from 'typebox';

/** Request bodies reject unknown fields rather than silently dropping them. */
export const StrictObject = <T extends TProperties>(properties: T, options: Record<string, unknown> = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = StrictObject({ id: Uuid });

/** Exact decimal numbers travel as strings: "-12.5", "1000", "0.00000001". */
export const Decimal = (description?: string) =>
  Type.String({ pattern: '^-?\\d{1,20}(\\.\\d{1,12})?$', ...(description ? { description } : {}) });

export const DateTime = Type.String({ format: 'date-time' });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * Nullable inputs as `type: [t, 'null']` rather than an anyOf with a null branch: with Ajv's
 * type coercion on, the null branch would turn 0, "" or false into null and so clear a field
 * (rating 0 would mean "no rating"). With a type list, a value of type t is never coerced.
 */
export const NullableString = (options: Record<string, unknown> = {}) => Type.Unsafe<string | null>({ ...options, type: ['string', 'null'] });
export const NullableInteger = (options: Record<string, unknown> = {}) => Type.Unsafe<number | null>({ ...options, type: ['integer', 'null'] });

export const PageInfo = Type.Object({
  nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` to get the next page; null on the last page' })),
  limit: Type.Integer(),
});

export const Page = <T extends TSchema>(item: T) => Type.Object({ data: Type.Array(item), page: PageInfo });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
};
