import { describe, expect, it } from 'vitest';
import { uuidV7 } from '../../src/lib/ids.js';

describe('uuidV7', () => {
  it('is a version 7, RFC 9562 variant UUID carrying the current Unix milliseconds', () => {
    const before = Date.now();
    const id = uuidV7();
    const after = Date.now();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    // A full count within one millisecond may move the clock part up to the next millisecond.
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after + 1);
  });

  it('increases strictly, also for many ids made within one millisecond (so one insert appends to the id indexes)', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidV7());
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    expect(new Set(ids.map((id) => id.slice(19))).size).toBeGreaterThan(19_000);
  });
});
