/**
 * True when a PostgreSQL unique constraint was violated (SQLSTATE 23505). Drizzle, pg and
 * PGlite wrap driver errors differently, so the code is looked for along the cause chain.
 */
export function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth += 1) {
    if ((current as { code?: unknown }).code === '23505') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
