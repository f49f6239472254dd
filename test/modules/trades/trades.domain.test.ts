import { describe, expect, it } from 'vitest';
import { resolveInstrument } from '../../../src/modules/instruments/instruments.domain.js';
import type { ExecutionInput } from '../../../src/modules/trades/trades.domain.js';
import { InvalidExecutionError, deriveTrades } from '../../../src/modules/trades/trades.domain.js';

/** Expected numbers in these tests are worked out by hand in the comments next to them. */
let nextSeq = 1;
function exec(
  side: 'buy' | 'sell',
  quantity: string,
  price: string,
  at: string,
  extra: Partial<Omit<ExecutionInput, 'side' | 'quantity' | 'price' | 'executedAt'>> = {},
): ExecutionInput {
  const seq = extra.seq ?? nextSeq++;
  return {
    id: extra.id ?? `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    seq,
    executedAt: new Date(at),
    side,
    quantity,
    price,
    commission: extra.commission ?? '0',
    fees: extra.fees ?? '0',
    multiplier: extra.multiplier ?? '1',
  };
}

describe('deriveTrades', () => {
  it('long scale-in then scale-out: one closed trade, FIFO P&L, averages over all entries and exits', () => {
    const e = [
      exec('buy', '100', '10', '2025-01-06T14:30:00Z'),
      exec('buy', '100', '12', '2025-01-06T14:35:00Z'),
      exec('sell', '50', '13', '2025-01-06T14:40:00Z'),
      exec('sell', '150', '14', '2025-01-06T14:45:00Z'),
    ];
    const trades = deriveTrades(e);
    expect(trades).toHaveLength(1);
    // FIFO: 50@13 vs 10 → +150; 150@14: 50 vs 10 → +200, 100 vs 12 → +200. Total 550.
    expect(trades[0]).toMatchObject({
      firstExecutionId: e[0]!.id,
      side: 'long',
      status: 'closed',
      quantity: '200',
      openQuantity: '0',
      avgEntry: '11', // (1000 + 1200) / 200
      avgExit: '13.75', // (650 + 2100) / 200
      grossPnl: '550',
      fees: '0',
      netPnl: '550',
      costBasis: '0',
      holdSeconds: 900,
      executionCount: 4,
    });
    expect(trades[0]!.openedAt.toISOString()).toBe('2025-01-06T14:30:00.000Z');
    expect(trades[0]!.closedAt?.toISOString()).toBe('2025-01-06T14:45:00.000Z');
    expect(trades[0]!.fills.map((f) => [f.executionId, f.quantity, f.role])).toEqual([
      [e[0]!.id, '100', 'open'],
      [e[1]!.id, '100', 'open'],
      [e[2]!.id, '50', 'close'],
      [e[3]!.id, '150', 'close'],
    ]);
  });

  it('short with partial covers: P&L flips sign, FIFO across two lots, average exit rounded to 10 places', () => {
    const e = [
      exec('sell', '200', '50', '2025-01-07T15:00:00Z', { commission: '1' }),
      exec('sell', '100', '53', '2025-01-07T15:01:00Z', { commission: '1' }),
      exec('buy', '100', '48', '2025-01-07T15:02:00Z', { commission: '1' }),
      exec('buy', '200', '49', '2025-01-07T15:03:00Z', { commission: '1' }),
    ];
    const [trade] = deriveTrades(e);
    // 100@48 vs 50 → +200; 200@49: 100 vs 50 → +100, 100 vs 53 → +400. Total 700, fees 4.
    expect(trade).toMatchObject({
      side: 'short',
      status: 'closed',
      quantity: '300',
      avgEntry: '51', // (10000 + 5300) / 300
      avgExit: '48.6666666667', // 14600 / 300 = 48.666…
      grossPnl: '700',
      fees: '4',
      netPnl: '696',
    });
  });

  it('a short partly covered is still open with its realised P&L and the cost basis of the rest', () => {
    const e = [exec('sell', '200', '50', '2025-01-07T15:00:00Z'), exec('buy', '50', '47.5', '2025-01-07T15:05:00Z')];
    const [trade] = deriveTrades(e);
    // (50 − 47.5) × 50 = 125 realised; 150 still short at 50 → basis 7500.
    expect(trade).toMatchObject({ side: 'short', status: 'open', openQuantity: '150', grossPnl: '125', costBasis: '7500' });
  });

  it('a fill that flips long to short closes one trade and opens another, fees split pro rata', () => {
    const e = [
      exec('buy', '100', '20', '2025-01-08T14:30:00Z', { commission: '1' }),
      exec('sell', '300', '22', '2025-01-08T15:00:00Z', { commission: '3', fees: '0.3' }),
    ];
    const trades = deriveTrades(e);
    expect(trades).toHaveLength(2);
    // Sell 300: 100 close the long, 200 open a short. Fees 3.3 → 1.1 to the close, 2.2 to the open.
    expect(trades[0]).toMatchObject({
      firstExecutionId: e[0]!.id,
      side: 'long',
      status: 'closed',
      quantity: '100',
      grossPnl: '200',
      fees: '2.1',
      netPnl: '197.9',
      avgExit: '22',
    });
    expect(trades[0]!.fills).toEqual([
      { executionId: e[0]!.id, quantity: '100', fees: '1', role: 'open' },
      { executionId: e[1]!.id, quantity: '100', fees: '1.1', role: 'close' },
    ]);
    expect(trades[1]).toMatchObject({
      firstExecutionId: e[1]!.id,
      side: 'short',
      status: 'open',
      quantity: '200',
      openQuantity: '200',
      avgEntry: '22',
      avgExit: null,
      grossPnl: '0',
      fees: '2.2',
      netPnl: '-2.2',
      costBasis: '4400',
      closedAt: null,
      holdSeconds: null,
    });
    expect(trades[1]!.fills).toEqual([{ executionId: e[1]!.id, quantity: '200', fees: '2.2', role: 'open' }]);
    expect(trades[1]!.openedAt.toISOString()).toBe('2025-01-08T15:00:00.000Z');
  });

  it('fees of a flipping fill that do not divide evenly: the close share is rounded to 10 places and the shares add up exactly', () => {
    const e = [exec('sell', '1', '10', '2025-01-08T14:30:00Z'), exec('buy', '3', '9', '2025-01-08T14:31:00Z', { commission: '1' })];
    const [closed, opened] = deriveTrades(e);
    // 1/3 of 1 → 0.3333333333 to the close; 0.6666666667 to the open.
    expect(closed!.fills[1]).toEqual({ executionId: e[1]!.id, quantity: '1', fees: '0.3333333333', role: 'close' });
    expect(opened!.fills[0]).toEqual({ executionId: e[1]!.id, quantity: '2', fees: '0.6666666667', role: 'open' });
    expect(opened!.side).toBe('long');
  });

  it('futures: an MES round trip is worth 5 dollars a point', () => {
    const mes = resolveInstrument({ symbol: 'MESZ5', assetClass: 'future' });
    const e = [
      exec('buy', '2', '5000.25', '2025-11-03T14:30:00Z', { multiplier: mes.multiplier, commission: '0.5', fees: '0.37' }),
      exec('sell', '2', '5010.75', '2025-11-03T14:40:00Z', { multiplier: mes.multiplier, commission: '0.5', fees: '0.37' }),
    ];
    const [trade] = deriveTrades(e);
    // 10.5 points × 2 contracts × 5 = 105; fees 2 × 0.87 = 1.74.
    expect(trade).toMatchObject({ grossPnl: '105', fees: '1.74', netPnl: '103.26', avgEntry: '5000.25', avgExit: '5010.75' });
  });

  it('options: one contract controls 100 shares', () => {
    const e = [
      exec('buy', '3', '2.15', '2025-01-10T15:00:00Z', { multiplier: '100', commission: '1.95' }),
      exec('sell', '3', '3.4', '2025-01-10T16:00:00Z', { multiplier: '100', commission: '1.95' }),
    ];
    const [trade] = deriveTrades(e);
    // (3.40 − 2.15) × 3 × 100 = 375; fees 3.90.
    expect(trade).toMatchObject({ grossPnl: '375', fees: '3.9', netPnl: '371.1', avgEntry: '2.15', avgExit: '3.4' });
  });

  it('commission and fees on every fill are all charged to the trade, each fill keeping its own share', () => {
    const e = [
      exec('buy', '100', '10', '2025-01-13T14:30:00Z', { commission: '1', fees: '0.02' }),
      exec('buy', '100', '11', '2025-01-13T14:31:00Z', { commission: '1', fees: '0.03' }),
      exec('sell', '200', '12', '2025-01-13T14:32:00Z', { commission: '2', fees: '0.15' }),
    ];
    const [trade] = deriveTrades(e);
    // gross (12−10)×100 + (12−11)×100 = 300; fees 1.02 + 1.03 + 2.15 = 4.2.
    expect(trade).toMatchObject({ grossPnl: '300', fees: '4.2', netPnl: '295.8' });
    expect(trade!.fills.map((f) => f.fees)).toEqual(['1.02', '1.03', '2.15']);
  });

  it('a swing trade held across days reports its hold time in whole seconds, truncated', () => {
    const e = [exec('buy', '10', '150', '2025-03-03T15:00:00.750Z'), exec('sell', '10', '161.2', '2025-03-07T20:59:59.500Z')];
    const [trade] = deriveTrades(e);
    // 4 d 5 h 59 min 58.75 s = 345600 + 18000 + 3540 + 58.75 → 367198.
    expect(trade).toMatchObject({ status: 'closed', holdSeconds: 367198, grossPnl: '112' });
  });

  it('two identical fills at the same second are both kept', () => {
    const at = '2025-01-14T14:30:00Z';
    const e = [
      exec('buy', '100', '10', at, { id: 'aaaaaaaa-0000-4000-8000-000000000001' }),
      exec('buy', '100', '10', at, { id: 'aaaaaaaa-0000-4000-8000-000000000002' }),
      exec('sell', '200', '11', '2025-01-14T14:35:00Z'),
    ];
    const trades = deriveTrades(e);
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ quantity: '200', executionCount: 3, grossPnl: '200' });
  });

  it('input order does not matter: reversed input gives the same trades as sorted input', () => {
    const e = [
      exec('buy', '100', '20', '2025-01-15T14:30:00Z', { commission: '1' }),
      exec('sell', '150', '21', '2025-01-15T14:40:00Z', { commission: '1.5' }),
      exec('buy', '50', '19', '2025-01-15T14:50:00Z', { commission: '0.5' }),
      exec('buy', '70', '18', '2025-01-16T14:30:00Z', { commission: '0.7' }),
    ];
    expect(deriveTrades([...e].reverse())).toEqual(deriveTrades(e));
  });

  it('executions at the same instant are taken in seq order (the broker order), not array order', () => {
    const at = '2025-01-15T14:30:00Z';
    const buy = exec('buy', '10', '5', at, { seq: 1001 });
    const sell = exec('sell', '10', '6', at, { seq: 1002 });
    const trades = deriveTrades([sell, buy]);
    // buy first → one long trade closed by the sell (+10); sell first would have been a short.
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ side: 'long', status: 'closed', grossPnl: '10', holdSeconds: 0 });
  });

  it('an open trade carries the P&L of its partial exit and the cost basis of the lots still open', () => {
    const e = [
      exec('buy', '100', '10', '2025-01-17T14:30:00Z'),
      exec('buy', '50', '12', '2025-01-17T14:31:00Z'),
      exec('sell', '80', '15', '2025-01-17T14:32:00Z'),
    ];
    const [trade] = deriveTrades(e);
    // (15 − 10) × 80 = 400 realised; left: 20 @ 10 + 50 @ 12 = 800.
    expect(trade).toMatchObject({
      status: 'open',
      quantity: '150',
      openQuantity: '70',
      grossPnl: '400',
      netPnl: '400',
      costBasis: '800',
      avgEntry: '10.6666666667', // 1600 / 150
      avgExit: '15',
      closedAt: null,
      holdSeconds: null,
    });
  });

  it('a breakeven trade has zero gross P&L and loses exactly its fees', () => {
    const e = [
      exec('buy', '10', '100', '2025-01-20T14:30:00Z', { commission: '0.5' }),
      exec('sell', '10', '100', '2025-01-20T14:31:00Z', { commission: '0.5' }),
    ];
    const [trade] = deriveTrades(e);
    expect(trade).toMatchObject({ grossPnl: '0', fees: '1', netPnl: '-1' });
  });

  it('a zero-fee trade has net P&L equal to gross P&L', () => {
    const e = [exec('sell', '5', '40', '2025-01-21T14:30:00Z'), exec('buy', '5', '41.25', '2025-01-21T14:31:00Z')];
    const [trade] = deriveTrades(e);
    // short: (40 − 41.25) × 5 = −6.25
    expect(trade).toMatchObject({ side: 'short', grossPnl: '-6.25', fees: '0', netPnl: '-6.25' });
  });

  it('a position that returns to zero several times gives one trade per round trip, ordered by openedAt', () => {
    const e = [
      exec('buy', '1', '10', '2025-01-22T14:30:00Z'),
      exec('sell', '1', '11', '2025-01-22T14:31:00Z'),
      exec('sell', '2', '12', '2025-01-22T14:32:00Z'),
      exec('buy', '2', '11', '2025-01-22T14:33:00Z'),
      exec('buy', '3', '10', '2025-01-22T14:34:00Z'),
    ];
    const trades = deriveTrades([...e].reverse());
    expect(trades.map((t) => [t.firstExecutionId, t.side, t.status, t.grossPnl])).toEqual([
      [e[0]!.id, 'long', 'closed', '1'],
      [e[2]!.id, 'short', 'closed', '2'],
      [e[4]!.id, 'long', 'open', '0'],
    ]);
  });

  it('negative prices (crude oil, April 2020) are valued like any other price', () => {
    const e = [
      exec('buy', '1', '-37.63', '2020-04-20T18:00:00Z', { multiplier: '1000' }),
      exec('sell', '1', '1.1', '2020-04-21T18:00:00Z', { multiplier: '1000' }),
    ];
    const [trade] = deriveTrades(e);
    // (1.10 − (−37.63)) × 1000 = 38730
    expect(trade).toMatchObject({ grossPnl: '38730', avgEntry: '-37.63' });
  });

  it('no executions give no trades', () => {
    expect(deriveTrades([])).toEqual([]);
  });

  it('rejects an execution whose quantity or multiplier is not positive, or whose numbers are not decimals', () => {
    const ok = exec('buy', '1', '10', '2025-01-23T14:30:00Z');
    expect(() => deriveTrades([{ ...ok, quantity: '0' }])).toThrow(InvalidExecutionError);
    expect(() => deriveTrades([{ ...ok, quantity: '-5' }])).toThrow(/quantity must be > 0/);
    expect(() => deriveTrades([{ ...ok, multiplier: '0' }])).toThrow(/multiplier must be > 0/);
    expect(() => deriveTrades([{ ...ok, price: '1e3' }])).toThrow(/price must be a decimal number/);
    expect(() => deriveTrades([{ ...ok, executedAt: new Date('nope') }])).toThrow(/executedAt/);
  });
});
