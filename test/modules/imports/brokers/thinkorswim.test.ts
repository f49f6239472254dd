import { describe, expect, it } from 'vitest';
import { parseThinkorswimExpiry, thinkorswimAdapter } from '../../../../src/modules/imports/brokers/thinkorswim.js';
import { parseFile } from '../../../../src/modules/imports/parsing/parse-stream.js';
import { execution, NEW_YORK, parseFixture, split } from '../parsing/fixtures.js';

describe('thinkorswim account statement', () => {
  it('is detected from the Account Trade History section title', async () => {
    expect(thinkorswimAdapter.detect([['Account Trade History', '', '']])).toBe(0.95);
    expect(thinkorswimAdapter.detect([['Cash Balance', '']])).toBe(0);
    expect((await parseFixture('thinkorswim', 'ok', 'account-statement.csv')).adapterId).toBe('thinkorswim');
  });

  it('maps only Account Trade History rows: 2-digit years, signed Qty, spread legs sharing the first leg time', async () => {
    const parsed = await parseFixture('thinkorswim', 'ok', 'account-statement.csv');
    expect(parsed.errors).toEqual([]);
    expect(parsed.executions).toEqual([
      execution({ line: 15, executedAt: new Date('2024-01-05T14:31:02Z'), symbol: 'AAPL', assetClass: 'stock', side: 'buy', quantity: '100', price: '185.25' }),
      execution({
        line: 16,
        executedAt: new Date('2024-01-05T15:15:30Z'),
        symbol: 'SPY 19 JAN 24 470 CALL',
        assetClass: 'option',
        side: 'buy',
        quantity: '2',
        price: '3.1',
        underlying: 'SPY',
        expiry: '2024-01-19',
        strike: '470',
        optionRight: 'call',
      }),
      execution({
        line: 17,
        executedAt: new Date('2024-01-05T15:15:30Z'),
        symbol: 'SPY 19 JAN 24 475 CALL',
        assetClass: 'option',
        side: 'sell',
        quantity: '2',
        price: '1.85',
        underlying: 'SPY',
        expiry: '2024-01-19',
        strike: '475',
        optionRight: 'call',
      }),
      execution({ line: 18, executedAt: new Date('2024-01-05T16:00:00Z'), symbol: '/ESH24', assetClass: 'future', side: 'sell', quantity: '1', price: '4750.25' }),
      execution({ line: 19, executedAt: new Date('2024-01-05T20:59:59Z'), symbol: 'AAPL', assetClass: 'stock', side: 'sell', quantity: '100', price: '186.1' }),
    ]);
  });

  it('skips every other section, including the order history with its cancelled orders', async () => {
    const parsed = await parseFixture('thinkorswim', 'ok', 'account-statement.csv');
    const skipped = parsed.skips.map((s) => s.line);
    expect(skipped).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24, 25]);
    expect(parsed.skips).toContainEqual({ line: 10, reason: 'outside Account Trade History' });
    expect(parsed.skips).toContainEqual({ line: 13, reason: 'Account Trade History section title' });
    expect(parsed.skips).toContainEqual({ line: 14, reason: 'header' });
    expect(parsed.skips).toContainEqual({ line: 20, reason: 'blank' });
  });

  it('reports missing price, zero quantity, bad date, unknown side and a Qty sign contradicting the side', async () => {
    const parsed = await parseFixture('thinkorswim', 'not-ok', 'bad-rows.csv');
    expect(parsed.executions).toEqual([]);
    expect(parsed.errors).toEqual([
      { line: 3, column: 'Price', value: '', reason: 'Price is required' },
      { line: 4, column: 'Qty', value: '0', reason: 'quantity must be greater than 0' },
      { line: 5, column: 'Exec Time', value: '13/45/24 09:31', reason: expect.stringContaining('not a valid date') },
      { line: 6, column: 'Side', value: 'HOLD', reason: expect.stringContaining('unknown side "HOLD"') },
      { line: 7, column: 'Qty', value: '+100', reason: 'Qty sign disagrees with Side SELL' },
    ]);
  });

  it('refuses options on futures, whose multiplier the statement does not give', async () => {
    const text = ['Account Trade History,,', ',Exec Time,Spread,Side,Qty,Pos Effect,Symbol,Exp,Strike,Type,Price', ',1/5/24 10:00:00,SINGLE,BUY,+1,TO OPEN,/ESH24,15 MAR 24,4800,CALL,25.5'].join('\n');
    const { results } = await parseFile(text, { broker: 'thinkorswim', timezone: NEW_YORK });
    expect(split('thinkorswim', results).errors).toEqual([
      { line: 3, column: 'Symbol', value: '/ESH24', reason: expect.stringContaining('options on futures are not supported') },
    ]);
  });

  it('reads expiries as "19 JAN 24", "19 JAN 24 (Weeklys)" and "1/19/24"', () => {
    expect(parseThinkorswimExpiry('19 JAN 24')).toBe('2024-01-19');
    expect(parseThinkorswimExpiry('19 JAN 24 (Weeklys)')).toBe('2024-01-19');
    expect(parseThinkorswimExpiry('1/19/24')).toBe('2024-01-19');
    expect(parseThinkorswimExpiry(null)).toBeNull();
  });
});
