import { badRequest } from '../../platform/errors/app-error.js';

/** Keyset cursor over (lower(name), id): opaque base64url JSON. */
export interface NameCursor {
  name: string;
  id: string;
}

export function encodeNameCursor(cursor: NameCursor): string {
  return Buffer.from(JSON.stringify([cursor.name, cursor.id]), 'utf8').toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeNameCursor(raw: string): NameCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && UUID.test(value[1])) {
      return { name: value[0], id: value[1] };
    }
  } catch {
    // Falls through to the one error below: a cursor is either ours or invalid.
  }
  throw badRequest('invalid_cursor', 'The cursor is invalid; pass the nextCursor of a previous page.');
}

/** Names are compared case-insensitively and stored trimmed. */
export const normalizeName = (name: string) => name.trim();

export const normalizeColor = (color: string | null | undefined) => (color == null ? color : color.toLowerCase());

/** Unique violations arrive wrapped differently by drizzle, pg and PGlite; look through the causes. */
export function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    if ((current as { code?: unknown }).code === '23505') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
