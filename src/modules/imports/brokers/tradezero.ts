/**
 * TradeZero trade export (also the layout TradeNote uses as its template): one row per
 * execution, trade date `T/D` (MM/DD/YYYY) and `Exec Time` (HH:mm:ss, local to the chosen
 * timezone, US Eastern for TradeZero's US desk). Side codes: B buy, S sell, SS sell short, BC buy
 * to cover. `Comm` is the commission; SEC, TAF, NSCC, Nasdaq, ECN Remove, ECN Add (and ORF, CAT,
 * Misc when present) are summed into fees, a negative ECN value being a rebate.
 */
import { guessAssetClass } from '../../instruments/instruments.domain.js';
import { costFromSigned, executionResult, finishExecution, readSide, sumDecimalStrings, tabularAdapter } from '../parsing/execution.js';

export const TRADEZERO_FEE_COLUMNS = ['SEC', 'TAF', 'NSCC', 'Nasdaq', 'ECN Remove', 'ECN Add', 'ORF', 'CAT', 'Misc'] as const;
const SIDES = { B: 'buy', S: 'sell', SS: 'sell', BC: 'buy', BUY: 'buy', SELL: 'sell', SHORT: 'sell', COVER: 'buy' } as const;

export const tradezeroAdapter = tabularAdapter({
  id: 'tradezero',
  name: 'TradeZero trades',
  description: 'TradeZero trade export (Account, T/D, Side B/S/SS/BC, Qty, Price, Exec Time, Comm and fee columns). Times read in the chosen timezone.',
  expectedColumns: ['Account', 'T/D', 'S/D', 'Currency', 'Type', 'Side', 'Symbol', 'Qty', 'Price', 'Exec Time', 'Comm', ...TRADEZERO_FEE_COLUMNS.slice(0, 6), 'Gross Proceeds', 'Net Proceeds', 'Clr Broker', 'Liq', 'Note'],
  required: ['T/D', 'Side', 'Symbol', 'Qty', 'Price', 'Exec Time'],
  optional: ['Account', 'S/D', 'Currency', 'Comm', 'SEC', 'TAF', 'NSCC', 'Nasdaq', 'ECN Remove', 'ECN Add', 'Gross Proceeds', 'Net Proceeds'],
  map(row, ctx) {
    const symbol = row.requireText('Symbol');
    const { commission, credit } = costFromSigned(row.decimal('Comm'), false);
    const fees = sumDecimalStrings([credit, ...TRADEZERO_FEE_COLUMNS.map((column) => row.decimal(column))]);
    return executionResult(
      finishExecution(
        row,
        {
          accountRef: row.text('Account'),
          executedAt: row.requireDateAndTime('T/D', 'Exec Time', ctx.timezone),
          symbol,
          assetClass: guessAssetClass(symbol),
          side: readSide(row, 'Side', SIDES),
          quantity: row.requireDecimal('Qty'),
          price: row.requireDecimal('Price'),
          commission,
          fees,
          currency: row.text('Currency'),
        },
        { quantity: 'Qty', price: 'Price', symbol: 'Symbol', commission: 'Comm' },
      ),
    );
  },
});
