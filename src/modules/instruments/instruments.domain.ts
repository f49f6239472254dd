/**
 * What TradeSense assumes about a symbol: its asset class, the multiplier that turns a price move
 * into money, and the key that executions of the same instrument are grouped by. Pure.
 * The rules are written for people in docs/trades.md ("Instruments").
 */
import { normalizeDecimalString, toDecimal } from '../../lib/decimal.js';

/** Kept equal to ASSET_CLASSES in src/db/schema/ledger.ts (a test checks it) so the domain needs no database import. */
export const ASSET_CLASS_VALUES = ['stock', 'option', 'future', 'forex', 'crypto'] as const;
export type AssetClass = (typeof ASSET_CLASS_VALUES)[number];
export type OptionRight = 'call' | 'put';
export type MultiplierSource = 'given' | 'futures_root' | 'option_default' | 'default';

/**
 * Money per 1.00 of quoted price for one contract (CME Group / Cboe contract specs), by root.
 * Grains and livestock are quoted in cents, so their value is per cent.
 */
export const FUTURES_POINT_VALUES: Readonly<Record<string, string>> = Object.freeze({
  // equity indices
  ES: '50',
  MES: '5',
  NQ: '20',
  MNQ: '2',
  YM: '5',
  MYM: '0.5',
  RTY: '50',
  M2K: '5',
  EMD: '100',
  NKD: '5',
  // volatility
  VX: '1000',
  VXM: '100',
  // energy
  CL: '1000',
  MCL: '100',
  QM: '500',
  NG: '10000',
  QG: '2500',
  MNG: '1000',
  RB: '42000',
  HO: '42000',
  // metals
  GC: '100',
  MGC: '10',
  SI: '5000',
  SIL: '1000',
  HG: '25000',
  MHG: '2500',
  PL: '50',
  PA: '100',
  // interest rates
  ZB: '1000',
  UB: '1000',
  ZN: '1000',
  TN: '1000',
  ZF: '1000',
  ZT: '2000',
  SR3: '2500',
  // currencies
  '6E': '125000',
  M6E: '12500',
  '6J': '12500000',
  '6B': '62500',
  M6B: '6250',
  '6A': '100000',
  M6A: '10000',
  '6C': '100000',
  '6S': '125000',
  '6N': '100000',
  '6M': '500000',
  // agriculture (quoted in cents)
  ZC: '50',
  ZS: '50',
  ZW: '50',
  KE: '50',
  ZL: '600',
  ZM: '100',
  HE: '400',
  LE: '400',
  GF: '500',
  // crypto
  BTC: '5',
  MBT: '0.1',
  ETH: '50',
  MET: '0.1',
});

/** Longest first, so MES is tried before ES and SIL before SI. */
const ROOTS_LONGEST_FIRST = Object.keys(FUTURES_POINT_VALUES).sort((a, b) => b.length - a.length || a.localeCompare(b));

const MONTH_CODES = 'FGHJKMNQUVXZ';
const MONTH_NAMES = 'JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC';

/** What may follow a root to name a contract: Z5, Z25, Z2025, " 12-25", " DEC25", " DEC 2025", "1!", "=F". */
const CONTRACT_SUFFIX = new RegExp(
  [
    `[\\s._-]?[${MONTH_CODES}](?:\\d|\\d{2}|\\d{4})`,
    `[\\s._-]?(?:0?[1-9]|1[0-2])[-/.](?:\\d{2}|\\d{4})`,
    `[\\s._-]?(?:${MONTH_NAMES})[\\s._-]?(?:\\d{2}|\\d{4})`,
    `\\d!`,
    `=F`,
  ]
    .map((alternative) => `(?:${alternative})`)
    .join('|'),
);
const CONTRACT_SUFFIX_EXACT = new RegExp(`^(?:${CONTRACT_SUFFIX.source})$`);

/** Trims, upper-cases. */
export function normalizeSymbol(symbol: string): string {
  return symbol.trim().toUpperCase();
}

/** Removes the prefixes platforms put before futures symbols: "/ESZ25" (thinkorswim), "@ES" (TradeStation). */
function stripFuturesPrefix(normalized: string): string {
  return normalized.replace(/^[/@]/, '');
}

function matchRoot(symbol: string, suffixRequired: boolean): string | undefined {
  const s = stripFuturesPrefix(normalizeSymbol(symbol));
  for (const root of ROOTS_LONGEST_FIRST) {
    if (!s.startsWith(root)) continue;
    const rest = s.slice(root.length);
    if (rest === '' ? !suffixRequired : CONTRACT_SUFFIX_EXACT.test(rest)) return root;
  }
  return undefined;
}

/**
 * The known futures root of a symbol: 'ESZ5', 'ESZ25', '/ESZ25', 'ES 12-25', 'ES DEC25' → 'ES';
 * 'MESH6' → 'MES'; a bare root ('ES') is its own root. Unknown → undefined.
 */
export function futuresRoot(symbol: string): string | undefined {
  return matchRoot(symbol, false);
}

export interface InstrumentInput {
  symbol: string;
  assetClass: AssetClass;
  multiplier?: string | null;
  underlying?: string | null;
  /** YYYY-MM-DD */
  expiry?: string | null;
  strike?: string | null;
  optionRight?: OptionRight | null;
}

export interface Instrument {
  /** Trimmed, upper case. */
  symbol: string;
  assetClass: AssetClass;
  /** What executions are grouped into trades by. */
  instrumentKey: string;
  multiplier: string;
  multiplierSource: MultiplierSource;
  root: string | null;
  underlying: string | null;
  expiry: string | null;
  strike: string | null;
  optionRight: OptionRight | null;
}

/** Thrown for an input TradeSense cannot make an instrument of (empty symbol, multiplier not > 0, bad expiry...). */
export class InvalidInstrumentError extends Error {
  override readonly name = 'InvalidInstrumentError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export const OPTION_DEFAULT_MULTIPLIER = '100';

export interface OccOption {
  underlying: string;
  expiry: string;
  strike: string;
  optionRight: OptionRight;
}

/** OCC symbology: root (up to 6, space padded), YYMMDD, C/P, strike × 1000 in 8 digits. */
const OCC_SYMBOL = /^([A-Z][A-Z0-9.]{0,5})\s*(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/;

/** Parses an OCC option symbol such as 'AAPL  250117C00150000'; undefined when it is not one. */
export function parseOccSymbol(symbol: string): OccOption | undefined {
  const m = OCC_SYMBOL.exec(normalizeSymbol(symbol).replace(/^[.]/, ''));
  if (!m) return undefined;
  const [, underlying, yy, mm, dd, right, strike] = m as unknown as [string, string, string, string, string, string, string];
  const expiry = `20${yy}-${mm}-${dd}`;
  if (!isCalendarDate(expiry)) return undefined;
  return {
    underlying,
    expiry,
    strike: normalizeDecimalString(`${strike.slice(0, 5)}.${strike.slice(5)}`),
    optionRight: right === 'C' ? 'call' : 'put',
  };
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

function blankToNull(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function parsePositive(value: string, field: string): string {
  let normalized: string;
  try {
    normalized = normalizeDecimalString(value, field);
  } catch {
    throw new InvalidInstrumentError(field, `${field} must be a decimal number, got "${value}"`);
  }
  if (!toDecimal(normalized).gt(0)) throw new InvalidInstrumentError(field, `${field} must be > 0, got "${value}"`);
  return normalized;
}

/**
 * Resolves what TradeSense assumes about an instrument. A given multiplier (> 0) wins; futures
 * take their root's point value ('1' when the root is unknown); options '100'; others '1'.
 * Option fields missing from the input are taken from an OCC symbol when the symbol is one.
 */
export function resolveInstrument(input: InstrumentInput): Instrument {
  const symbol = normalizeSymbol(input.symbol);
  if (symbol === '') throw new InvalidInstrumentError('symbol', 'symbol must not be empty');
  if (!(ASSET_CLASS_VALUES as readonly string[]).includes(input.assetClass)) {
    throw new InvalidInstrumentError('assetClass', `assetClass must be one of ${ASSET_CLASS_VALUES.join(', ')}`);
  }
  const assetClass = input.assetClass;
  const givenMultiplier = blankToNull(input.multiplier);
  const underlyingInput = blankToNull(input.underlying);
  const expiryInput = blankToNull(input.expiry);
  const strikeInput = blankToNull(input.strike);

  if (expiryInput !== null && !isCalendarDate(expiryInput)) {
    throw new InvalidInstrumentError('expiry', `expiry must be a date YYYY-MM-DD, got "${expiryInput}"`);
  }
  let strike: string | null = null;
  if (strikeInput !== null) {
    try {
      strike = normalizeDecimalString(strikeInput, 'strike');
    } catch {
      throw new InvalidInstrumentError('strike', `strike must be a decimal number, got "${strikeInput}"`);
    }
  }
  let underlying = underlyingInput === null ? null : normalizeSymbol(underlyingInput);
  let expiry = expiryInput;
  let optionRight = input.optionRight ?? null;
  if (optionRight !== null && optionRight !== 'call' && optionRight !== 'put') {
    throw new InvalidInstrumentError('optionRight', 'optionRight must be call or put');
  }

  const root = assetClass === 'future' ? (futuresRoot(symbol) ?? null) : null;

  let multiplier: string;
  let multiplierSource: MultiplierSource;
  if (givenMultiplier !== null) {
    multiplier = parsePositive(givenMultiplier, 'multiplier');
    multiplierSource = 'given';
  } else if (assetClass === 'future' && root !== null) {
    multiplier = FUTURES_POINT_VALUES[root]!;
    multiplierSource = 'futures_root';
  } else if (assetClass === 'option') {
    multiplier = OPTION_DEFAULT_MULTIPLIER;
    multiplierSource = 'option_default';
  } else {
    multiplier = '1';
    multiplierSource = 'default';
  }

  let instrumentKey = symbol;
  if (assetClass === 'option') {
    const occ = parseOccSymbol(symbol);
    if (occ) {
      underlying ??= occ.underlying;
      expiry ??= occ.expiry;
      strike ??= occ.strike;
      optionRight ??= occ.optionRight;
    }
    if (underlying !== null && expiry !== null && strike !== null && optionRight !== null) {
      instrumentKey = `${underlying} ${expiry} ${strike} ${optionRight === 'call' ? 'C' : 'P'}`;
    }
  }

  return { symbol, assetClass, instrumentKey, multiplier, multiplierSource, root, underlying, expiry, strike, optionRight };
}

/** ISO 4217 codes that trade as spot forex pairs. */
const FOREX_CURRENCIES = new Set([
  'USD', 'EUR', 'JPY', 'GBP', 'AUD', 'NZD', 'CAD', 'CHF', 'SEK', 'NOK', 'DKK', 'HKD', 'SGD', 'CNH', 'CNY',
  'MXN', 'ZAR', 'TRY', 'PLN', 'HUF', 'CZK', 'ILS', 'KRW', 'INR', 'BRL', 'RUB', 'THB', 'TWD', 'CLP', 'COP',
  'IDR', 'MYR', 'PHP', 'SAR', 'AED', 'KWD', 'QAR', 'RON', 'ISK', 'XAU', 'XAG',
]);

/** Coins and stablecoins that name a crypto pair even without a separator (BTCUSDT). */
const CRYPTO_ASSETS = new Set([
  'BTC', 'XBT', 'ETH', 'SOL', 'XRP', 'ADA', 'DOGE', 'LTC', 'BCH', 'DOT', 'AVAX', 'LINK', 'MATIC', 'POL', 'BNB',
  'SHIB', 'XLM', 'TRX', 'UNI', 'ATOM', 'ETC', 'NEAR', 'APT', 'ARB', 'OP', 'TON', 'PEPE', 'SUI', 'USDT', 'USDC', 'DAI',
]);
/** Quote currencies of crypto pairs written with a separator: BTC-USD, SOL/USDT, ABC-USD. */
const CRYPTO_QUOTES = ['USDT', 'USDC', 'USD', 'EUR', 'GBP', 'BTC', 'ETH', 'DAI'];

function isForexPair(s: string): boolean {
  const m = /^([A-Z]{3})[/.\-_ ]?([A-Z]{3})$/.exec(s);
  return m !== null && m[1] !== m[2] && FOREX_CURRENCIES.has(m[1]!) && FOREX_CURRENCIES.has(m[2]!);
}

function isCryptoPair(s: string): boolean {
  const separated = /^([A-Z0-9]{2,10})[/\-_]([A-Z]{3,4})$/.exec(s);
  if (separated) return CRYPTO_QUOTES.includes(separated[2]!) && !FOREX_CURRENCIES.has(separated[1]!);
  for (const quote of CRYPTO_QUOTES) {
    if (s.length > quote.length && s.endsWith(quote) && CRYPTO_ASSETS.has(s.slice(0, -quote.length))) return true;
  }
  return false;
}

/**
 * The asset class a bare symbol most likely has. Futures need a contract month, a continuous
 * marker ('ES1!', 'ES=F') or a '/' or '@' prefix: a bare 'ES' or 'CL' is also a stock ticker.
 */
export function guessAssetClass(symbol: string): AssetClass {
  const s = normalizeSymbol(symbol);
  if (parseOccSymbol(s)) return 'option';
  if (isForexPair(s)) return 'forex';
  if (isCryptoPair(s)) return 'crypto';
  if (matchRoot(s, true) !== undefined) return 'future';
  if (/^[/@]/.test(s) && matchRoot(s, false) !== undefined) return 'future';
  return 'stock';
}

export interface InstrumentDescription extends Instrument {
  /**
   * False when TradeSense cannot vouch for the multiplier: a future whose root it does not know
   * (the multiplier falls back to '1' and should be given with the executions).
   */
  known: boolean;
}

/**
 * Answers GET /api/v1/instruments/:symbol: the asset class (guessed when not given), the
 * multiplier TradeSense would use and where it comes from, the futures root and option fields.
 */
export function describeInstrument(symbol: string, assetClass?: AssetClass): InstrumentDescription {
  const cls = assetClass ?? guessAssetClass(symbol);
  const instrument = resolveInstrument({ symbol, assetClass: cls });
  return { ...instrument, known: !(cls === 'future' && instrument.root === null) };
}
