import { describe, expect, it } from 'vitest';
import { webullAdapter } from '../../../../src/modules/imports/brokers/webull.js';
import { execution, parseFixture } from '../parsing/fixtures.js';

describe('Webull orders export', () => {
  it('is detected from its header', async () => {
    expect((await parseFixture('webull', 'ok', 'orders.csv')).adapterId).toBe('webull');
    expect(webullAdapter.detect([['Symbol', 'Side', 'Status']])).toBe(0);
  });

  it('maps filled orders at Avg Price; EST/EDT in the file win over the timezone asked for', async () => {
    const parsed = await parseFixture('webull', 'ok', 'orders.csv', 'Asia/Tokyo');
    expect(parsed.errors).toEqual([]);
    expect(parsed.executions).toEqual([
      execution({ line: 2, executedAt: new Date('2024-01-05T14:31:02Z'), symbol: 'AAPL', assetClass: 'stock', side: 'buy', quantity: '100', price: '185.25', currency: 'USD' }),
      execution({ line: 4, executedAt: new Date('2024-01-05T20:59:59Z'), symbol: 'AAPL', assetClass: 'stock', side: 'sell', quantity: '100', price: '186.1', currency: 'USD' }),
      execution({ line: 5, executedAt: new Date('2024-07-01T13:30:01Z'), symbol: 'TSLA', assetClass: 'stock', side: 'sell', quantity: '1000', price: '238.45', currency: 'USD' }),
      execution({
        line: 6,
        executedAt: new Date('2024-01-05T15:00:01Z'),
        symbol: 'AAPL240119C00190000',
        assetClass: 'option',
        side: 'buy',
        quantity: '2',
        price: '3.4',
        currency: 'USD',
        underlying: 'AAPL',
        expiry: '2024-01-19',
        strike: '190',
        optionRight: 'call',
      }),
    ]);
  });

  it('skips cancelled and failed orders and blank trailing lines', async () => {
    const parsed = await parseFixture('webull', 'ok', 'orders.csv');
    expect(parsed.skips).toEqual([
      { line: 1, reason: 'header' },
      { line: 3, reason: 'order cancelled' },
      { line: 7, reason: 'order failed' },
      { line: 8, reason: 'blank' },
      { line: 9, reason: 'blank' },
    ]);
  });

  it('reports missing price, zero quantity, an unknown time zone and unknown side', async () => {
    const parsed = await parseFixture('webull', 'not-ok', 'bad-rows.csv');
    expect(parsed.executions).toEqual([]);
    expect(parsed.errors).toEqual([
      { line: 2, column: 'Avg Price', value: '', reason: 'Avg Price is required' },
      { line: 3, column: 'Filled', value: '0', reason: 'quantity must be greater than 0' },
      { line: 4, column: 'Filled Time', value: '01/05/2024 09:31:02 XST', reason: expect.stringContaining('unknown time zone "XST"') },
      { line: 5, column: 'Side', value: 'Hold', reason: expect.stringContaining('unknown side "Hold"') },
    ]);
  });
});
