import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OccurrenceCounter } from '../../../src/modules/imports/occurrences.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

describe('OccurrenceCounter', () => {
  it('numbers each digest 1, 2, 3… within its group, and each group on its own', () => {
    const counter = new OccurrenceCounter();
    expect([counter.next('', digest('a')), counter.next('', digest('b')), counter.next('', digest('a')), counter.next('', digest('a'))]).toEqual([1, 1, 2, 3]);
    expect(counter.next('U1', digest('a'))).toBe(1);
    expect(counter.next('U1', digest('a'))).toBe(2);
    expect(counter.next('', digest('b'))).toBe(2);
  });

  it('keeps every count while its table grows from two slots to thousands, colliding slots included', () => {
    const counter = new OccurrenceCounter(2);
    const expected = new Map<number, number>();
    // 5,000 distinct digests, each seen up to four times in an interleaved order.
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 5000; i++) {
        if (i % 4 < round) continue;
        const n = (expected.get(i) ?? 0) + 1;
        expected.set(i, n);
        expect(counter.next('g', digest(String(i)))).toBe(n);
      }
    }
    expect(counter.next('g', digest('3'))).toBe(5);
  });

  it('tells digests apart by their first 96 bits, not by the slot they hash to', () => {
    const counter = new OccurrenceCounter(4);
    const base = Buffer.alloc(32);
    const other = Buffer.alloc(32);
    other.writeUInt32LE(1, 8);
    expect(counter.next('', base)).toBe(1);
    expect(counter.next('', other)).toBe(1);
    expect(counter.next('', base)).toBe(2);
  });

  it('wants a power of two for its first capacity', () => {
    expect(() => new OccurrenceCounter(3)).toThrow(RangeError);
  });
});
