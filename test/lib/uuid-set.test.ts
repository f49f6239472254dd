import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uuidV7 } from '../../src/lib/ids.js';
import { UuidSet } from '../../src/lib/uuid-set.js';

describe('UuidSet', () => {
  it('answers like a Set of strings for any sequence of adds and deletes, in order or not, canonical or not', () => {
    const made = Array.from({ length: 40 }, () => uuidV7());
    const pool = [...made, randomUUID(), randomUUID(), made[3]!.toUpperCase(), 'not-a-uuid', ''];
    const op = fc.record({ add: fc.boolean(), id: fc.constantFrom(...pool) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const set = new UuidSet();
        const oracle = new Set<string>();
        for (const { add, id } of ops) {
          if (add) {
            set.add(id);
            oracle.add(id);
          } else {
            expect(set.delete(id)).toBe(oracle.delete(id));
          }
          expect(set.size).toBe(oracle.size);
        }
        for (const id of pool) expect(set.has(id)).toBe(oracle.has(id));
        expect([...set].sort()).toEqual([...oracle].sort());
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the ids this process makes, in the order made, past its buffer growing several times', () => {
    const ids = Array.from({ length: 5_000 }, () => uuidV7());
    const set = new UuidSet();
    for (const id of ids) set.add(id);
    expect(set.size).toBe(5_000);
    expect([...set]).toEqual(ids);
    expect(ids.every((id) => set.has(id))).toBe(true);
    expect(set.has(uuidV7())).toBe(false);
    expect(set.delete(ids[2_500]!)).toBe(true);
    expect(set.has(ids[2_500]!)).toBe(false);
    expect(set.size).toBe(4_999);
    set.add(ids[2_500]!);
    expect(set.size).toBe(5_000);
    expect(new Set(set).size).toBe(5_000);
  });
});
