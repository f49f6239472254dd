import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, isInstant, isSafeInteger, isText, isUuid } from '../../src/platform/http/cursor.js';
import { AppError } from '../../src/platform/errors/app-error.js';

function refused(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_cursor');
    expect((error as AppError).status).toBe(400);
    return;
  }
  expect.unreachable('the cursor was accepted');
}

describe('cursors', () => {
  it('round-trip any microsecond instant and uuid', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), fc.integer({ min: 0, max: 999 }), fc.uuid(), (date, micros, id) => {
        const at = date.toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
        expect(decodeCursor<[string, string]>(encodeCursor([at, id]), isInstant, isUuid)).toEqual([at, id]);
      }),
    );
  });

  it('round-trip any text with a uuid, and an instant as PostgreSQL prints it with a sequence number', () => {
    fc.assert(
      fc.property(fc.string(), fc.uuid(), (name, id) => {
        expect(decodeCursor<[string, string]>(encodeCursor([name, id]), isText, isUuid)).toEqual([name, id]);
      }),
    );
    expect(decodeCursor<[string, number]>(encodeCursor(['2025-01-02 15:00:00.123456+00', 42]), isInstant, isSafeInteger)).toEqual(['2025-01-02 15:00:00.123456+00', 42]);
  });

  it.each([
    '',
    'not-base64-json!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('["yesterday","00000000-0000-4000-8000-000000000000"]').toString('base64url'),
    Buffer.from('["2025-01-02T00:00:00Z","not-a-uuid"]').toString('base64url'),
    Buffer.from('["2025-01-02T00:00:00Z","00000000-0000-4000-8000-000000000000","extra"]').toString('base64url'),
  ])('refuse the foreign or forged cursor %j with 400 invalid_cursor', (raw) => {
    refused(() => decodeCursor<[string, string]>(raw, isInstant, isUuid));
  });
});
