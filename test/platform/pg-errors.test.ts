import { describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../../src/platform/db/pg-errors.js';

describe('isUniqueViolation', () => {
  it('finds SQLSTATE 23505 on the error or in its causes', () => {
    expect(isUniqueViolation({ code: '23505' })).toBe(true);
    expect(isUniqueViolation(new Error('wrapped', { cause: { code: '23505' } }))).toBe(true);
  });

  it('is false for other errors', () => {
    expect(isUniqueViolation({ code: '23503' })).toBe(false);
    expect(isUniqueViolation(new Error('plain'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
  });
});
