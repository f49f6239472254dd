/**
 * Tradervue's generic import format: `Date,Time,Symbol,Quantity,Price,Side` plus optional
 * `Commission`, `TransFee`, `ECNFee` (fees: positive a charge, negative a credit). Dates mm/dd/yyyy,
 * mm-dd-yyyy, yyyy/mm/dd, yyyy-mm-dd or yyyymmdd (never day-first); Time HH:MM:SS, read in the
 * chosen timezone. Side starts with B or S (BOT, SLD, Buy, Sell, Short); when the file has no Side
 * column a negative Quantity is a sell. Futures symbols as ESZ1, ES DEC 11, ES 12-11, ES 12.11.
 * The header row is required (Tradervue allows leaving it out when columns are in order).
 */
import { guessAssetClass } from '../../instruments/instruments.domain.js';
import { absDecimal, costFromSigned, executionResult, finishExecution, isNegative, sumDecimalStrings, tabularAdapter } from '../parsing/execution.js';

export const tradervueAdapter = tabularAdapter({
  id: 'tradervue',
  name: 'Tradervue generic import',
  description: "Tradervue's generic import format (Date, Time, Symbol, Quantity, Price, Side, Commission, TransFee, ECNFee). Times read in the chosen timezone.",
  expectedColumns: ['Date', 'Time', 'Symbol', 'Quantity', 'Price', 'Side', 'Commission', 'TransFee', 'ECNFee'],
  required: ['Date', 'Time', 'Symbol', 'Quantity', 'Price'],
  optional: ['Side', 'Commission', 'TransFee', 'ECNFee'],
  map(row, ctx) {
    const symbol = row.requireText('Symbol');
    const quantity = row.requireDecimal('Quantity');
    let side: 'buy' | 'sell';
    if (row.header.has('Side')) {
      const word = row.requireText('Side').toUpperCase();
      if (word.startsWith('B')) side = 'buy';
      else if (word.startsWith('S')) side = 'sell';
      else throw row.fail('Side', `unknown side "${row.text('Side')}" (expected a word starting with B or S)`);
      if (isNegative(quantity)) throw row.fail('Quantity', 'Quantity must be positive when a Side column is given');
    } else {
      side = isNegative(quantity) ? 'sell' : 'buy';
    }
    const { commission, credit } = costFromSigned(row.decimal('Commission'), false);
    return executionResult(
      finishExecution(
        row,
        {
          executedAt: row.requireDateAndTime('Date', 'Time', ctx.timezone),
          symbol,
          assetClass: guessAssetClass(symbol),
          side,
          quantity: absDecimal(quantity),
          price: row.requireDecimal('Price'),
          commission,
          fees: sumDecimalStrings([credit, row.decimal('TransFee'), row.decimal('ECNFee')]),
          currency: row.text('Currency'),
        },
        { quantity: 'Quantity', price: 'Price', symbol: 'Symbol', commission: 'Commission' },
      ),
    );
  },
});
