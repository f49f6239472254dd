/**
 * Interactive Brokers Activity Statement exported as CSV: many sections in one file, each row
 * `Section,RowType,fields...`. Only the Trades section's `Order` rows are executions; `SubTotal`,
 * `Total`, `ClosedLot` rows and every other section are skipped. The header may repeat per asset
 * category with different columns, so each data row is read through the latest Trades header.
 */
import type { AssetClass, OptionRight } from '../../instruments/instruments.domain.js';
import { absDecimal, costFromSigned, executionResult, finishExecution, isNegative, mapRow, skip } from '../parsing/execution.js';
import { HeaderIndex, isBlankRow, RowView } from '../parsing/row.js';
import type { BrokerAdapter, RowResult } from '../parsing/types.js';
import { parseDateOnly } from '../parsing/values.js';

const COMMISSION = ['Comm/Fee', 'Comm in USD', 'Commission'];
const PRICE = ['T. Price', 'TradePrice', 'Price'];

const CATEGORIES: Readonly<Record<string, AssetClass>> = {
  STOCKS: 'stock',
  'EQUITY AND INDEX OPTIONS': 'option',
  'OPTIONS ON FUTURES': 'option',
  FUTURES: 'future',
  FOREX: 'forex',
  CRYPTO: 'crypto',
  CRYPTOCURRENCY: 'crypto',
};

/** IBKR's option description: `AAPL 19JAN24 150 C`. */
const OPTION_DESCRIPTION = /^(\S+)\s+(\d{1,2}[A-Z]{3}\d{2})\s+(\d+(?:\.\d+)?)\s+([CP])$/i;

function mapOrder(row: RowView, timezone: string): RowResult {
  const code = row.text('Code') ?? '';
  if (code.split(/[;,\s]+/).some((c) => c === 'Ca')) return skip(row.line, 'cancelled trade');

  const category = row.requireText('Asset Category');
  const assetClass = CATEGORIES[category.toUpperCase()];
  if (assetClass === undefined) throw row.fail('Asset Category', `unsupported asset category "${category}"`);

  const quantity = row.requireDecimal('Quantity');
  const symbol = row.requireText('Symbol');
  let underlying: string | null = null;
  let expiry: string | null = null;
  let strike: string | null = null;
  let optionRight: OptionRight | null = null;
  if (assetClass === 'option') {
    const m = OPTION_DESCRIPTION.exec(symbol);
    if (m) {
      underlying = m[1]!;
      expiry = row.read('Symbol', () => parseDateOnly(m[2]!.replace(/^(\d{1,2})([A-Z]{3})(\d{2})$/i, '$1 $2 $3')));
      strike = m[3]!;
      optionRight = m[4]!.toUpperCase() === 'C' ? 'call' : 'put';
    }
  }
  const { commission, credit } = costFromSigned(row.decimal(COMMISSION), true);

  return executionResult(
    finishExecution(
      row,
      {
        accountRef: row.text('Account'),
        executedAt: row.requireInstant('Date/Time', timezone),
        symbol,
        assetClass,
        side: isNegative(quantity) ? 'sell' : 'buy',
        quantity: absDecimal(quantity),
        price: row.requireDecimal(PRICE),
        commission,
        fees: credit,
        multiplier: null,
        currency: row.text('Currency'),
        brokerExecId: null,
        underlying,
        expiry,
        strike,
        optionRight,
      },
      { quantity: 'Quantity', price: PRICE, commission: COMMISSION, symbol: 'Symbol', expiry: 'Symbol', strike: 'Symbol' },
    ),
  );
}

export const ibkrActivityAdapter: BrokerAdapter = {
  id: 'ibkr-activity',
  name: 'Interactive Brokers Activity Statement (CSV)',
  description:
    'The Activity Statement downloaded as CSV; executions come from the Trades section ("Trades,Data,Order,..." rows), times read in the chosen timezone.',
  expectedColumns: ['Trades', 'Header', 'DataDiscriminator', 'Asset Category', 'Currency', 'Account', 'Symbol', 'Date/Time', 'Quantity', 'T. Price', 'Comm/Fee', 'Code'],
  detect(rows) {
    let statement = false;
    for (const row of rows) {
      const section = row[0]?.trim();
      const kind = row[1]?.trim();
      if (section === 'Trades' && kind === 'Header' && row[2]?.trim() === 'DataDiscriminator') return 0.95;
      if (kind === 'Header' && (section === 'Statement' || section === 'Account Information')) statement = true;
    }
    // A statement whose Trades section lies beyond the first rows.
    return statement ? 0.7 : 0;
  },
  createMapper(ctx) {
    let header: HeaderIndex | undefined;
    return (cells, line) => {
      if (isBlankRow(cells)) return [skip(line, 'blank')];
      const section = cells[0]?.trim();
      const kind = cells[1]?.trim();
      if (section !== 'Trades') return [skip(line, `${section ?? ''} section`)];
      if (kind === 'Header') {
        header = new HeaderIndex(cells.slice(2));
        return [skip(line, 'header')];
      }
      if (kind !== 'Data') return [skip(line, `${kind ?? ''} row`)];
      if (header === undefined) {
        return [{ ok: false, error: { line, column: null, value: null, reason: 'Trades data row before any Trades header row' } }];
      }
      const view = new RowView(header, cells.slice(2), line);
      const discriminator = view.text('DataDiscriminator');
      if (discriminator !== 'Order') return [skip(line, `${discriminator ?? 'unlabelled'} row`)];
      return mapRow(line, () => mapOrder(view, ctx.timezone));
    };
  },
};
