import { sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';

/**
 * PostgreSQL array literals for array parameters (`${sql.param(arrayLiteral(…))}::uuid[]`),
 * written here instead of by pg: pg quotes and regex-escapes every element of every array
 * parameter, which was a tenth of the main thread's work in a large import's trade rebuild.
 * `plain` elements (uuids, decimal strings, ISO times, integers) go bare: none of them can hold
 * a character the array syntax gives a meaning to. Every other text is quoted (so 'NULL', '' and
 * spaces stay text), with backslash and double quote escaped. null is NULL.
 */
const NEEDS_ESCAPE = /["\\]/;

export function arrayLiteral(values: readonly (string | number | null)[], kind: 'plain' | 'text'): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const value = values[i];
    if (value === null || value === undefined) out += 'NULL';
    else if (kind === 'plain') out += value;
    else {
      const text = String(value);
      out += NEEDS_ESCAPE.test(text) ? `"${text.replace(/["\\]/g, '\\$&')}"` : `"${text}"`;
    }
  }
  return `${out}}`;
}

/** `values` as one array parameter (arrayLiteral), to be cast to its array type in the statement. */
export function arrayParam(values: readonly (string | number | null)[], kind: 'plain' | 'text'): SQL {
  return sql`${sql.param(arrayLiteral(values, kind))}`;
}
