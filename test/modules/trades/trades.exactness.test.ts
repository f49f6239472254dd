import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExecutionInput } from '../../../src/modules/trades/trades.domain.js';
import { InvalidExecutionError, deriveTrades } from '../../../src/modules/trades/trades.domain.js';
import { deriveTradesReference } from './derive-reference.js';

const BASE_TIME = Date.UTC(2025, 0, 6, 14, 30);

/** A decimal string as the API accepts it at the extremes: up to 20 integer digits and 12 decimals. */
const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const wideDecimal = fc
  .tuple(digits(1, 20), fc.option(digits(1, 12), { nil: undefined }))
  .map(([int, frac]) => (frac === undefined ? int : `${int}.${frac}`));
const positiveWide = wideDecimal.filter((s) => /[1-9]/.test(s));
const signedWide = fc.tuple(fc.boolean(), wideDecimal).map(([negative, s]) => (negative ? `-${s}` : s));
/** Small everyday values, where decimal places differ between executions (so scales must be aligned). */
const small = fc.tuple(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 0, max: 6 })).map(([n, places]) => {
  const s = String(n).padStart(places + 1, '0');
  return places === 0 ? s : `${s.slice(0, -places)}.${s.slice(-places)}`;
});

const executionArb = (quantity: fc.Arbitrary<string>, price: fc.Arbitrary<string>, cost: fc.Arbitrary<string>, multiplier: fc.Arbitrary<string>) =>
  fc.record({
    id: fc.uuid(),
    seq: fc.integer({ min: 1, max: 40 }),
    executedAt: fc.integer({ min: 0, max: 20 }).map((s) => new Date(BASE_TIME + s * 1000)),
    side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
    quantity,
    price,
    commission: cost,
    fees: cost,
    multiplier,
  });

const sequences = (execution: fc.Arbitrary<ExecutionInput>) => fc.uniqueArray(execution, { minLength: 1, maxLength: 12, selector: (e) => e.id });

describe('deriveTrades exactness (fixed-point on BigInt against the decimal.js formulation)', () => {
  it('gives the same trades, string for string, for values at the limits of what the API accepts', () => {
    fc.assert(
      fc.property(sequences(executionArb(positiveWide, signedWide, signedWide, positiveWide)), (executions) => {
        expect(deriveTrades(executions)).toEqual(deriveTradesReference(executions));
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives the same trades for everyday values whose number of decimal places differs from fill to fill', () => {
    // Few distinct quantities, so positions often return to zero and fills often cross it.
    const quantity = fc.constantFrom('1', '2', '3', '0.5', '1.25', '10', '7');
    const cost = fc.oneof(fc.constant('0'), small, small.map((s) => `-${s}`));
    fc.assert(
      fc.property(sequences(executionArb(quantity, small, cost, fc.constantFrom('1', '5', '50', '100', '0.1', '0.001'))), (executions) => {
        expect(deriveTrades(executions)).toEqual(deriveTradesReference(executions));
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads decimals in every plain spelling: signs, leading and trailing zeros, bare points, surrounding spaces', () => {
    const spell = (value: string) =>
      fc.constantFrom(value, `+${value}`, `00${value}`, value.includes('.') ? `${value}000` : `${value}.`, ` ${value} `, value.includes('.') ? value : `${value}.0`);
    const executionsArb = fc
      .array(fc.tuple(fc.constantFrom<'buy' | 'sell'>('buy', 'sell'), fc.constantFrom('1', '2.5', '4'), fc.constantFrom('10', '9.75', '0.5')), {
        minLength: 1,
        maxLength: 8,
      })
      .chain((rows) =>
        fc.tuple(
          ...rows.map(([side, quantity, price], i) =>
            fc.record({
              id: fc.constant(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
              seq: fc.constant(i + 1),
              executedAt: fc.constant(new Date(BASE_TIME + i * 1000)),
              side: fc.constant(side),
              quantity: spell(quantity),
              price: spell(price),
              commission: spell('0.35'),
              fees: fc.constantFrom('0', '.01', '-0.005'),
              multiplier: spell('1'),
            }),
          ),
        ),
      );
    fc.assert(
      fc.property(executionsArb, (executions) => {
        expect(deriveTrades(executions)).toEqual(deriveTradesReference(executions));
      }),
      { numRuns: 1_000 },
    );
  });

  it('rejects the same executions as before with the same messages, the first bad one in input order', () => {
    const ok: ExecutionInput = {
      id: '00000000-0000-4000-8000-000000000001',
      seq: 1,
      executedAt: new Date(BASE_TIME),
      side: 'buy',
      quantity: '1',
      price: '10',
      commission: '0',
      fees: '0',
      multiplier: '1',
    };
    const bad: Partial<ExecutionInput>[] = [
      { quantity: '-0' },
      { quantity: '0.000' },
      { quantity: '1e3' },
      { quantity: '' },
      { multiplier: '-1' },
      { price: '.' },
      { price: '0x1f' },
      { price: 'Infinity' },
      { commission: '1,5' },
      { fees: '- 1' },
      { side: 'short' as never },
      { executedAt: new Date(Number.NaN) },
    ];
    for (const change of bad) {
      const executions = [ok, { ...ok, id: '00000000-0000-4000-8000-000000000002', seq: 2, ...change }];
      const reference = (() => {
        try {
          deriveTradesReference(executions);
          return null;
        } catch (error) {
          return error as Error;
        }
      })();
      expect(reference).toBeInstanceOf(InvalidExecutionError);
      expect(() => deriveTrades(executions)).toThrow(reference!.message);
    }
  });

  it('a split fee share exactly half-way at the 11th decimal place rounds to the even 10th digit', () => {
    const flip = (commission: string): ExecutionInput[] => [
      { id: '00000000-0000-4000-8000-000000000001', seq: 1, executedAt: new Date(BASE_TIME), side: 'buy', quantity: '1', price: '10', commission: '0', fees: '0', multiplier: '1' },
      { id: '00000000-0000-4000-8000-000000000002', seq: 2, executedAt: new Date(BASE_TIME + 1000), side: 'sell', quantity: '2', price: '11', commission, fees: '0', multiplier: '1' },
    ];
    // 0.0000000001 × 1/2 = 0.00000000005 → the even neighbour 0; the open share keeps all of it.
    const [closedDown, openedDown] = deriveTrades(flip('0.0000000001'));
    expect(closedDown!.fills[1]!.fees).toBe('0');
    expect(openedDown!.fills[0]!.fees).toBe('0.0000000001');
    // 0.0000000003 × 1/2 = 0.00000000015 → the even neighbour 0.0000000002; the open share 0.0000000001.
    const [closedUp, openedUp] = deriveTrades(flip('0.0000000003'));
    expect(closedUp!.fills[1]!.fees).toBe('0.0000000002');
    expect(openedUp!.fills[0]!.fees).toBe('0.0000000001');
    // A rebate rounds the same way, mirrored: −0.0000000003 / 2 → −0.0000000002.
    const [closedRebate] = deriveTrades(flip('-0.0000000003'));
    expect(closedRebate!.fills[1]!.fees).toBe('-0.0000000002');
  });
});
