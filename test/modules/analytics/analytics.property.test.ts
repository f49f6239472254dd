import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/lib/decimal.js';
import { finishSummary, summarizeTrades } from '../../../src/modules/analytics/analytics.domain.js';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, createUser } from '../../helpers/app.js';
import { addTrade, createAccount, getJson } from './analytics-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const PARTITIONS = ['symbol', 'playbook', 'account', 'side', 'assetClass', 'weekday', 'hour', 'holdTime', 'month'] as const;

const tradeArb = fc.record({
  account: fc.integer({ min: 0, max: 1 }),
  symbol: fc.constantFrom('AAPL', 'MSFT', 'ES'),
  side: fc.constantFrom('long' as const, 'short' as const),
  // Minutes from 2025-01-30 00:00 UTC, so months, weekdays and hours vary; hold 0 to 3 days.
  openMinute: fc.integer({ min: 0, max: 60 * 24 * 5 }),
  holdMinutes: fc.integer({ min: 0, max: 60 * 24 * 3 }),
  entry: fc.integer({ min: 1, max: 200 }),
  exit: fc.integer({ min: 1, max: 200 }),
  quantity: fc.integer({ min: 1, max: 5 }),
});

describe('analytics properties (through the API, on the database)', () => {
  it('summary totals equal the sum of breakdown rows for every dimension that partitions trades, and the SQL summary equals the pure one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(tradeArb, { minLength: 0, maxLength: 6 }), fc.constantFrom('UTC', 'America/New_York'), async (specs, timezone) => {
        const user = await createUser(t, { timezone });
        const accounts = [await createAccount(t, user, 'A'), await createAccount(t, user, 'B')];
        const start = Date.parse('2025-01-30T00:00:00Z');
        for (const [i, s] of specs.entries()) {
          // Distinct instruments per trade, so no two round trips merge into one position.
          const open = new Date(start + s.openMinute * 60_000);
          const close = new Date(open.getTime() + s.holdMinutes * 60_000 + 1000);
          await addTrade(t, user, accounts[s.account]!, {
            symbol: `${s.symbol}${i}`,
            side: s.side,
            openAt: open.toISOString(),
            closeAt: close.toISOString(),
            entry: String(s.entry),
            exit: String(s.exit),
            quantity: String(s.quantity),
          });
        }
        const summary = await getJson(t, user, '/api/v1/analytics/summary');
        expect(summary.tradeCount).toBe(specs.length);
        for (const by of PARTITIONS) {
          const { groups } = await getJson(t, user, `/api/v1/analytics/breakdown?by=${by}`);
          const count = groups.reduce((n: number, g: { tradeCount: number }) => n + g.tradeCount, 0);
          const net = groups.reduce((d: Decimal, g: { netPnl: string }) => d.plus(g.netPnl), new Decimal(0));
          expect(count, by).toBe(summary.tradeCount);
          expect(net.toFixed(2), by).toBe(summary.netPnl);
        }

        const list = await getJson(t, user, '/api/v1/trades?status=closed&limit=500');
        const pure = finishSummary(
          summarizeTrades(
            list.data.map((x: { id: string; closedAt: string; netPnl: string; grossPnl: string; fees: string; holdSeconds: number }) => ({
              id: x.id,
              closedAt: new Date(x.closedAt),
              netPnl: x.netPnl,
              grossPnl: x.grossPnl,
              fees: x.fees,
              holdSeconds: x.holdSeconds,
              risk: null,
            })),
            { timezone, breakevenTolerance: '0' },
          ),
          null,
        );
        const { confidence: _confidence, sharpe, sortino, ...rest } = summary;
        const { confidence: _none, sharpe: pureSharpe, sortino: pureSortino, ...pureRest } = pure;
        expect(rest).toEqual(pureRest);
        // Float aggregates of the two engines may differ in the last place.
        for (const [a, b] of [
          [sharpe, pureSharpe],
          [sortino, pureSortino],
        ]) {
          if (b === null) expect(a).toBeNull();
          else expect(a).toBeCloseTo(b as number, 4);
        }
      }),
      { numRuns: 8 },
    );
  });
});
