/**
 * Tradovate reports in CSV: the Orders report (one row per order; only `Filled` ones are
 * executions, at their average fill price) and the Fills report (one row per fill, with
 * commission). Both write B/S and Status with a leading space (" Buy", " Filled"). The Fills report
 * carries a UTC `_timestamp` next to the local `Timestamp`; the UTC one is used when present.
 * Local times (Fill Time, Timestamp) are read in the chosen timezone. Everything is a future.
 */
import { costFromSigned, executionResult, finishExecution, readSide, skip, sumDecimalStrings, tabularAdapter } from '../parsing/execution.js';
import type { RowView } from '../parsing/row.js';
import type { ParseContext, RowResult } from '../parsing/types.js';

const SIDE = ['B/S'];
const CONTRACT = ['Contract'];
const ORDER_QTY = ['filledQty', 'Filled Qty'];
const ORDER_PRICE = ['avgPrice', 'Avg Fill Price'];
const ORDER_ID = ['orderId', 'Order ID'];
const SIDES = { BUY: 'buy', SELL: 'sell' } as const;

function mapOrder(row: RowView, ctx: ParseContext): RowResult {
  const status = row.text('Status');
  if (status !== null && status.toLowerCase() !== 'filled') return skip(row.line, `order ${status.toLowerCase()}`);
  const { commission, credit } = costFromSigned(row.decimal(['commission', 'Commission']), false);
  return executionResult(
    finishExecution(
      row,
      {
        accountRef: row.text('Account'),
        executedAt: row.requireInstant(row.text('Fill Time') !== null ? 'Fill Time' : 'Timestamp', ctx.timezone),
        symbol: row.requireText(CONTRACT),
        assetClass: 'future',
        side: readSide(row, SIDE, SIDES),
        quantity: row.requireDecimal(ORDER_QTY),
        price: row.requireDecimal(ORDER_PRICE),
        commission,
        fees: credit,
        currency: row.text('Currency'),
        brokerExecId: row.text(ORDER_ID),
      },
      { quantity: ORDER_QTY, price: ORDER_PRICE, symbol: CONTRACT, commission: ['commission', 'Commission'] },
    ),
  );
}

function mapFill(row: RowView, ctx: ParseContext): RowResult {
  const active = row.text('_active');
  if (active !== null && active.toLowerCase() === 'false') return skip(row.line, 'inactive (busted) fill');
  const { commission, credit } = costFromSigned(row.decimal(['commission', 'Commission']), false);
  const utc = row.text('_timestamp');
  return executionResult(
    finishExecution(
      row,
      {
        accountRef: row.text('Account'),
        // The UTC column ("2026-06-17 13:29:32.166Z") carries its offset; the local one does not.
        executedAt: utc !== null ? row.requireInstant('_timestamp', ctx.timezone) : row.requireInstant('Timestamp', ctx.timezone),
        symbol: row.requireText(CONTRACT),
        assetClass: 'future',
        side: readSide(row, SIDE, SIDES),
        quantity: row.requireDecimal('Quantity'),
        price: row.requireDecimal('Price'),
        commission,
        fees: sumDecimalStrings([credit]),
        currency: row.text('Currency'),
        brokerExecId: row.text('Fill ID'),
      },
      { quantity: 'Quantity', price: 'Price', symbol: CONTRACT, commission: ['commission', 'Commission'] },
    ),
  );
}

export const tradovateAdapter = tabularAdapter({
  id: 'tradovate',
  name: 'Tradovate Orders or Fills report',
  description: 'Tradovate Reports → Orders (filled orders only) or Fills, as CSV. Local times are read in the chosen timezone.',
  expectedColumns: ['orderId', 'Account', 'B/S', 'Contract', 'Product', 'avgPrice', 'filledQty', 'Fill Time', 'Status', 'Timestamp', 'Fill ID', 'Quantity', 'Price', 'commission'],
  required: [SIDE, CONTRACT, 'Product', ['Fill Time', 'Fill ID', 'Avg Fill Price']],
  optional: ['Account', ['Status', 'commission'], ['Timestamp'], ['orderId', 'Order ID']],
  map(row, ctx) {
    return row.header.has('Fill ID') ? mapFill(row, ctx) : mapOrder(row, ctx);
  },
});
