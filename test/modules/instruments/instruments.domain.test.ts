import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AssetClass as SchemaAssetClass } from '../../../src/db/schema/ledger.js';
import { ASSET_CLASSES } from '../../../src/db/schema/ledger.js';
import type { AssetClass } from '../../../src/modules/instruments/instruments.domain.js';
import {
  ASSET_CLASS_VALUES,
  FUTURES_POINT_VALUES,
  InvalidInstrumentError,
  describeInstrument,
  futuresRoot,
  parseOccSymbol,
  resolveInstrument,
} from '../../../src/modules/instruments/instruments.domain.js';

describe('asset classes', () => {
  it('are exactly the ones the database stores', () => {
    expect([...ASSET_CLASS_VALUES]).toEqual([...ASSET_CLASSES]);
    expectTypeOf<AssetClass>().toEqualTypeOf<SchemaAssetClass>();
  });
});

describe('futuresRoot', () => {
  it.each([
    ['ESZ5', 'ES'],
    ['ESZ25', 'ES'],
    ['ESZ2025', 'ES'],
    ['/ESZ25', 'ES'],
    ['@ES', 'ES'],
    ['ES 12-25', 'ES'],
    ['ES DEC25', 'ES'],
    ['ES DEC 2025', 'ES'],
    ['es z5', 'ES'],
    ['  esz5 ', 'ES'],
    ['ES1!', 'ES'],
    ['ES=F', 'ES'],
    ['ES', 'ES'],
    ['MESH6', 'MES'],
    ['MNQM2026', 'MNQ'],
    ['NQU5', 'NQ'],
    ['SILN25', 'SIL'],
    ['SIN25', 'SI'],
    ['6EM5', '6E'],
    ['M6EM5', 'M6E'],
    ['MBTF26', 'MBT'],
    ['CLQ5', 'CL'],
    ['MCLQ5', 'MCL'],
  ])('%s → %s', (symbol, root) => {
    expect(futuresRoot(symbol)).toBe(root);
  });

  it.each(['XYZZ5', 'AAPL', 'ESA5', 'ESZ', 'ESZ123', 'ES 13-25', 'ESZ5X', ''])('%s has no known root', (symbol) => {
    expect(futuresRoot(symbol)).toBeUndefined();
  });
});

describe('futures point values', () => {
  it.each([
    ['ES', '50'],
    ['MES', '5'],
    ['NQ', '20'],
    ['MNQ', '2'],
    ['YM', '5'],
    ['MYM', '0.5'],
    ['RTY', '50'],
    ['M2K', '5'],
    ['CL', '1000'],
    ['MCL', '100'],
    ['GC', '100'],
    ['MGC', '10'],
    ['SI', '5000'],
    ['SIL', '1000'],
    ['HG', '25000'],
    ['NG', '10000'],
    ['ZB', '1000'],
    ['ZN', '1000'],
    ['ZF', '1000'],
    ['ZT', '2000'],
    ['6E', '125000'],
    ['6J', '12500000'],
    ['6B', '62500'],
    ['6A', '100000'],
    ['6C', '100000'],
    ['ZC', '50'],
    ['ZS', '50'],
    ['ZW', '50'],
    ['HE', '400'],
    ['LE', '400'],
    ['BTC', '5'],
    ['MBT', '0.1'],
    ['ETH', '50'],
    ['MET', '0.1'],
    ['VX', '1000'],
    ['EMD', '100'],
    ['NKD', '5'],
  ])('%s is worth %s per point', (root, value) => {
    expect(FUTURES_POINT_VALUES[root]).toBe(value);
  });

  it('a futures contract takes its root point value as multiplier, keeping the contract month in its key', () => {
    const dec = resolveInstrument({ symbol: ' esz5 ', assetClass: 'future' });
    expect(dec).toMatchObject({ symbol: 'ESZ5', instrumentKey: 'ESZ5', multiplier: '50', multiplierSource: 'futures_root', root: 'ES' });
    expect(resolveInstrument({ symbol: 'ESH6', assetClass: 'future' }).instrumentKey).not.toBe(dec.instrumentKey);
  });

  it('a futures contract with an unknown root falls back to multiplier 1', () => {
    expect(resolveInstrument({ symbol: 'FDAXZ5', assetClass: 'future' })).toMatchObject({ multiplier: '1', multiplierSource: 'default', root: null });
  });
});

describe('resolveInstrument', () => {
  it('gives stocks, forex and crypto a multiplier of 1 and their symbol as key', () => {
    for (const assetClass of ['stock', 'forex', 'crypto'] as const) {
      expect(resolveInstrument({ symbol: 'abc', assetClass })).toMatchObject({
        symbol: 'ABC',
        instrumentKey: 'ABC',
        multiplier: '1',
        multiplierSource: 'default',
        root: null,
      });
    }
  });

  it('gives options a default multiplier of 100', () => {
    expect(resolveInstrument({ symbol: 'AAPL250117C150', assetClass: 'option' })).toMatchObject({
      multiplier: '100',
      multiplierSource: 'option_default',
    });
  });

  it('a given multiplier wins over every default and is normalised', () => {
    expect(resolveInstrument({ symbol: 'ESZ5', assetClass: 'future', multiplier: '50.000' })).toMatchObject({ multiplier: '50', multiplierSource: 'given' });
    expect(resolveInstrument({ symbol: 'XSP', assetClass: 'option', multiplier: '10' })).toMatchObject({ multiplier: '10', multiplierSource: 'given' });
    expect(resolveInstrument({ symbol: 'MESZ5', assetClass: 'future', multiplier: null })).toMatchObject({ multiplier: '5', multiplierSource: 'futures_root' });
  });

  it('rejects a multiplier that is not a positive decimal', () => {
    for (const multiplier of ['0', '-5', 'abc', '1e2']) {
      expect(() => resolveInstrument({ symbol: 'ESZ5', assetClass: 'future', multiplier })).toThrow(InvalidInstrumentError);
    }
  });

  it('rejects an empty symbol and an expiry that is not a calendar date', () => {
    expect(() => resolveInstrument({ symbol: '  ', assetClass: 'stock' })).toThrow(/symbol must not be empty/);
    expect(() => resolveInstrument({ symbol: 'X', assetClass: 'option', expiry: '2025-02-30' })).toThrow(/expiry/);
  });

  it('keys an option by underlying, expiry, normalised strike and right when they are given', () => {
    const option = resolveInstrument({
      symbol: 'aapl jan17 150 c',
      assetClass: 'option',
      underlying: 'aapl',
      expiry: '2025-01-17',
      strike: '150.00',
      optionRight: 'call',
    });
    expect(option).toMatchObject({ instrumentKey: 'AAPL 2025-01-17 150 C', underlying: 'AAPL', strike: '150', optionRight: 'call' });
    const put = resolveInstrument({ symbol: 'SPY', assetClass: 'option', underlying: 'SPY', expiry: '2025-03-21', strike: '512.5', optionRight: 'put' });
    expect(put.instrumentKey).toBe('SPY 2025-03-21 512.5 P');
  });

  it('takes missing option fields from an OCC symbol, so both spellings of a contract share one key', () => {
    const fromOcc = resolveInstrument({ symbol: 'AAPL  250117C00150000', assetClass: 'option' });
    expect(fromOcc).toMatchObject({
      symbol: 'AAPL  250117C00150000',
      instrumentKey: 'AAPL 2025-01-17 150 C',
      underlying: 'AAPL',
      expiry: '2025-01-17',
      strike: '150',
      optionRight: 'call',
    });
    const fromFields = resolveInstrument({ symbol: 'AAPL', assetClass: 'option', underlying: 'AAPL', expiry: '2025-01-17', strike: '150', optionRight: 'call' });
    expect(fromFields.instrumentKey).toBe(fromOcc.instrumentKey);
  });

  it('keys an option without full details by its symbol', () => {
    expect(resolveInstrument({ symbol: 'aapl jan17 150 c', assetClass: 'option', underlying: 'AAPL' }).instrumentKey).toBe('AAPL JAN17 150 C');
  });
});

describe('parseOccSymbol', () => {
  it.each([
    ['AAPL  250117C00150000', { underlying: 'AAPL', expiry: '2025-01-17', strike: '150', optionRight: 'call' }],
    ['SPXW251219P05925500', { underlying: 'SPXW', expiry: '2025-12-19', strike: '5925.5', optionRight: 'put' }],
    ['F     260116C00012500', { underlying: 'F', expiry: '2026-01-16', strike: '12.5', optionRight: 'call' }],
  ])('%s', (symbol, expected) => {
    expect(parseOccSymbol(symbol)).toEqual(expected);
  });

  it.each(['AAPL', 'AAPL 250117C150', 'AAPL  251317C00150000', 'AAPL  250117X00150000'])('%s is not an OCC symbol', (symbol) => {
    expect(parseOccSymbol(symbol)).toBeUndefined();
  });
});

describe('describeInstrument', () => {
  it.each([
    ['ESZ5', 'future', '50', 'ES'],
    ['MNQM2026', 'future', '2', 'MNQ'],
    ['/CLQ25', 'future', '1000', 'CL'],
    ['ES 12-25', 'future', '50', 'ES'],
    ['AAPL  250117C00150000', 'option', '100', null],
    ['EUR/USD', 'forex', '1', null],
    ['EURUSD', 'forex', '1', null],
    ['usd.jpy', 'forex', '1', null],
    ['BTC-USD', 'crypto', '1', null],
    ['ETH/USDT', 'crypto', '1', null],
    ['BTCUSDT', 'crypto', '1', null],
    ['AAPL', 'stock', '1', null],
    ['BRK-B', 'stock', '1', null],
    // a bare root is also a stock ticker (ES = Eversource Energy): futures need a month, a marker or a prefix
    ['ES', 'stock', '1', null],
    ['/ES', 'future', '50', 'ES'],
  ])('guesses %s is a %s with multiplier %s', (symbol, assetClass, multiplier, root) => {
    expect(describeInstrument(symbol)).toMatchObject({ assetClass, multiplier, root, known: true });
  });

  it('describes an OCC option with its fields', () => {
    expect(describeInstrument('SPY   250321P00512500')).toMatchObject({
      assetClass: 'option',
      multiplierSource: 'option_default',
      underlying: 'SPY',
      expiry: '2025-03-21',
      strike: '512.5',
      optionRight: 'put',
      instrumentKey: 'SPY 2025-03-21 512.5 P',
    });
  });

  it('uses the asset class when given, and says when a future root is unknown', () => {
    expect(describeInstrument('ES', 'future')).toMatchObject({ assetClass: 'future', multiplier: '50', multiplierSource: 'futures_root', known: true });
    expect(describeInstrument('FDAXZ5', 'future')).toMatchObject({ assetClass: 'future', multiplier: '1', multiplierSource: 'default', root: null, known: false });
    expect(describeInstrument('ESZ5', 'stock')).toMatchObject({ assetClass: 'stock', multiplier: '1', root: null, known: true });
  });
});
