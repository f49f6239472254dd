import { describe, expect, it } from 'vitest';
import { tradesenseAdapter, TRADESENSE_COLUMNS } from '../../../../src/modules/imports/brokers/tradesense.js';
import { parseFile } from '../../../../src/modules/imports/parsing/parse-stream.js';
import { execution, NEW_YORK, parseFixture, split } from '../parsing/fixtures.js';

describe('TradeSense generic CSV', () => {
  it('is detected from its header row', async () => {
    expect(tradesenseAdapter.detect([[...TRADESENSE_COLUMNS]])).toBe(1);
    expect((await parseFixture('tradesense', 'ok', 'executions.csv')).adapterId).toBe('tradesense');
  });

  it('maps every field of each row (BOM, CRLF, thousands separator, $, padded values, no offset read in the timezone)', async () => {
    const parsed = await parseFixture('tradesense', 'ok', 'executions.csv');
    expect(parsed.errors).toEqual([]);
    expect(parsed.executions).toEqual([
      execution({
        line: 2,
        accountRef: 'U1234567',
        executedAt: new Date('2024-01-05T14:31:02.250Z'),
        symbol: 'AAPL',
        assetClass: 'stock',
        side: 'buy',
        quantity: '1000',
        price: '185.25',
        commission: '1',
        fees: '0.05',
        currency: 'USD',
        brokerExecId: 'E-1',
      }),
      execution({
        line: 3,
        accountRef: 'U1234567',
        executedAt: new Date('2024-01-05T15:59:59Z'),
        symbol: 'AAPL  240119C00190000',
        assetClass: 'option',
        side: 'sell',
        quantity: '2',
        price: '3.4',
        commission: '1.3',
        fees: '0.04',
        multiplier: '100',
        currency: 'USD',
        brokerExecId: 'E-2',
        underlying: 'AAPL',
        expiry: '2024-01-19',
        strike: '190',
        optionRight: 'call',
      }),
      execution({
        line: 4,
        executedAt: new Date('2024-07-01T13:30:00Z'),
        symbol: 'ESU4',
        assetClass: 'future',
        side: 'buy',
        quantity: '1',
        price: '5500.25',
        commission: '2.25',
        fees: '1.5',
        currency: 'USD',
      }),
    ]);
  });

  it('skips the header and the blank trailing lines', async () => {
    const parsed = await parseFixture('tradesense', 'ok', 'executions.csv');
    expect(parsed.skips).toEqual([
      { line: 1, reason: 'header' },
      { line: 5, reason: 'blank' },
      { line: 6, reason: 'blank' },
    ]);
  });

  it('reports each bad row with its line, column and value', async () => {
    const parsed = await parseFixture('tradesense', 'not-ok', 'bad-rows.csv');
    expect(parsed.executions).toEqual([]);
    expect(parsed.errors).toEqual([
      { line: 2, column: 'price', value: '', reason: 'price is required' },
      { line: 3, column: 'quantity', value: '0', reason: 'quantity must be greater than 0' },
      { line: 4, column: 'executed_at', value: 'yesterday at 9', reason: expect.stringContaining('is not a date') },
      { line: 5, column: 'side', value: 'hold', reason: expect.stringContaining('unknown side "hold"') },
      { line: 6, column: 'asset_class', value: 'bond', reason: expect.stringContaining('asset_class must be one of') },
      { line: 7, column: 'commission', value: '-1', reason: 'commission must not be negative' },
    ]);
  });

  it('refuses an invalid multiplier, strike or option right against their columns', async () => {
    const header = TRADESENSE_COLUMNS.join(',');
    const text = [
      header,
      'A,2024-01-05T09:31:02Z,ES,future,buy,1,5000,0,0,0,USD,,,,,',
      'A,2024-01-05T09:31:02Z,X,option,buy,1,5,0,0,,USD,,X,2024-01-19,abc,call',
      'A,2024-01-05T09:31:02Z,X,option,buy,1,5,0,0,,USD,,X,2024-01-19,10,maybe',
      'A,2024-01-05T09:31:02Z,X,option,buy,1,5,0,0,,USD,,X,2024-02-30,10,put',
    ].join('\n');
    const { results } = await parseFile(text, { broker: 'tradesense', timezone: NEW_YORK });
    expect(split('tradesense', results).errors).toEqual([
      { line: 2, column: 'multiplier', value: '0', reason: expect.stringContaining('multiplier must be > 0') },
      { line: 3, column: 'strike', value: 'abc', reason: expect.stringContaining('is not a number') },
      { line: 4, column: 'option_right', value: 'maybe', reason: 'option_right must be call or put' },
      { line: 5, column: 'expiry', value: '2024-02-30', reason: expect.stringContaining('not a valid date') },
    ]);
  });

  it('skips the header repeated further down (as files concatenated by hand have it), however it is spaced or cased, and keeps data rows', async () => {
    const header = TRADESENSE_COLUMNS.join(',');
    const row = (account: string, price: string) => `${account},2024-01-05T09:31:02Z,AAPL,stock,buy,1,${price},0,0,,USD,,,,,`;
    const text = [header, row('', '10'), header, row('', '11'), `  ${header.toUpperCase().replace('ACCOUNT', 'Account ')}`, row('account', '12'), row('AccountNumber7', '13')].join('\n');
    const { results } = await parseFile(text, { broker: 'tradesense', timezone: NEW_YORK });
    const parsed = split('tradesense', results);
    expect(parsed.skips).toEqual([
      { line: 1, reason: 'header' },
      { line: 3, reason: 'header' },
      { line: 5, reason: 'header' },
    ]);
    expect(parsed.errors).toEqual([]);
    expect(parsed.executions.map((e) => [e.line, e.accountRef, e.price])).toEqual([
      [2, null, '10'],
      [4, null, '11'],
      [6, 'account', '12'],
      [7, 'AccountNumber7', '13'],
    ]);
  });
});
