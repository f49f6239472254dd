import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildDailyAggregates } from '../../../src/modules/trades/trades.repository.js';
import type { AggregateKey } from '../../../src/modules/trades/trades.repository.js';
import { AggregatePlaces } from '../../../src/modules/trades/trades.service.js';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, createUser } from '../../helpers/app.js';
import { createAccount } from '../executions/ledger-helpers.js';
import { importFile, tradesenseCsv } from '../imports/import-helpers.js';

/** Zones with offsets of quarter and half hours, and the extremes (−11, +14). */
const ZONES = ['UTC', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/New_York'];

const localDay = (iso: string, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
const placesIn = (keys: readonly AggregateKey[], timeZone: string) => new Set(keys.map((k) => `${k.accountId}|${k.symbol}|${localDay(k.closedAt, timeZone)}`));

describe('AggregatePlaces', () => {
  it('keeps, in every time zone, exactly the local days of the close times added (a few keys per account, symbol and UTC date)', () => {
    const start = Date.parse('2025-03-01T00:00:00Z');
    const keyArb = fc.record({
      accountId: fc.constantFrom('a1', 'a2'),
      symbol: fc.constantFrom('AAPL', 'MSFT'),
      // Four days at one-minute steps, with microseconds as stored trades print them.
      closedAt: fc.tuple(fc.integer({ min: 0, max: 4 * 1440 }), fc.integer({ min: 0, max: 999_999 })).map(([minute, us]) => {
        const iso = new Date(start + minute * 60_000).toISOString();
        return `${iso.slice(0, 19)}.${String(us).padStart(6, '0')}Z`;
      }),
    });
    fc.assert(
      fc.property(fc.array(keyArb, { minLength: 1, maxLength: 200 }), fc.constantFrom(...ZONES), (keys, zone) => {
        const places = new AggregatePlaces();
        for (const k of keys) places.add(k);
        expect(places.size).toBeLessThanOrEqual(2 * 2 * 5);
        const kept = places.take();
        expect(kept.length).toBeLessThanOrEqual(2 * 2 * 2 * 5);
        expect(placesIn(kept, zone)).toEqual(placesIn(keys, zone));
        expect(places.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('daily aggregates after an import', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  const stored = async (userId: string) => {
    const aggregates = await t.database.db.execute(sql`select * from daily_aggregates where user_id = ${userId} order by account_id, symbol, day`);
    const sequences = await t.database.db.execute(sql`select * from daily_sequences where user_id = ${userId} order by day`);
    return { aggregates: (aggregates as unknown as { rows: unknown[] }).rows, sequences: (sequences as unknown as { rows: unknown[] }).rows };
  };

  it('equal a full rebuild, for round trips closing either side of local midnight, and after a re-import rewrites stored trades', async () => {
    // Kathmandu is UTC+05:45: local midnight is 18:15 UTC.
    const user = await createUser(t, { timezone: 'Asia/Kathmandu' });
    const accountId = await createAccount(t, user);
    const rows: string[][] = [];
    for (const [i, symbol] of ['AAPL', 'MSFT', 'NVDA'].entries()) {
      for (const day of ['2025-03-03', '2025-03-04']) {
        for (const [open, close] of [['18:00:00', '18:10:00'], ['18:12:00', '18:20:00'], ['23:00:00', '23:30:00']]) {
          rows.push(['', `${day}T${open}Z`, symbol, 'stock', 'buy', '10', `${100 + i}`, '1', '0', '']);
          rows.push(['', `${day}T${close}Z`, symbol, 'stock', 'sell', '10', `${101 + i}`, '1', '0', '']);
        }
      }
    }
    const first = await importFile(t, user, { accountId, timezone: 'UTC' }, tradesenseCsv(rows));
    expect(first.status, JSON.stringify(first.failure)).toBe('done');
    const afterFirst = await stored(user.id);
    expect(afterFirst.aggregates.length).toBeGreaterThan(6);
    await t.database.db.transaction((tx) => rebuildDailyAggregates(tx, user.id));
    expect(await stored(user.id)).toEqual(afterFirst);

    // Two fills inside an AAPL round trip rewrite a stored trade in place; a sell at 18:14 UTC closes the MSFT trade that
    // closed at 18:20 (local 03-05) before local midnight instead (03-04), and leaves the 18:20 sell an open short:
    // the stored trade's old day must be refreshed too.
    const more = [
      ['', '2025-03-03T18:05:00Z', 'AAPL', 'stock', 'buy', '5', '100', '1', '0', ''],
      ['', '2025-03-03T18:06:00Z', 'AAPL', 'stock', 'sell', '5', '102', '1', '0', ''],
      ['', '2025-03-04T18:14:00Z', 'MSFT', 'stock', 'sell', '10', '99', '1', '0', ''],
    ];
    const second = await importFile(t, user, { accountId, timezone: 'UTC' }, tradesenseCsv(more));
    expect(second.status, JSON.stringify(second.failure)).toBe('done');
    expect(second.counts.executionsAdded).toBe(3);
    const afterSecond = await stored(user.id);
    expect(afterSecond).not.toEqual(afterFirst);
    await t.database.db.transaction((tx) => rebuildDailyAggregates(tx, user.id));
    expect(await stored(user.id)).toEqual(afterSecond);
  });
});
