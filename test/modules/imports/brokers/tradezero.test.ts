import { describe, expect, it } from 'vitest';
import { tradezeroAdapter } from '../../../../src/modules/imports/brokers/tradezero.js';
import { execution, parseFixture } from '../parsing/fixtures.js';

describe('TradeZero trades export', () => {
  it('is detected from its header', async () => {
    expect((await parseFixture('tradezero', 'ok', 'trades.csv')).adapterId).toBe('tradezero');
    expect(tradezeroAdapter.detect([['Side', 'Symbol', 'Qty', 'Price']])).toBe(0);
  });

  it('maps side codes SS/BC/B/S and sums the fee columns (a negative ECN Add is a rebate)', async () => {
    const parsed = await parseFixture('tradezero', 'ok', 'trades.csv');
    expect(parsed.errors).toEqual([]);
    const common = { accountRef: 'TZP12345', assetClass: 'stock' as const, currency: 'USD' };
    expect(parsed.executions).toEqual([
      // fees 0.06 + 0.01 + 0 + 0 + 0.15 + 0
      execution({ ...common, line: 2, executedAt: new Date('2024-01-05T14:47:59Z'), symbol: 'RBLX', side: 'sell', quantity: '50', price: '49.88', commission: '0.99', fees: '0.22' }),
      // ECN Add (0.10)
      execution({ ...common, line: 3, executedAt: new Date('2024-01-05T14:48:22Z'), symbol: 'RBLX', side: 'buy', quantity: '50', price: '49.65', commission: '0.99', fees: '-0.1' }),
      // 0.02 + 0.01 + 3.00
      execution({ ...common, line: 4, executedAt: new Date('2024-01-05T15:09:21Z'), symbol: 'SQ', side: 'buy', quantity: '1000', price: '82.07', commission: '4.95', fees: '3.03' }),
      // 2.28 + 0.17 + 0.02 + 0.01 + 0 − 2.00
      execution({ ...common, line: 5, executedAt: new Date('2024-01-05T15:09:51Z'), symbol: 'SQ', side: 'sell', quantity: '1000', price: '81.82', commission: '4.95', fees: '0.48' }),
    ]);
    expect(parsed.skips).toEqual([
      { line: 1, reason: 'header' },
      { line: 6, reason: 'blank' },
    ]);
  });

  it('reports missing price, zero quantity, bad date, unknown side code and a time in the DST gap', async () => {
    const parsed = await parseFixture('tradezero', 'not-ok', 'bad-rows.csv');
    expect(parsed.executions).toEqual([]);
    expect(parsed.errors).toEqual([
      { line: 2, column: 'Price', value: '', reason: 'Price is required' },
      { line: 3, column: 'Qty', value: '0', reason: 'quantity must be greater than 0' },
      { line: 4, column: 'T/D', value: '13/45/2024', reason: expect.stringContaining('not a valid date') },
      { line: 5, column: 'Side', value: 'X', reason: expect.stringContaining('unknown side "X"') },
      { line: 6, column: 'Exec Time', value: '02:30:00', reason: expect.stringContaining('does not exist in America/New_York') },
    ]);
  });
});
