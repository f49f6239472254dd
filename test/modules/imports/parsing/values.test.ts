import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertTimeZone,
  cleanCell,
  parseDateOnly,
  parseDateTimeText,
  parseDecimal,
  parseInstant,
  parseTimeOfDay,
  ValueError,
  zonedTimeToInstant,
} from '../../../../src/modules/imports/parsing/values.js';

const NY = 'America/New_York';

describe('cleanCell', () => {
  it('trims and turns empty or whitespace-only cells into null', () => {
    expect(cleanCell('  AAPL ')).toBe('AAPL');
    expect(cleanCell('   ')).toBeNull();
    expect(cleanCell('')).toBeNull();
    expect(cleanCell(undefined)).toBeNull();
  });
});

describe('parseDecimal', () => {
  it.each([
    ['1,234.50', '1234.5'],
    ['$1,234.50', '1234.5'],
    ['1,234,567', '1234567'],
    ['(12.50)', '-12.5'],
    ['$(6.25)', '-6.25'],
    ['-$12.50', '-12.5'],
    ['$-12.50', '-12.5'],
    ['  100 ', '100'],
    ['+5', '5'],
    ['@12.34', '12.34'],
    ['.5', '0.5'],
    ['0.000', '0'],
    ['-0', '0'],
  ])('reads %j as %s', (raw, expected) => {
    expect(parseDecimal(raw)).toBe(expected);
  });

  it('reads an empty cell as null', () => {
    expect(parseDecimal('')).toBeNull();
    expect(parseDecimal('  ')).toBeNull();
    expect(parseDecimal(null)).toBeNull();
  });

  it.each(['abc', '1,5', '12,34.5', '1e5', '0x1f', '1.2.3', '$', '()', 'Infinity', 'NaN'])('refuses %j rather than guess', (raw) => {
    expect(() => parseDecimal(raw)).toThrow(ValueError);
  });
});

describe('parseTimeOfDay', () => {
  it('reads 24-hour, 12-hour, compact and fractional times', () => {
    expect(parseTimeOfDay('09:31')).toEqual({ hour: 9, minute: 31, second: 0, millisecond: 0 });
    expect(parseTimeOfDay('9:31:02 PM')).toEqual({ hour: 21, minute: 31, second: 2, millisecond: 0 });
    expect(parseTimeOfDay('12:00:00 AM')).toEqual({ hour: 0, minute: 0, second: 0, millisecond: 0 });
    expect(parseTimeOfDay('12:30:00 PM')).toEqual({ hour: 12, minute: 30, second: 0, millisecond: 0 });
    expect(parseTimeOfDay('093102')).toEqual({ hour: 9, minute: 31, second: 2, millisecond: 0 });
    expect(parseTimeOfDay('09:31:02.166')).toEqual({ hour: 9, minute: 31, second: 2, millisecond: 166 });
  });

  it.each(['24:00', '9:60', '13:00 PM', 'noon', '9'])('refuses %j', (raw) => {
    expect(() => parseTimeOfDay(raw)).toThrow(ValueError);
  });
});

describe('parseDateOnly', () => {
  it.each([
    ['2024-01-19', '2024-01-19'],
    ['20240119', '2024-01-19'],
    ['1/19/24', '2024-01-19'],
    ['01/19/2024', '2024-01-19'],
    ['01-19-2024', '2024-01-19'],
    ['2024/01/19', '2024-01-19'],
    ['19 JAN 24', '2024-01-19'],
    ['29-Feb-2024', '2024-02-29'],
  ])('reads %j as %s', (raw, expected) => {
    expect(parseDateOnly(raw)).toBe(expected);
  });

  it.each(['2/30/24', '13/01/2024', '2023-02-29', '19 FOO 24', 'tomorrow', '2024-01-19 10:00'])('refuses %j', (raw) => {
    expect(() => parseDateOnly(raw)).toThrow(ValueError);
  });
});

describe('parseInstant', () => {
  it.each([
    ['2024-01-05T09:31:02-05:00', '2024-01-05T14:31:02.000Z'],
    ['2024-01-05T14:31:02Z', '2024-01-05T14:31:02.000Z'],
    ['2026-06-17 13:29:32.166Z', '2026-06-17T13:29:32.166Z'],
    ['2024-07-01T12:00:00+0200', '2024-07-01T10:00:00.000Z'],
    ['20240105;093102', '2024-01-05T14:31:02.000Z'],
    ['2024-01-05, 09:31:02', '2024-01-05T14:31:02.000Z'],
    ['1/5/24', '2024-01-05T05:00:00.000Z'],
    ['1/5/24 9:31', '2024-01-05T14:31:00.000Z'],
    ['01/05/2024 09:31:02 PM', '2024-01-06T02:31:02.000Z'],
    ['01/05/2024 09:31:02 EST', '2024-01-05T14:31:02.000Z'],
    ['07/05/2024 09:31:02 EDT', '2024-07-05T13:31:02.000Z'],
    ['07/05/2024 09:31:02 ET', '2024-07-05T13:31:02.000Z'],
    ['07/05/2024 08:31:02 CT', '2024-07-05T13:31:02.000Z'],
    ['2024/01/05 09:31:02', '2024-01-05T14:31:02.000Z'],
  ])('reads %j in New York as %s', (raw, expected) => {
    expect(parseInstant(raw, NY)?.toISOString()).toBe(expected);
  });

  it('reads a local time in the zone given: the same text is another instant in Tokyo', () => {
    expect(parseInstant('2024-01-05 09:31:02', 'Asia/Tokyo')?.toISOString()).toBe('2024-01-05T00:31:02.000Z');
  });

  it('lets an explicit offset win over the zone given', () => {
    expect(parseInstant('2024-01-05T09:31:02-05:00', 'Asia/Tokyo')?.toISOString()).toBe('2024-01-05T14:31:02.000Z');
  });

  it('reads 2-digit years as 20xx', () => {
    expect(parseInstant('12/31/99 10:00', 'UTC')?.toISOString()).toBe('2099-12-31T10:00:00.000Z');
  });

  it('is null for an empty cell', () => {
    expect(parseInstant('  ', NY)).toBeNull();
  });

  it.each(['yesterday', '2024-13-01 10:00', '2024-01-05 25:00', '01/05/2024 09:31:02 XST', '2024-01-05 EST', '32/01/2024'])('refuses %j', (raw) => {
    expect(() => parseInstant(raw, NY)).toThrow(ValueError);
  });
  it('reads the export form (ISO 8601 with Z or an offset) as the general date-time reader does, invalid parts included', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const text = fc
      .tuple(fc.integer({ min: 1969, max: 3000 }), two(13), two(32), two(24), two(60), two(60), fc.constantFrom('', '.5', '.25', '.250', '.999'), fc.constantFrom('Z', '+', '-'), two(15), two(60))
      .map(([y, mo, d, h, mi, s, ms, zone, oh, om]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${ms}${zone === 'Z' ? 'Z' : `${zone}${oh}:${om}`}`);
    const general = (value: string) => {
      const { local: l, offsetMinutes } = parseDateTimeText(value);
      return new Date(Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.millisecond) - offsetMinutes! * 60_000).toISOString();
    };
    fc.assert(
      fc.property(text, (value) => {
        let expected: string | undefined;
        try {
          expected = general(value);
        } catch {
          expected = undefined;
        }
        if (expected === undefined) expect(() => parseInstant(value, NY)).toThrow(ValueError);
        else expect(parseInstant(value, NY)?.toISOString()).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('daylight saving time (America/New_York)', () => {
  it('refuses a wall time in the spring-forward gap: 2024-03-10 02:30 never happened', () => {
    expect(() => zonedTimeToInstant({ year: 2024, month: 3, day: 10, hour: 2, minute: 30, second: 0, millisecond: 0 }, NY)).toThrow(/does not exist in America\/New_York/);
  });

  it('reads the minutes either side of the gap with their own offsets', () => {
    expect(parseInstant('2024-03-10 01:59:59', NY)?.toISOString()).toBe('2024-03-10T06:59:59.000Z');
    expect(parseInstant('2024-03-10 03:00:00', NY)?.toISOString()).toBe('2024-03-10T07:00:00.000Z');
  });

  it('reads a wall time in the fall-back overlap as its first (daylight-time) occurrence', () => {
    expect(parseInstant('2024-11-03 01:30:00', NY)?.toISOString()).toBe('2024-11-03T05:30:00.000Z');
  });

  it('reads an overlap time with an explicit offset exactly, so either occurrence can be written', () => {
    expect(parseInstant('2024-11-03T01:30:00-05:00', NY)?.toISOString()).toBe('2024-11-03T06:30:00.000Z');
    expect(parseInstant('11/03/2024 01:30:00 EST', NY)?.toISOString()).toBe('2024-11-03T06:30:00.000Z');
  });

  it('uses standard time after the overlap', () => {
    expect(parseInstant('2024-11-03 02:00:00', NY)?.toISOString()).toBe('2024-11-03T07:00:00.000Z');
  });

  it('handles a zone with a 30-minute shift and one south of the equator', () => {
    expect(parseInstant('2024-01-15 12:00', 'Australia/Lord_Howe')?.toISOString()).toBe('2024-01-15T01:00:00.000Z');
    expect(parseInstant('2024-07-15 12:00', 'Australia/Lord_Howe')?.toISOString()).toBe('2024-07-15T01:30:00.000Z');
  });
});

describe('parseDateTimeText', () => {
  it('returns the wall time and the offset or zone the text names', () => {
    expect(parseDateTimeText('01/05/2024 09:31:02 EST')).toEqual({
      local: { year: 2024, month: 1, day: 5, hour: 9, minute: 31, second: 2, millisecond: 0 },
      offsetMinutes: -300,
      zone: null,
    });
    expect(parseDateTimeText('01/05/2024 09:31 ET').zone).toBe('America/New_York');
  });
});

describe('assertTimeZone', () => {
  it('accepts IANA zones and refuses unknown ones', () => {
    expect(() => assertTimeZone('Europe/Paris')).not.toThrow();
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(RangeError);
    expect(() => assertTimeZone('')).toThrow(RangeError);
  });
});
