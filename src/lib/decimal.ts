import { Decimal as DecimalJs } from 'decimal.js';

/**
 * The one decimal type for money and quantities. A private clone so no other code can change
 * its settings: 100 significant digits (products of price × quantity × multiplier stay exact for
 * any NUMERIC the API accepts) and banker's rounding where rounding is asked for.
 */
export const Decimal = DecimalJs.clone({
  precision: 100,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
export type Decimal = DecimalJs;
export type DecimalValue = string | Decimal;

export const ZERO: Decimal = new Decimal(0);

/** A plain decimal number: optional minus, digits, optional fraction. No exponent, no spaces. */
const PLAIN_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

export function isDecimalString(value: string): boolean {
  return PLAIN_DECIMAL.test(value);
}

/**
 * Parses a decimal string strictly (decimal.js alone would also take "0x1f", "Infinity" or
 * "1e5"). Throws RangeError naming `what` when the value is not a plain decimal number.
 */
export function toDecimal(value: DecimalValue, what = 'value'): Decimal {
  if (typeof value !== 'string') {
    if (!value.isFinite()) throw new RangeError(`${what} must be a finite number`);
    return value;
  }
  const trimmed = value.trim();
  if (!PLAIN_DECIMAL.test(trimmed)) throw new RangeError(`${what} must be a decimal number, got "${value}"`);
  return new Decimal(trimmed);
}

/** Plain notation, no exponent, no trailing zeros, never "-0": "1250", "-0.5", "0". */
export function toDecimalString(value: Decimal): string {
  if (!value.isFinite()) throw new RangeError('cannot print a non-finite decimal');
  if (value.isZero()) return '0';
  return value.toFixed();
}

/** Already in normal form (most values an import normalises again after parsing them). */
const NORMALIZED = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

/** Digits beyond which decimal.js (100 significant digits) would round: such strings take its path. */
const FAST_NORMALIZE_MAX_LENGTH = 100;

/**
 * Normalises a decimal string: "0150.500" → "150.5", "-0.0" → "0", "+.5" → "0.5". The same
 * result as toDecimalString(toDecimal(value)), by string operations: imports normalise several
 * values per row, and decimal.js objects were a quarter of their parsing time.
 */
export function normalizeDecimalString(value: string, what = 'value'): string {
  if (value.length <= FAST_NORMALIZE_MAX_LENGTH && NORMALIZED.test(value) && value !== '-0') return value;
  const trimmed = value.trim();
  if (trimmed.length > FAST_NORMALIZE_MAX_LENGTH || !PLAIN_DECIMAL.test(trimmed)) return toDecimalString(toDecimal(value, what));
  const negative = trimmed.startsWith('-');
  const unsigned = negative || trimmed.startsWith('+') ? trimmed.slice(1) : trimmed;
  const dot = unsigned.indexOf('.');
  let integer = dot < 0 ? unsigned : unsigned.slice(0, dot);
  let fraction = dot < 0 ? '' : unsigned.slice(dot + 1);
  let start = 0;
  while (start < integer.length - 1 && integer.charCodeAt(start) === 48) start++;
  integer = integer.slice(start);
  let end = fraction.length;
  while (end > 0 && fraction.charCodeAt(end - 1) === 48) end--;
  fraction = fraction.slice(0, end);
  if (integer === '') integer = '0';
  if (integer === '0' && fraction === '') return '0';
  return `${negative ? '-' : ''}${integer}${fraction === '' ? '' : `.${fraction}`}`;
}

/**
 * The sign of a decimal string (-1, 0 or 1) without a decimal.js object: the checks imports run
 * on every row (quantity > 0, price ≥ 0). Throws RangeError naming `what` as toDecimal does.
 */
export function decimalSign(value: string, what = 'value'): -1 | 0 | 1 {
  const normalized = normalizeDecimalString(value, what);
  if (normalized === '0') return 0;
  return normalized.charCodeAt(0) === 45 ? -1 : 1;
}

export function sumDecimals(values: Iterable<DecimalValue>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(toDecimal(v));
  return total;
}

/** Rounds half-to-even to `places` decimal places. */
export function roundTo(value: Decimal, places: number): Decimal {
  return value.toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN);
}

export function minDecimal(a: Decimal, b: Decimal): Decimal {
  return a.lte(b) ? a : b;
}

export function maxDecimal(a: Decimal, b: Decimal): Decimal {
  return a.gte(b) ? a : b;
}
