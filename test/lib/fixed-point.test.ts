import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, toDecimalString } from '../../src/lib/decimal.js';
import { decimalScale, divRoundHalfEven, formatUnits, isPositiveDecimal, pow10, toUnits } from '../../src/lib/fixed-point.js';

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const plainDecimal = fc
  .tuple(fc.constantFrom('', '+', '-'), digits(0, 24), fc.option(digits(0, 14), { nil: undefined }))
  .filter(([, int, frac]) => int.length > 0 || (frac !== undefined && frac.length > 0))
  .map(([sign, int, frac]) => (frac === undefined ? `${sign}${int}` : `${sign}${int}.${frac}`));

describe('fixed-point decimals', () => {
  it('reads any plain decimal exactly at any scale at least its own, and prints it back as decimal.js does', () => {
    fc.assert(
      fc.property(plainDecimal, fc.integer({ min: 0, max: 20 }), (value, extra) => {
        const scale = decimalScale(value) + extra;
        const units = toUnits(value, scale);
        expect(formatUnits(units, scale)).toBe(toDecimalString(new Decimal(value)));
      }),
      { numRuns: 5_000 },
    );
  });

  it('takes the digits of a long value without losing any (beyond what a double holds exactly)', () => {
    expect(toUnits('9007199254740993', 0)).toBe(9_007_199_254_740_993n);
    expect(toUnits('123456789012345.6789', 6)).toBe(123_456_789_012_345_678_900n);
    expect(toUnits('-0.000000000001', 12)).toBe(-1n);
  });

  it('rejects what is not a plain decimal, with the message toDecimal gives', () => {
    for (const value of ['', '.', '-', '1e5', '0x1f', 'Infinity', 'NaN', '1,5', '1 000', '--1']) {
      expect(() => decimalScale(value, 'price')).toThrow(`price must be a decimal number, got "${value}"`);
    }
  });

  it('tells positive values from zero and negative ones in any spelling', () => {
    expect(['1', '+0.001', '00.10', ' 5 ', '.5'].map(isPositiveDecimal)).toEqual([true, true, true, true, true]);
    expect(['0', '-0', '0.000', '-1', '+0.', '.0'].map(isPositiveDecimal)).toEqual([false, false, false, false, false, false]);
  });

  it('prints zero as "0" whatever its sign or scale, and never an exponent', () => {
    expect(formatUnits(0n, 10)).toBe('0');
    expect(formatUnits(5n, 12)).toBe('0.000000000005');
    expect(formatUnits(-1_234_500n, 3)).toBe('-1234.5');
    expect(formatUnits(10n ** 40n, 0)).toBe(`1${'0'.repeat(40)}`);
  });

  it('divides with half-to-even rounding like decimal.js, for both signs', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: 1n, max: 10n ** 15n }), (n, d) => {
        const expected = new Decimal(n.toString()).div(d.toString()).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
        expect(divRoundHalfEven(n, d).toString()).toBe(toDecimalString(expected));
      }),
      { numRuns: 5_000 },
    );
    expect([5n, 15n, 25n, -5n, -15n].map((n) => divRoundHalfEven(n, 10n))).toEqual([0n, 2n, 2n, 0n, -2n]);
  });

  it('caches powers of ten', () => {
    expect(pow10(0)).toBe(1n);
    expect(pow10(25)).toBe(10n ** 25n);
  });
});
