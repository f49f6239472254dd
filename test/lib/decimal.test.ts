import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalSign, normalizeDecimalString, toDecimal, toDecimalString } from '../../src/lib/decimal.js';

/** The definition normalizeDecimalString's string path must agree with. */
const byDecimalJs = (value: string) => toDecimalString(toDecimal(value));

describe('normalizeDecimalString', () => {
  it('prints what decimal.js prints for any plain decimal string', () => {
    const digits = fc.string({ unit: fc.constantFrom('0', '0', '0', '1', '5', '9'), minLength: 0, maxLength: 30 });
    const plain = fc
      .tuple(fc.constantFrom('', '-', '+', ' '), digits, fc.boolean(), digits, fc.constantFrom('', ' '))
      .map(([sign, integer, dot, fraction, pad]) => `${sign}${integer}${dot ? '.' : ''}${dot ? fraction : ''}${pad}`)
      .filter((s) => /\d/.test(s) && !/^\s*[+-]?\.$/.test(s) && !/^\s*[+-]?\s*$/.test(s));
    fc.assert(
      fc.property(plain, (value) => {
        let expected: string | Error;
        try {
          expected = byDecimalJs(value);
        } catch (error) {
          expected = error as Error;
        }
        if (expected instanceof Error) expect(() => normalizeDecimalString(value)).toThrow(RangeError);
        else expect(normalizeDecimalString(value)).toBe(expected);
      }),
      { numRuns: 10_000 },
    );
  });

  it('normalises the cases an import meets', () => {
    expect(['0150.500', '-0.0', '+.5', '5.', '-000', '0.000001', ' 12 ', '-1.2500'].map((v) => normalizeDecimalString(v))).toEqual([
      '150.5',
      '0',
      '0.5',
      '5',
      '0',
      '0.000001',
      '12',
      '-1.25',
    ]);
    expect(() => normalizeDecimalString('1e5')).toThrow(RangeError);
    expect(() => normalizeDecimalString('abc')).toThrow(RangeError);
    expect(normalizeDecimalString('1'.repeat(120))).toBe(byDecimalJs('1'.repeat(120)));
  });
});

describe('decimalSign', () => {
  it('is the sign decimal.js gives, and refuses what toDecimal refuses', () => {
    const digits = fc.string({ unit: fc.constantFrom('0', '0', '0', '1', '9'), minLength: 0, maxLength: 12 });
    const value = fc
      .tuple(fc.constantFrom('', '-', '+', ' ', 'x'), digits, fc.boolean(), digits)
      .map(([sign, integer, dot, fraction]) => `${sign}${integer}${dot ? '.' : ''}${dot ? fraction : ''}`);
    fc.assert(
      fc.property(value, (text) => {
        let expected: number | undefined;
        try {
          expected = toDecimal(text).comparedTo(0);
        } catch {
          expected = undefined;
        }
        if (expected === undefined) expect(() => decimalSign(text)).toThrow(RangeError);
        else expect(decimalSign(text)).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });
});
