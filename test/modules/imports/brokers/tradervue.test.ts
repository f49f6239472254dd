import { describe, expect, it } from 'vitest';
import { tradervueAdapter } from '../../../../src/modules/imports/brokers/tradervue.js';
import { execution, parseFixture } from '../parsing/fixtures.js';

describe('Tradervue generic import format', () => {
  it('is detected from Date, Time, Symbol, Quantity, Price', async () => {
    expect((await parseFixture('tradervue', 'ok', 'executions.csv')).adapterId).toBe('tradervue');
    expect(tradervueAdapter.detect([['Date', 'Time', 'Symbol', 'Quantity', 'Price', 'Side', 'Commission', 'TransFee', 'ECNFee']])).toBe(1);
    expect(tradervueAdapter.detect([['Date', 'Symbol', 'Quantity', 'Price']])).toBe(0);
  });

  it('maps each documented date layout, side word, fee column and futures/forex symbol', async () => {
    const parsed = await parseFixture('tradervue', 'ok', 'executions.csv');
    expect(parsed.errors).toEqual([]);
    expect(parsed.executions).toEqual([
      execution({ line: 2, executedAt: new Date('2024-01-17T14:35:05Z'), symbol: 'SPY', assetClass: 'stock', side: 'buy', quantity: '100', price: '475.52', commission: '1', fees: '0.32' }),
      execution({ line: 3, executedAt: new Date('2024-01-17T19:41:15Z'), symbol: 'SPY', assetClass: 'stock', side: 'sell', quantity: '100', price: '476.89', commission: '1', fees: '-0.15' }),
      execution({ line: 4, executedAt: new Date('2024-01-18T15:00:00Z'), symbol: 'ES DEC 24', assetClass: 'future', side: 'buy', quantity: '1', price: '4800.25', commission: '2.25', fees: '1.2' }),
      execution({ line: 5, executedAt: new Date('2024-01-18T15:30:00Z'), symbol: 'ES 12.24', assetClass: 'future', side: 'sell', quantity: '1', price: '4810', commission: '2.25', fees: '1.2' }),
      execution({ line: 6, executedAt: new Date('2024-01-19T16:00:00Z'), symbol: 'EURUSD', assetClass: 'forex', side: 'sell', quantity: '10000', price: '1.095' }),
    ]);
    expect(parsed.skips).toEqual([
      { line: 1, reason: 'header' },
      { line: 7, reason: 'blank' },
    ]);
  });

  it('reads a tab-separated file without a Side column, a negative quantity being a sell', async () => {
    const parsed = await parseFixture('tradervue', 'ok', 'tab-separated.csv');
    expect(parsed.executions).toEqual([
      execution({ line: 2, executedAt: new Date('2011-01-17T16:35:05Z'), symbol: 'SPY', assetClass: 'stock', side: 'buy', quantity: '100', price: '125.52' }),
      execution({ line: 3, executedAt: new Date('2011-01-17T19:41:15Z'), symbol: 'SPY', assetClass: 'stock', side: 'sell', quantity: '100', price: '125.89' }),
    ]);
  });

  it('reports missing price, zero quantity, a day-first date, unknown side and a bad time', async () => {
    const parsed = await parseFixture('tradervue', 'not-ok', 'bad-rows.csv');
    expect(parsed.executions).toEqual([]);
    expect(parsed.errors).toEqual([
      { line: 2, column: 'Price', value: '', reason: 'Price is required' },
      { line: 3, column: 'Quantity', value: '0', reason: 'quantity must be greater than 0' },
      { line: 4, column: 'Date', value: '17/01/2024', reason: expect.stringContaining('not a valid date') },
      { line: 5, column: 'Side', value: 'Hold', reason: expect.stringContaining('unknown side "Hold"') },
      { line: 6, column: 'Time', value: '9:35 later', reason: expect.stringContaining('is not a time') },
    ]);
  });
});
