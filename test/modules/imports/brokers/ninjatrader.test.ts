import { describe, expect, it } from 'vitest';
import { ninjatraderAdapter } from '../../../../src/modules/imports/brokers/ninjatrader.js';
import { execution, parseFixture } from '../parsing/fixtures.js';

describe('NinjaTrader 8 executions grid', () => {
  it('is detected from the grid header (trailing comma and all)', async () => {
    expect((await parseFixture('ninjatrader', 'ok', 'executions.csv')).adapterId).toBe('ninjatrader');
    expect(ninjatraderAdapter.detect([['Instrument', 'Action', 'Quantity', 'Price']])).toBe(0);
  });

  it('maps each execution: 12-hour times in the timezone, $ commissions, SellShort/BuyToCover, futures names with an expiry', async () => {
    const parsed = await parseFixture('ninjatrader', 'ok', 'executions.csv');
    expect(parsed.errors).toEqual([]);
    expect(parsed.executions).toEqual([
      execution({
        line: 2,
        accountRef: 'Sim101',
        executedAt: new Date('2024-11-15T14:31:02Z'),
        symbol: 'ES 12-24',
        assetClass: 'future',
        side: 'buy',
        quantity: '2',
        price: '6050.25',
        commission: '4.3',
        brokerExecId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      }),
      execution({
        line: 3,
        accountRef: 'Sim101',
        executedAt: new Date('2024-11-15T14:45:10Z'),
        symbol: 'ES 12-24',
        assetClass: 'future',
        side: 'sell',
        quantity: '2',
        price: '6055.5',
        commission: '4.3',
        brokerExecId: 'b1b2c3d4e5f60718293a4b5c6d7e8f90',
      }),
      execution({
        line: 4,
        accountRef: 'APEX-001',
        executedAt: new Date('2024-11-15T18:05:00Z'),
        symbol: 'MNQ DEC24',
        assetClass: 'future',
        side: 'sell',
        quantity: '1',
        price: '20800.75',
        commission: '0.52',
        brokerExecId: 'c1b2c3d4e5f60718293a4b5c6d7e8f90',
      }),
      execution({
        line: 5,
        accountRef: 'APEX-001',
        executedAt: new Date('2024-11-15T18:20:30Z'),
        symbol: 'MNQ DEC24',
        assetClass: 'future',
        side: 'buy',
        quantity: '1',
        price: '20790.25',
        commission: '0.52',
        brokerExecId: 'd1b2c3d4e5f60718293a4b5c6d7e8f90',
      }),
    ]);
    expect(parsed.skips).toEqual([
      { line: 1, reason: 'header' },
      { line: 6, reason: 'blank' },
    ]);
  });

  it('reports missing price, zero quantity, impossible date, unknown action and an unreadable commission', async () => {
    const parsed = await parseFixture('ninjatrader', 'not-ok', 'bad-rows.csv');
    expect(parsed.executions).toEqual([]);
    expect(parsed.errors).toEqual([
      { line: 2, column: 'Price', value: '', reason: 'Price is required' },
      { line: 3, column: 'Quantity', value: '0', reason: 'quantity must be greater than 0' },
      { line: 4, column: 'Time', value: '11/31/2024 9:31:02 AM', reason: expect.stringContaining('not a valid date') },
      { line: 5, column: 'Action', value: 'Hold', reason: expect.stringContaining('unknown side "Hold"') },
      { line: 6, column: 'Commission', value: '$(4.30)x', reason: expect.stringContaining('is not a number') },
    ]);
  });
});
