/**
 * Exact fixed-point decimals on BigInt, for hot loops where decimal.js objects cost too much:
 * a value is an integer `units` at a `scale` (value = units / 10^scale). Sums need equal scales;
 * a product's scale is the sum of its factors' scales; division happens only when rounding.
 */

/** A plain decimal number: optional sign, digits, optional fraction. No exponent, no spaces. */
const PLAIN_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

const POWERS: bigint[] = [1n];

/** 10^n as a BigInt (cached). */
export function pow10(n: number): bigint {
  for (let i = POWERS.length; i <= n; i++) POWERS.push(POWERS[i - 1]! * 10n);
  return POWERS[n]!;
}

/**
 * The number of fraction digits of a plain decimal string as written ("1.50" → 2, "7" → 0),
 * surrounding spaces ignored. Throws RangeError naming `what`, with the same message as
 * toDecimal, when it is not a plain decimal number. Allocates nothing for a valid value.
 */
export function decimalScale(value: string, what = 'value'): number {
  const s = value.trim();
  if (!PLAIN_DECIMAL.test(s)) throw new RangeError(`${what} must be a decimal number, got "${value}"`);
  const point = s.indexOf('.');
  return point === -1 ? 0 : s.length - point - 1;
}

/** Whether a plain decimal string (checked by decimalScale) is > 0. */
export function isPositiveDecimal(value: string): boolean {
  const s = value.trim();
  if (s.charCodeAt(0) === 45 /* - */) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 48 && c <= 57) return true;
  }
  return false;
}

/** The units of a plain decimal string (checked by decimalScale) at `scale` ≥ its own scale: exact. */
export function toUnits(value: string, scale: number): bigint {
  const s = value.trim();
  const point = s.indexOf('.');
  const own = point === -1 ? 0 : s.length - point - 1;
  // Short values (the usual case) are read digit by digit into a double, exact below 2^53,
  // which allocates no intermediate strings.
  if (s.length + scale - own <= 15) {
    let units = 0;
    let i = 0;
    const sign = s.charCodeAt(0);
    if (sign === 43 /* + */ || sign === 45 /* - */) i = 1;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c !== 46 /* . */) units = units * 10 + (c - 48);
    }
    for (let k = own; k < scale; k++) units *= 10;
    return BigInt(sign === 45 ? -units : units);
  }
  // "+.5" → "+5", ".5" → "5", "5." → "5": a plain decimal always has a digit.
  const units = BigInt(point === -1 ? s : s.slice(0, point) + s.slice(point + 1));
  return own === scale ? units : units * pow10(scale - own);
}

/** units / 10^scale in plain notation without trailing zeros, never "-0": "1250", "-0.5", "0". */
export function formatUnits(units: bigint, scale: number): string {
  if (units === 0n) return '0';
  const negative = units < 0n;
  let digits = (negative ? -units : units).toString();
  if (scale > 0) {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    let end = digits.length;
    const point = end - scale;
    while (end > point && digits.charCodeAt(end - 1) === 48 /* 0 */) end--;
    digits = end === point ? digits.slice(0, point) : `${digits.slice(0, point)}.${digits.slice(point, end)}`;
  }
  return negative ? `-${digits}` : digits;
}

/** numerator / denominator rounded half-to-even to an integer; denominator > 0. */
export function divRoundHalfEven(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  let quotient = n / denominator;
  const twice = (n - quotient * denominator) * 2n;
  if (twice > denominator || (twice === denominator && (quotient & 1n) === 1n)) quotient += 1n;
  return negative ? -quotient : quotient;
}

