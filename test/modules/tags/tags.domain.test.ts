import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeNameCursor, encodeNameCursor, isUniqueViolation } from '../../../src/modules/tags/tags.domain.js';
import { AppError } from '../../../src/platform/errors/app-error.js';

describe('name cursors', () => {
  it('decode what they encode, for any name', () => {
    fc.assert(
      fc.property(fc.string(), fc.uuid(), (name, id) => {
        expect(decodeNameCursor(encodeNameCursor({ name, id }))).toEqual({ name, id });
      }),
    );
  });

  it.each(['', 'not-base64!', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["x","not-a-uuid"]').toString('base64url')])(
    'reject the foreign cursor %j with 400 invalid_cursor',
    (raw) => {
      try {
        decodeNameCursor(raw);
        expect.unreachable('decodeNameCursor accepted a foreign cursor');
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('invalid_cursor');
        expect((error as AppError).status).toBe(400);
      }
    },
  );
});

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
