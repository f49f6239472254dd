import { describe, expect, it } from 'vitest';
import { ibkrFlexAdapter } from '../../../../src/modules/imports/brokers/ibkr-flex.js';
import { parseFile } from '../../../../src/modules/imports/parsing/parse-stream.js';
import { execution, NEW_YORK, parseFixture, split } from '../parsing/fixtures.js';

describe('Interactive Brokers Flex Query CSV', () => {
  it('is detected from the trades header, with or without BOF/BOS records', async () => {
    expect((await parseFixture('ibkr-flex', 'ok', 'trades.csv')).adapterId).toBe('ibkr-flex');
    expect(ibkrFlexAdapter.detect([['Symbol', 'Quantity', 'Buy/Sell', 'TradePrice', 'DateTime', 'AssetClass']])).toBeGreaterThanOrEqual(0.6);
    expect(ibkrFlexAdapter.detect([['Symbol', 'Quantity', 'Price']])).toBe(0);
  });

  it('maps stock, option, future and forex executions: signed quantity, negative commission, YYYYMMDD;HHMMSS in the timezone', async () => {
    const parsed = await parseFixture('ibkr-flex', 'ok', 'trades.csv');
    expect(parsed.errors).toEqual([]);
    expect(parsed.executions).toEqual([
      execution({
        line: 5,
        accountRef: 'U1234567',
        executedAt: new Date('2024-01-05T14:31:02Z'),
        symbol: 'AAPL',
        assetClass: 'stock',
        side: 'buy',
        quantity: '100',
        price: '185.25',
        commission: '1',
        multiplier: '1',
        currency: 'USD',
        brokerExecId: '411111111',
      }),
      execution({
        line: 6,
        accountRef: 'U1234567',
        executedAt: new Date('2024-01-05T15:00:00Z'),
        symbol: 'AAPL  240119C00190000',
        assetClass: 'option',
        side: 'sell',
        quantity: '2',
        price: '3.4',
        commission: '1.3',
        multiplier: '100',
        currency: 'USD',
        brokerExecId: '411111112',
        underlying: 'AAPL',
        expiry: '2024-01-19',
        strike: '190',
        optionRight: 'call',
      }),
      execution({
        line: 7,
        accountRef: 'U7654321',
        executedAt: new Date('2024-01-05T15:30:00Z'),
        symbol: 'ESH4',
        assetClass: 'future',
        side: 'buy',
        quantity: '1',
        price: '4750.25',
        commission: '2.25',
        multiplier: '50',
        currency: 'USD',
        brokerExecId: '411111113',
        expiry: '2024-03-15',
      }),
      execution({
        line: 8,
        accountRef: 'U7654321',
        executedAt: new Date('2024-01-05T16:00:00Z'),
        symbol: 'EUR.USD',
        assetClass: 'forex',
        side: 'sell',
        quantity: '20000',
        price: '1.0945',
        commission: '2',
        multiplier: '1',
        currency: 'USD',
        brokerExecId: '411111114',
      }),
      // A positive IBCommission is a credit (kept as a negative fee); Taxes −3.50 is a cost.
      execution({
        line: 11,
        accountRef: 'U1234567',
        executedAt: new Date('2024-01-05T10:00:00Z'),
        symbol: 'VOD',
        assetClass: 'stock',
        side: 'buy',
        quantity: '1000',
        price: '0.7',
        commission: '0',
        fees: '3.25',
        multiplier: '1',
        currency: 'GBP',
        brokerExecId: '411111116',
      }),
    ]);
  });

  it('skips control records, ORDER-level rows, cancelled trades and other sections', async () => {
    const parsed = await parseFixture('ibkr-flex', 'ok', 'trades.csv');
    expect(parsed.skips).toEqual([
      { line: 1, reason: 'BOF record' },
      { line: 2, reason: 'BOA record' },
      { line: 3, reason: 'BOS record' },
      { line: 4, reason: 'header' },
      { line: 9, reason: 'level of detail ORDER' },
      { line: 10, reason: 'cancelled trade' },
      { line: 12, reason: 'EOS record' },
      { line: 13, reason: 'BOS record' },
      { line: 14, reason: 'header of another section' },
      { line: 15, reason: 'not in a trades section' },
      { line: 16, reason: 'EOS record' },
      { line: 17, reason: 'EOA record' },
      { line: 18, reason: 'EOF record' },
      { line: 19, reason: 'blank' },
    ]);
  });

  it('reads the "section code and line descriptor" layout (HEADER,TRNT / DATA,TRNT)', async () => {
    const text = [
      'HEADER,TRNT,ClientAccountID,AssetClass,Symbol,TradeID,DateTime,Buy/Sell,Quantity,TradePrice,IBCommission',
      'DATA,TRNT,U1,STK,MSFT,77,20240105;093000,SELL,-5,370.5,-0.35',
    ].join('\r\n');
    const { adapter, results } = await parseFile(text, { broker: 'auto', timezone: NEW_YORK });
    expect(adapter.id).toBe('ibkr-flex');
    expect(split(adapter.id, results).executions).toEqual([
      execution({
        line: 2,
        accountRef: 'U1',
        executedAt: new Date('2024-01-05T14:30:00Z'),
        symbol: 'MSFT',
        assetClass: 'stock',
        side: 'sell',
        quantity: '5',
        price: '370.5',
        commission: '0.35',
        brokerExecId: '77',
      }),
    ]);
  });

  it('reports missing price, zero quantity, bad date, unknown side, unsupported asset class and a sign that contradicts the side', async () => {
    const parsed = await parseFixture('ibkr-flex', 'not-ok', 'bad-rows.csv');
    expect(parsed.executions).toEqual([]);
    expect(parsed.errors).toEqual([
      { line: 2, column: 'TradePrice', value: '', reason: 'TradePrice is required' },
      { line: 3, column: 'Quantity', value: '0', reason: 'quantity must be greater than 0' },
      { line: 4, column: 'Date/Time', value: '20241305;093102', reason: expect.stringContaining('not a valid date') },
      { line: 5, column: 'Buy/Sell', value: 'HOLD', reason: expect.stringContaining('unknown side "HOLD"') },
      { line: 6, column: 'AssetClass', value: 'BOND', reason: expect.stringContaining('unsupported asset class "BOND"') },
      { line: 7, column: 'Quantity', value: '100', reason: 'quantity sign disagrees with Buy/Sell SELL' },
    ]);
  });
});
