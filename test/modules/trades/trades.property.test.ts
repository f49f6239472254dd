import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, ZERO, toDecimalString } from '../../../src/lib/decimal.js';
import type { DerivedTrade, ExecutionInput } from '../../../src/modules/trades/trades.domain.js';
import { deriveTrades } from '../../../src/modules/trades/trades.domain.js';

const RUNS = { numRuns: 10_000 };
const BASE_TIME = Date.UTC(2025, 0, 6, 14, 30);

/** A decimal string with at most 4 decimal places, from an integer count of 0.0001. */
const scaled = (min: number, max: number) => fc.integer({ min, max }).map((n) => toDecimalString(new Decimal(n).div(10_000)));

const quantityArb = fc.oneof(fc.integer({ min: 1, max: 500 }).map(String), scaled(1, 5_000_000));
const priceArb = fc.oneof(fc.integer({ min: 1, max: 300 }).map(String), scaled(-50_000, 3_000_000));
const costArb = fc.oneof(fc.constant('0'), scaled(0, 50_000));

const executionArb = fc.record({
  id: fc.uuid(),
  seq: fc.integer({ min: 1, max: 40 }),
  // few distinct instants, so ties on executedAt (and on seq) are common
  executedAt: fc.integer({ min: 0, max: 20 }).map((s) => new Date(BASE_TIME + s * 1000)),
  side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
  quantity: quantityArb,
  price: priceArb,
  commission: costArb,
  fees: costArb,
  // mostly one multiplier per sequence in real life; mixing them checks that each fill uses its own
  multiplier: fc.constantFrom('1', '1', '1', '5', '50', '100', '0.1'),
});

const executionsArb = fc.uniqueArray(executionArb, { minLength: 1, maxLength: 12, selector: (e) => e.id });

const d = (s: string) => new Decimal(s);

function expectConsistent(trades: DerivedTrade[]): void {
  trades.forEach((t, i) => {
    if (t.status === 'closed') {
      expect(t.openQuantity).toBe('0');
      expect(t.costBasis).toBe('0');
    } else {
      expect(i).toBe(trades.length - 1);
    }
  });
}

describe('deriveTrades properties', () => {
  it('conserves money: Σ net P&L − Σ signed open cost basis equals the cash that moved minus all costs, exactly', () => {
    fc.assert(
      fc.property(executionsArb, (executions) => {
        const trades = deriveTrades(executions);
        let left = ZERO;
        for (const t of trades) {
          left = left.plus(d(t.netPnl));
          if (t.status === 'open') left = left.minus(t.side === 'long' ? d(t.costBasis) : d(t.costBasis).negated());
        }
        let right = ZERO;
        for (const e of executions) {
          const value = d(e.price).times(e.quantity).times(e.multiplier);
          right = right.plus(e.side === 'sell' ? value : value.negated()).minus(e.commission).minus(e.fees);
        }
        expect(toDecimalString(left)).toBe(toDecimalString(right));
      }),
      RUNS,
    );
  });

  it('is deterministic: deriving the same executions twice gives identical trades', () => {
    fc.assert(
      fc.property(executionsArb, (executions) => {
        expect(deriveTrades(executions)).toEqual(deriveTrades(executions));
      }),
      RUNS,
    );
  });

  it('ignores input order: any permutation of the executions gives identical trades', () => {
    const arb = executionsArb.chain((executions) =>
      fc.tuple(fc.constant(executions), fc.shuffledSubarray(executions, { minLength: executions.length, maxLength: executions.length })),
    );
    fc.assert(
      fc.property(arb, ([executions, shuffled]) => {
        expect(deriveTrades(shuffled)).toEqual(deriveTrades(executions));
      }),
      RUNS,
    );
  });

  it('accounts for every execution: its fills add up to its quantity and to its commission + fees, exactly', () => {
    fc.assert(
      fc.property(executionsArb, (executions: ExecutionInput[]) => {
        const quantity = new Map<string, Decimal>();
        const fees = new Map<string, Decimal>();
        for (const t of deriveTrades(executions)) {
          for (const f of t.fills) {
            quantity.set(f.executionId, (quantity.get(f.executionId) ?? ZERO).plus(f.quantity));
            fees.set(f.executionId, (fees.get(f.executionId) ?? ZERO).plus(f.fees));
          }
        }
        for (const e of executions) {
          expect(toDecimalString(quantity.get(e.id) ?? ZERO)).toBe(toDecimalString(d(e.quantity)));
          expect(toDecimalString(fees.get(e.id) ?? ZERO)).toBe(toDecimalString(d(e.commission).plus(e.fees)));
        }
      }),
      RUNS,
    );
  });

  it('closed trades are flat with no cost basis, and only the last trade can be open', () => {
    fc.assert(
      fc.property(executionsArb, (executions) => {
        expectConsistent(deriveTrades(executions));
      }),
      RUNS,
    );
  });
});
