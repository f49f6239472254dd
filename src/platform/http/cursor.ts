import { badRequest } from '../errors/app-error.js';

/**
 * Keyset cursors: the sort values of a page's last row, as an opaque base64url JSON tuple.
 * Each list decodes with one check per element, so a cursor made for another list, or forged,
 * is refused with 400 `invalid_cursor` instead of reaching SQL.
 */
export type CursorCheck<T> = (value: unknown) => value is T;

export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor<T extends unknown[]>(raw: string, ...checks: { [K in keyof T]: CursorCheck<T[K]> }): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length !== checks.length || !checks.every((check, i) => check(value[i]))) {
    throw badRequest('invalid_cursor', 'The cursor is invalid or belongs to another list; pass the nextCursor of a previous page.');
  }
  return value as T;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An instant as PostgreSQL or toISOString prints it, with a zone. */
const INSTANT = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/;

export const isUuid: CursorCheck<string> = (v): v is string => typeof v === 'string' && UUID.test(v);
export const isText: CursorCheck<string> = (v): v is string => typeof v === 'string';
export const isInstant: CursorCheck<string> = (v): v is string =>
  typeof v === 'string' && INSTANT.test(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00')));
export const isSafeInteger: CursorCheck<number> = (v): v is number => Number.isSafeInteger(v);
