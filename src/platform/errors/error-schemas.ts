import { Type } from 'typebox';
import type { TSchema } from 'typebox';

export const ErrorEnvelope = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.String({ description: 'Error class, e.g. NotFoundError' }),
    code: Type.String({ description: 'Stable machine-readable code, e.g. trade_not_found' }),
    message: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown()),
    timestamp: Type.String({ format: 'date-time' }),
    request_id: Type.String(),
  },
  { $id: 'ErrorEnvelope', description: 'Every error has this shape.' },
);

const ref = Type.Ref('ErrorEnvelope');

/** Response schemas for the error statuses a route can answer, by status code. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const status of statuses) out[status] = ref;
  return out;
}
