import { describe, expect, it } from 'vitest';
import { ibkrActivityAdapter } from '../../../../src/modules/imports/brokers/ibkr-activity.js';
import { execution, parseFixture } from '../parsing/fixtures.js';

describe('Interactive Brokers Activity Statement CSV', () => {
  it('is detected from the Trades header row', async () => {
    expect(ibkrActivityAdapter.detect([['Trades', 'Header', 'DataDiscriminator', 'Asset Category']])).toBe(0.95);
    expect(ibkrActivityAdapter.detect([['Statement', 'Header', 'Field Name', 'Field Value']])).toBe(0.7);
    expect(ibkrActivityAdapter.detect([['Date', 'Time', 'Symbol']])).toBe(0);
    expect((await parseFixture('ibkr-activity', 'ok', 'statement.csv')).adapterId).toBe('ibkr-activity');
  });

  it('maps the Order rows of each asset category; the side comes from the quantity sign', async () => {
    const parsed = await parseFixture('ibkr-activity', 'ok', 'statement.csv');
    expect(parsed.errors).toEqual([]);
    expect(parsed.executions).toEqual([
      execution({
        line: 8,
        executedAt: new Date('2024-01-05T14:31:02Z'),
        symbol: 'AAPL',
        assetClass: 'stock',
        side: 'buy',
        quantity: '1000',
        price: '185.25',
        commission: '5.35',
        currency: 'USD',
      }),
      execution({
        line: 9,
        executedAt: new Date('2024-01-05T20:45:00Z'),
        symbol: 'AAPL',
        assetClass: 'stock',
        side: 'sell',
        quantity: '400',
        price: '186.1',
        commission: '2.1',
        currency: 'USD',
      }),
      execution({
        line: 13,
        executedAt: new Date('2024-01-05T15:00:00Z'),
        symbol: 'AAPL 19JAN24 190 C',
        assetClass: 'option',
        side: 'sell',
        quantity: '2',
        price: '3.4',
        commission: '1.3',
        currency: 'USD',
        underlying: 'AAPL',
        expiry: '2024-01-19',
        strike: '190',
        optionRight: 'call',
      }),
      execution({
        line: 15,
        executedAt: new Date('2024-01-05T15:30:00Z'),
        symbol: 'ESH4',
        assetClass: 'future',
        side: 'buy',
        quantity: '1',
        price: '4750.25',
        commission: '2.25',
        currency: 'USD',
      }),
    ]);
  });

  it('skips other sections, headers, SubTotal/Total, ClosedLot and cancelled rows', async () => {
    const parsed = await parseFixture('ibkr-activity', 'ok', 'statement.csv');
    expect(parsed.skips).toEqual([
      { line: 1, reason: 'Statement section' },
      { line: 2, reason: 'Statement section' },
      { line: 3, reason: 'Statement section' },
      { line: 4, reason: 'Statement section' },
      { line: 5, reason: 'Account Information section' },
      { line: 6, reason: 'Account Information section' },
      { line: 7, reason: 'header' },
      { line: 10, reason: 'SubTotal row' },
      { line: 11, reason: 'Total row' },
      { line: 12, reason: 'header' },
      { line: 14, reason: 'ClosedLot row' },
      { line: 16, reason: 'cancelled trade' },
      { line: 17, reason: 'Total row' },
      { line: 18, reason: 'Financial Instrument Information section' },
      { line: 19, reason: 'Financial Instrument Information section' },
      { line: 20, reason: 'blank' },
    ]);
  });

  it('reports missing price, zero quantity, bad date, unsupported category and a non-numeric quantity (no side column: the sign is the side)', async () => {
    const parsed = await parseFixture('ibkr-activity', 'not-ok', 'bad-rows.csv');
    expect(parsed.executions).toEqual([]);
    expect(parsed.errors).toEqual([
      { line: 2, column: 'T. Price', value: '', reason: 'T. Price is required' },
      { line: 3, column: 'Quantity', value: '0', reason: 'quantity must be greater than 0' },
      { line: 4, column: 'Date/Time', value: '2024-01-05, 25:31:02', reason: expect.stringContaining('is not a date and time') },
      { line: 5, column: 'Asset Category', value: 'Bonds', reason: 'unsupported asset category "Bonds"' },
      { line: 6, column: 'Quantity', value: 'abc', reason: '"abc" is not a number' },
    ]);
  });
});
