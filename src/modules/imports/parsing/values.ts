/**
 * Reading the values broker files write: money and quantities as people format them, dates and
 * times in the brokers' own layouts, local times turned into instants in an IANA zone.
 * Every function either answers exactly or throws ValueError: nothing is guessed.
 */
import { normalizeDecimalString } from '../../../lib/decimal.js';

/** A value that cannot be read; the caller adds the column and line. */
export class ValueError extends Error {
  override readonly name = 'ValueError';
}

/** Trims a cell; an empty (or whitespace-only) cell is null. */
export function cleanCell(raw: string | null | undefined): string | null {
  if (raw === undefined || raw === null) return null;
  const trimmed = raw.trim();
  return trimmed === '' ? null : trimmed;
}

const GROUPED = /^\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;
const PLAIN = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * A decimal as brokers print it: `1,234.50`, `$1,234.50`, `-$12.50`, `$-12.50`, `(12.50)`,
 * `$(12.50)`, `@12.34`, `"  100 "`, `+5`. Empty → null. Returns a plain decimal string ("1234.5").
 * A comma that is not a thousands separator (`1,5`) is refused rather than read as a decimal comma.
 */
export function parseDecimal(raw: string | null | undefined): string | null {
  const value = cleanCell(raw);
  if (value === null) return null;
  let s = value;
  let negative = false;
  // Sign and currency marks may come in either order around the number: -$5, $-5, ($5), $(5).
  for (let guard = 0; guard < 4; guard++) {
    const before = s;
    if (s.startsWith('(') && s.endsWith(')')) {
      s = s.slice(1, -1).trim();
      negative = !negative;
    } else if (s.startsWith('-')) {
      s = s.slice(1).trim();
      negative = !negative;
    } else if (s.startsWith('+')) {
      s = s.slice(1).trim();
    } else if (s.startsWith('$') || s.startsWith('@')) {
      s = s.slice(1).trim();
    }
    if (s === before) break;
  }
  let digits: string;
  if (PLAIN.test(s)) digits = s;
  else if (GROUPED.test(s)) digits = s.replaceAll(',', '');
  else throw new ValueError(`"${value}" is not a number`);
  return normalizeDecimalString(negative ? `-${digits}` : digits);
}

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

export interface DateTimeText {
  local: LocalDateTime;
  /** Minutes east of UTC when the text carries an explicit offset (Z, +02:00, EST). */
  offsetMinutes: number | null;
  /** An IANA zone named by the text (ET → America/New_York), when it names a zone, not an offset. */
  zone: string | null;
}

/** Fixed offsets of the abbreviations US brokers print. EST means UTC−5 even in July: it is read literally. */
const ZONE_OFFSETS: Readonly<Record<string, number>> = {
  Z: 0,
  UTC: 0,
  GMT: 0,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
};
/** Abbreviations that name a zone whose offset depends on the date. */
const ZONE_NAMES: Readonly<Record<string, string>> = {
  ET: 'America/New_York',
  CT: 'America/Chicago',
  MT: 'America/Denver',
  PT: 'America/Los_Angeles',
};

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Two-digit years are 2000–2099: trading records before 2000 are not imported from 2-digit dates. */
function fullYear(text: string): number {
  const n = Number(text);
  return text.length === 2 ? 2000 + n : n;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function checkDate(year: number, month: number, day: number, raw: string): void {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || year < 1970 || year > 2999) {
    throw new ValueError(`"${raw}" is not a valid date`);
  }
}

interface TimeOfDay {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([AaPp][Mm])?$/;
const COMPACT_TIME = /^(\d{2})(\d{2})(\d{2})$/;

/** `9:31`, `09:31:02`, `09:31:02.123`, `9:31:02 PM`, `093102`. */
export function parseTimeOfDay(raw: string): TimeOfDay {
  const s = raw.trim();
  let hour: number;
  let minute: number;
  let second = 0;
  let millisecond = 0;
  const compact = COMPACT_TIME.exec(s);
  const m = compact ? null : TIME.exec(s);
  if (compact) {
    hour = Number(compact[1]);
    minute = Number(compact[2]);
    second = Number(compact[3]);
  } else if (m) {
    hour = Number(m[1]);
    minute = Number(m[2]);
    if (m[3] !== undefined) second = Number(m[3]);
    if (m[4] !== undefined) millisecond = Math.floor(Number(`0.${m[4]}`) * 1000);
    const meridiem = m[5]?.toUpperCase();
    if (meridiem !== undefined) {
      if (hour < 1 || hour > 12) throw new ValueError(`"${raw}" is not a valid time`);
      hour = (hour % 12) + (meridiem === 'PM' ? 12 : 0);
    }
  } else {
    throw new ValueError(`"${raw}" is not a time`);
  }
  if (hour > 23 || minute > 59 || second > 59) throw new ValueError(`"${raw}" is not a valid time`);
  return { hour, minute, second, millisecond };
}

/** Splits a trailing zone marker (`Z`, `+02:00`, `-0500`, `EST`, `ET`) off a date-time text. */
function splitZone(s: string): { rest: string; offsetMinutes: number | null; zone: string | null } {
  // A numeric offset only counts after a time of day, so the dashes of "2024-01-05" stay a date.
  const offset = /^(.*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*([+-])(\d{2}):?(\d{2})$/.exec(s);
  if (offset) {
    const hours = Number(offset[3]);
    const mins = Number(offset[4]);
    if (hours > 14 || mins > 59) throw new ValueError(`"${s}" has an invalid UTC offset`);
    const minutes = hours * 60 + mins;
    return { rest: offset[1]!.trim(), offsetMinutes: offset[2] === '-' ? -minutes : minutes, zone: null };
  }
  const abbr = /^(.*?\d(?:\s*[AaPp][Mm])?)\s*([A-Za-z]{1,4})$/.exec(s);
  if (abbr) {
    const code = abbr[2]!.toUpperCase();
    if (code === 'AM' || code === 'PM') return { rest: s, offsetMinutes: null, zone: null };
    if (code in ZONE_OFFSETS) return { rest: abbr[1]!.trim(), offsetMinutes: ZONE_OFFSETS[code]!, zone: null };
    if (code in ZONE_NAMES) return { rest: abbr[1]!.trim(), offsetMinutes: null, zone: ZONE_NAMES[code]! };
    throw new ValueError(`"${s}" has an unknown time zone "${abbr[2]}"`);
  }
  return { rest: s, offsetMinutes: null, zone: null };
}

interface DateParts {
  year: number;
  month: number;
  day: number;
  /** What follows the date (a time), or ''. */
  rest: string;
}

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+|,\s*)(.*))?$/;
const SLASH_YMD = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?:\s+(.*))?$/;
const US_DATE = /^(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})(?:(?:\s+|,\s*)(.*))?$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})(?:(?:[;\s]\s*|,\s*)(.*))?$/;
const NAMED_MONTH = /^(\d{1,2})[\s-]([A-Za-z]{3})[\s-](\d{4}|\d{2})(?:\s+(.*))?$/;

/** Month-first (US) dates only: brokers here write 01/05/2024 for January 5th; day-first is not read. */
function splitDate(s: string, raw: string): DateParts {
  let m = ISO_DATE.exec(s);
  if (m) return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), rest: m[4] ?? '' };
  m = COMPACT_DATE.exec(s);
  if (m) return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), rest: m[4] ?? '' };
  m = SLASH_YMD.exec(s);
  if (m) return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), rest: m[4] ?? '' };
  m = US_DATE.exec(s);
  if (m) return { year: fullYear(m[4]!), month: Number(m[1]), day: Number(m[3]), rest: m[5] ?? '' };
  m = NAMED_MONTH.exec(s);
  if (m) {
    const month = MONTHS.indexOf(m[2]!.toUpperCase()) + 1;
    if (month === 0) throw new ValueError(`"${raw}" is not a date`);
    return { year: fullYear(m[3]!), month, day: Number(m[1]), rest: m[4] ?? '' };
  }
  throw new ValueError(`"${raw}" is not a date`);
}

/**
 * Reads a date-time as brokers write it: `2024-01-05T09:31:02-05:00`, `2024-01-05 14:31:02.166Z`,
 * `20240105;093102`, `2024-01-05, 09:31:02`, `1/5/24 9:31`, `01/05/2024 09:31:02 AM`,
 * `01/05/2024 09:31:02 EST`, `2024/01/05 09:31:02`. A date alone is midnight.
 */
export function parseDateTimeText(raw: string): DateTimeText {
  const text = raw.trim();
  if (text === '') throw new ValueError('empty date');
  const { rest: body, offsetMinutes, zone } = splitZone(text);
  const date = splitDate(body, raw);
  checkDate(date.year, date.month, date.day, raw);
  let time: TimeOfDay = { hour: 0, minute: 0, second: 0, millisecond: 0 };
  if (date.rest.trim() !== '') {
    try {
      time = parseTimeOfDay(date.rest);
    } catch {
      throw new ValueError(`"${raw}" is not a date and time`);
    }
  } else if (offsetMinutes !== null || zone !== null) {
    throw new ValueError(`"${raw}" has a time zone but no time`);
  }
  return { local: { year: date.year, month: date.month, day: date.day, ...time }, offsetMinutes, zone };
}

/** A calendar date as YYYY-MM-DD: `2024-01-19`, `20240119`, `1/19/24`, `19 JAN 24`, `2024/01/19`. */
export function parseDateOnly(raw: string | null | undefined): string | null {
  const value = cleanCell(raw);
  if (value === null) return null;
  const date = splitDate(value, value);
  if (date.rest.trim() !== '') throw new ValueError(`"${value}" is not a date`);
  checkDate(date.year, date.month, date.day, value);
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws RangeError unless `timeZone` is an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') throw new RangeError('timezone must be an IANA zone name');
  try {
    formatterFor(timeZone);
  } catch {
    throw new RangeError(`unknown timezone "${timeZone}"`);
  }
}

const offsetCache = new Map<string, number>();
const QUARTER_HOUR = 15 * 60 * 1000;

/** Offset of `timeZone` from UTC at instant `epochMs`, in ms (local = utc + offset). */
export function zoneOffsetMs(timeZone: string, epochMs: number): number {
  // Zone transitions fall on quarter hours of UTC, so the offset is constant within one.
  const bucket = Math.floor(epochMs / QUARTER_HOUR);
  const key = `${timeZone}|${bucket}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  const at = bucket * QUARTER_HOUR;
  const parts = formatterFor(timeZone).formatToParts(new Date(at));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = asUtc - at;
  if (offsetCache.size > 50_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

/**
 * The instant a wall-clock time names in `timeZone`. DST: a time in the spring-forward gap
 * (2024-03-10 02:30 in New York) never happened there and is refused; a time in the fall-back
 * overlap (2024-11-03 01:30 happens twice) is the earlier instant, the daylight-time one
 * (Temporal's "compatible" choice for overlaps).
 */
export function zonedTimeToInstant(local: LocalDateTime, timeZone: string): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second, local.millisecond);
  const DAY = 86_400_000;
  const offsets = new Set([zoneOffsetMs(timeZone, wall - DAY), zoneOffsetMs(timeZone, wall + DAY)]);
  const candidates = [...offsets].map((offset) => wall - offset).filter((t) => wall - zoneOffsetMs(timeZone, t) === t);
  if (candidates.length === 0) {
    const shown = `${local.year}-${pad(local.month)}-${pad(local.day)} ${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)}`;
    throw new ValueError(`${shown} does not exist in ${timeZone} (skipped by the daylight-saving change)`);
  }
  return new Date(Math.min(...candidates));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * TradeSense's own export form (`2024-01-05T09:31:02.250-05:00`, `…Z`) read in one match: what
 * parseDateTimeText answers for it, or undefined for anything else, including such a text with
 * an invalid date, time or offset (the general path then names the error).
 */
function isoInstant(value: string): Date | undefined {
  const m = ISO_INSTANT.exec(value);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  const offsetHours = m[8] === undefined ? 0 : Number(m[9]);
  const offsetMins = m[8] === undefined ? 0 : Number(m[10]);
  if (month < 1 || month > 12 || day < 1 || year < 1970 || year > 2999 || (day > 28 && day > daysInMonth(year, month))) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 14 || offsetMins > 59) return undefined;
  const millisecond = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const offset = (offsetHours * 60 + offsetMins) * (m[8] === '-' ? -1 : 1);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offset * 60_000);
}

/** The instant of a date-time text: its own offset or zone wins, else it is read in `timeZone`. */
export function parseInstant(raw: string | null | undefined, timeZone: string): Date | null {
  const value = cleanCell(raw);
  if (value === null) return null;
  const iso = isoInstant(value);
  if (iso !== undefined) return iso;
  const parsed = parseDateTimeText(value);
  if (parsed.offsetMinutes !== null) {
    const l = parsed.local;
    return new Date(Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.millisecond) - parsed.offsetMinutes * 60_000);
  }
  return zonedTimeToInstant(parsed.local, parsed.zone ?? timeZone);
}
