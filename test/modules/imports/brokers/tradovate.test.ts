import { describe, expect, it } from 'vitest';
import { tradovateAdapter } from '../../../../src/modules/imports/brokers/tradovate.js';
import { execution, parseFixture } from '../parsing/fixtures.js';

describe('Tradovate Orders and Fills reports', () => {
  it('detects both reports', async () => {
    expect((await parseFixture('tradovate', 'ok', 'orders.csv')).adapterId).toBe('tradovate');
    expect((await parseFixture('tradovate', 'ok', 'fills.csv')).adapterId).toBe('tradovate');
    expect(tradovateAdapter.detect([['B/S', 'Contract', 'Product']])).toBe(0);
  });

  it('maps filled orders at their average fill price, reading Fill Time in the timezone and trimming " Buy"', async () => {
    const parsed = await parseFixture('tradovate', 'ok', 'orders.csv');
    expect(parsed.errors).toEqual([]);
    expect(parsed.executions).toEqual([
      execution({
        line: 2,
        accountRef: 'DEMO123456',
        executedAt: new Date('2026-06-10T20:00:05Z'),
        symbol: 'MNQM6',
        assetClass: 'future',
        side: 'buy',
        quantity: '5',
        price: '28531.75',
        currency: 'USD',
        brokerExecId: '537862110004',
      }),
      execution({
        line: 4,
        accountRef: 'DEMO123456',
        executedAt: new Date('2026-06-10T20:05:10Z'),
        symbol: 'MNQM6',
        assetClass: 'future',
        side: 'sell',
        quantity: '5',
        price: '28540.25',
        currency: 'USD',
        brokerExecId: '537862110040',
      }),
    ]);
    expect(parsed.skips).toEqual([
      { line: 1, reason: 'header' },
      { line: 3, reason: 'order canceled' },
      { line: 5, reason: 'blank' },
      { line: 6, reason: 'blank' },
      { line: 7, reason: 'blank' },
    ]);
  });

  it('maps fills with their commission and the UTC _timestamp, whatever the timezone asked for', async () => {
    const parsed = await parseFixture('tradovate', 'ok', 'fills.csv', 'Asia/Tokyo');
    expect(parsed.errors).toEqual([]);
    expect(parsed.executions).toEqual([
      execution({
        line: 2,
        accountRef: 'DEMO123456',
        executedAt: new Date('2026-06-17T13:29:32.166Z'),
        symbol: 'MESU6',
        assetClass: 'future',
        side: 'buy',
        quantity: '1',
        price: '7594.75',
        commission: '0.5',
        brokerExecId: '509681603418',
      }),
      execution({
        line: 3,
        accountRef: 'DEMO123456',
        executedAt: new Date('2026-06-17T13:30:01.742Z'),
        symbol: 'MESU6',
        assetClass: 'future',
        side: 'sell',
        quantity: '1',
        price: '7591.75',
        commission: '0.5',
        brokerExecId: '509681603431',
      }),
    ]);
    expect(parsed.skips).toContainEqual({ line: 4, reason: 'inactive (busted) fill' });
  });

  it('reports missing price, zero quantity, bad local timestamp and unknown side', async () => {
    const parsed = await parseFixture('tradovate', 'not-ok', 'bad-fills.csv');
    expect(parsed.executions).toEqual([]);
    expect(parsed.errors).toEqual([
      { line: 2, column: 'Price', value: '', reason: 'Price is required' },
      { line: 3, column: 'Quantity', value: '0', reason: 'quantity must be greater than 0' },
      { line: 4, column: 'Timestamp', value: '06/17/2026 29:29:33', reason: expect.stringContaining('not a date and time') },
      { line: 5, column: 'B/S', value: ' Hold', reason: expect.stringContaining('unknown side "Hold"') },
    ]);
  });
});
