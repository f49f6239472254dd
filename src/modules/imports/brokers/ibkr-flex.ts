/**
 * Interactive Brokers Flex Query, CSV output, Trades (or Trade Confirmation executions) section.
 * Columns are IBKR's Flex field names in whatever order the query chose; Date/Time is
 * `YYYYMMDD;HHMMSS` in the query's zone; Quantity is signed; IBCommission is negative for a cost.
 * Handles the optional header/trailer records (BOF/BOA/BOS/EOS/EOA/EOF), the "section code and
 * line descriptor" layout (HEADER,TRNT,... / DATA,TRNT,...), and other sections in the same file.
 */
import type { AssetClass, OptionRight } from '../../instruments/instruments.domain.js';
import {
  absDecimal,
  costFromSigned,
  detectByHeader,
  executionResult,
  finishExecution,
  isNegative,
  mapRow,
  skip,
  sumDecimalStrings,
} from '../parsing/execution.js';
import { HeaderIndex, isBlankRow, normalizeHeader, RowView } from '../parsing/row.js';
import type { BrokerAdapter, RowResult } from '../parsing/types.js';
import { parseDateOnly } from '../parsing/values.js';

const ACCOUNT = ['ClientAccountID', 'AccountId', 'Account'];
const DATE_TIME = ['Date/Time', 'DateTime'];
const PRICE = ['TradePrice', 'Price'];
const COMMISSION = ['IBCommission', 'Commission'];
const CURRENCY = ['CurrencyPrimary', 'Currency'];
const EXEC_ID = ['TradeID', 'IBExecID', 'ExecID'];

/** The columns that make a section a trades section. */
const REQUIRED = ['Symbol', 'Quantity', 'Buy/Sell', PRICE, DATE_TIME, 'AssetClass'] as const;
const OPTIONAL = [ACCOUNT, COMMISSION, CURRENCY, 'Multiplier', 'TradeID', 'UnderlyingSymbol', 'Strike', 'Expiry', 'Put/Call', 'Taxes'] as const;

const ASSET_CLASSES: Readonly<Record<string, AssetClass>> = {
  STK: 'stock',
  ETF: 'stock',
  OPT: 'option',
  FOP: 'option',
  FUT: 'future',
  CASH: 'forex',
  CRYPTO: 'crypto',
};

/** Records of the "header and trailer" layout, and IBKR's notices. */
const CONTROL_RECORDS = new Set(['BOF', 'BOA', 'BOS', 'EOS', 'EOA', 'EOF', 'MSG']);

/** Strips the "section code and line descriptor" prefix (HEADER,TRNT / DATA,TRNT). */
function withoutDescriptor(cells: readonly string[]): readonly string[] {
  const first = cells[0]?.trim().toUpperCase();
  return first === 'HEADER' || first === 'DATA' ? cells.slice(2) : cells;
}

function isTradesHeader(header: HeaderIndex): boolean {
  return header.count(REQUIRED) === REQUIRED.length;
}

/** Every Flex section's header starts with the account column when the query includes it. */
function looksLikeHeader(cells: readonly string[], current: HeaderIndex | undefined): boolean {
  const first = normalizeHeader(cells[0] ?? '');
  if (first === 'clientaccountid' || first === 'accountid') return true;
  return current !== undefined && first === normalizeHeader(current.names[0] ?? '');
}

function mapTrade(row: RowView, timezone: string): RowResult {
  const level = row.text('LevelOfDetail');
  if (level !== null && level.toUpperCase() !== 'EXECUTION') return skip(row.line, `level of detail ${level}`);
  const notes = row.text('Notes/Codes') ?? '';
  const buySell = row.requireText('Buy/Sell').toUpperCase();
  if (notes.split(';').some((code) => code.trim() === 'Ca') || buySell.includes('(CA.)')) return skip(row.line, 'cancelled trade');

  const assetText = row.requireText('AssetClass').toUpperCase();
  const assetClass = ASSET_CLASSES[assetText];
  if (assetClass === undefined) throw row.fail('AssetClass', `unsupported asset class "${assetText}" (supported: ${Object.keys(ASSET_CLASSES).join(', ')})`);

  const quantity = row.requireDecimal('Quantity');
  const side = buySell.startsWith('BUY') ? 'buy' : buySell.startsWith('SELL') ? 'sell' : undefined;
  if (side === undefined) throw row.fail('Buy/Sell', `unknown side "${row.text('Buy/Sell')}" (expected BUY or SELL)`);
  if (!isNegative(quantity) !== (side === 'buy') && quantity !== '0') {
    throw row.fail('Quantity', `quantity sign disagrees with Buy/Sell ${buySell}`);
  }

  const { commission, credit } = costFromSigned(row.decimal(COMMISSION), true);
  const taxes = costFromSigned(row.decimal('Taxes'), true);
  const rightText = row.text('Put/Call')?.toUpperCase() ?? null;
  let optionRight: OptionRight | null = null;
  if (assetClass === 'option') {
    if (rightText === 'C' || rightText === 'CALL') optionRight = 'call';
    else if (rightText === 'P' || rightText === 'PUT') optionRight = 'put';
    else if (rightText !== null) throw row.fail('Put/Call', `unknown option right "${rightText}"`);
  }

  return executionResult(
    finishExecution(
      row,
      {
        accountRef: row.text(ACCOUNT),
        executedAt: row.requireInstant(DATE_TIME, timezone),
        symbol: row.requireText('Symbol'),
        assetClass,
        side,
        quantity: absDecimal(quantity),
        price: row.requireDecimal(PRICE),
        commission,
        fees: sumDecimalStrings([credit, taxes.commission, taxes.credit]),
        multiplier: row.decimal('Multiplier'),
        currency: row.text(CURRENCY),
        brokerExecId: row.text(EXEC_ID),
        underlying: assetClass === 'option' ? row.text('UnderlyingSymbol') : null,
        expiry: assetClass === 'option' || assetClass === 'future' ? row.read('Expiry', parseDateOnly) : null,
        strike: assetClass === 'option' ? row.decimal('Strike') : null,
        optionRight,
      },
      { quantity: 'Quantity', price: PRICE, commission: COMMISSION, multiplier: 'Multiplier', symbol: 'Symbol', strike: 'Strike', expiry: 'Expiry', underlying: 'UnderlyingSymbol', optionRight: 'Put/Call' },
    ),
  );
}

export const ibkrFlexAdapter: BrokerAdapter = {
  id: 'ibkr-flex',
  name: 'Interactive Brokers Flex Query (CSV)',
  description:
    'Flex Query (Activity or Trade Confirmation) in CSV with the Trades/Executions section; Date/Time as YYYYMMDD;HHMMSS read in the chosen timezone.',
  expectedColumns: [
    'ClientAccountID',
    'CurrencyPrimary',
    'AssetClass',
    'Symbol',
    'UnderlyingSymbol',
    'Multiplier',
    'Strike',
    'Expiry',
    'Put/Call',
    'TradeID',
    'Date/Time',
    'Buy/Sell',
    'Quantity',
    'TradePrice',
    'IBCommission',
    'Taxes',
    'LevelOfDetail',
  ],
  detect(rows) {
    return detectByHeader(
      rows.map((r) => [...withoutDescriptor(r)]),
      REQUIRED,
      OPTIONAL,
    );
  },
  createMapper(ctx) {
    let header: HeaderIndex | undefined;
    return (cells, line) => {
      if (isBlankRow(cells)) return [skip(line, 'blank')];
      const first = cells[0]?.trim().toUpperCase() ?? '';
      if (CONTROL_RECORDS.has(first)) return [skip(line, `${first} record`)];
      const isDescriptorHeader = first === 'HEADER';
      const content = withoutDescriptor(cells);
      if (isDescriptorHeader || looksLikeHeader(content, header)) {
        const candidate = new HeaderIndex(content);
        header = isTradesHeader(candidate) ? candidate : undefined;
        return [skip(line, header ? 'header' : 'header of another section')];
      }
      if (header === undefined) {
        const candidate = new HeaderIndex(content);
        if (isTradesHeader(candidate)) {
          header = candidate;
          return [skip(line, 'header')];
        }
        return [skip(line, 'not in a trades section')];
      }
      const view = new RowView(header, content, line);
      return mapRow(line, () => mapTrade(view, ctx.timezone));
    };
  },
};
