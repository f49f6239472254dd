import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TagKind } from '../../../src/modules/annotations/annotations.domain.js';
import { firstDuplicate, nextTagSet } from '../../../src/modules/annotations/annotations.domain.js';

const kinds: Record<string, TagKind> = { setup: 'setup', custom: 'custom', fomo: 'mistake', late: 'mistake', chase: 'mistake' };
const kindOf = (id: string) => kinds[id];

describe('nextTagSet', () => {
  it('keeps the current tags when neither tagIds nor mistakes is sent', () => {
    expect(nextTagSet(['setup', 'fomo'], {}, kindOf)).toEqual(['setup', 'fomo']);
  });

  it('replaces the whole set with tagIds', () => {
    expect(nextTagSet(['setup', 'fomo'], { tagIds: ['custom'] }, kindOf)).toEqual(['custom']);
  });

  it('replaces only the mistake tags with mistakes', () => {
    expect(nextTagSet(['setup', 'fomo', 'custom'], { mistakes: ['late', 'chase'] }, kindOf)).toEqual(['setup', 'custom', 'late', 'chase']);
  });

  it('clears the mistake tags with an empty mistakes list', () => {
    expect(nextTagSet(['setup', 'fomo', 'late'], { mistakes: [] }, kindOf)).toEqual(['setup']);
  });

  it('applies mistakes after tagIds when both are sent', () => {
    expect(nextTagSet(['custom'], { tagIds: ['setup', 'fomo'], mistakes: ['late'] }, kindOf)).toEqual(['setup', 'late']);
  });

  it('never repeats an id, and with mistakes the result holds exactly the mistakes sent among mistake tags', () => {
    const ids = Object.keys(kinds);
    const subset = fc.uniqueArray(fc.constantFrom(...ids));
    fc.assert(
      fc.property(subset, fc.option(subset, { nil: undefined }), subset, (current, tagIds, mistakeCandidates) => {
        const mistakes = mistakeCandidates.filter((id) => kinds[id] === 'mistake');
        const result = nextTagSet(current, { tagIds, mistakes }, kindOf);
        expect(new Set(result).size).toBe(result.length);
        expect(result.filter((id) => kinds[id] === 'mistake').sort()).toEqual([...mistakes].sort());
        const base = tagIds ?? current;
        expect(result.filter((id) => kinds[id] !== 'mistake')).toEqual(base.filter((id) => kinds[id] !== 'mistake'));
      }),
    );
  });
});

describe('firstDuplicate', () => {
  it('finds the first id listed twice', () => {
    expect(firstDuplicate(['a', 'b', 'c', 'b', 'a'])).toBe('b');
  });

  it('answers undefined when all ids differ', () => {
    expect(firstDuplicate(['a', 'b'])).toBeUndefined();
  });
});
