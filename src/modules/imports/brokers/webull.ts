/**
 * Webull order history export (Orders Records CSV). One row per order; only `Filled` rows are
 * executions (Cancelled, Failed, Pending, Partially Filled are skipped) at `Avg Price` for the
 * `Filled` quantity. Prices may carry an `@` (`@12.34`); times carry their zone (`EST`/`EDT`),
 * which wins over the chosen timezone. Options appear with OCC-style symbols. No commission column.
 */
import { guessAssetClass } from '../../instruments/instruments.domain.js';
import { executionResult, finishExecution, readSide, skip, tabularAdapter } from '../parsing/execution.js';

const SIDES = { BUY: 'buy', SELL: 'sell', SHORT: 'sell', 'SELL SHORT': 'sell', 'BUY TO COVER': 'buy', COVER: 'buy' } as const;

export const webullAdapter = tabularAdapter({
  id: 'webull',
  name: 'Webull orders',
  description: 'Webull order history CSV (Orders Records); filled orders only. Times with EST/EDT are read as written.',
  expectedColumns: ['Symbol', 'Name', 'Side', 'Status', 'Filled', 'Total Qty', 'Price', 'Avg Price', 'Time-in-Force', 'Placed Time', 'Filled Time'],
  required: ['Symbol', 'Side', 'Status', 'Filled', 'Avg Price', 'Filled Time'],
  optional: ['Name', 'Total Qty', 'Price', 'Time-in-Force', 'Placed Time'],
  map(row, ctx) {
    const status = row.requireText('Status');
    if (status.toLowerCase() !== 'filled') return skip(row.line, `order ${status.toLowerCase()}`);
    const symbol = row.requireText('Symbol');
    return executionResult(
      finishExecution(
        row,
        {
          executedAt: row.requireInstant('Filled Time', ctx.timezone),
          symbol,
          assetClass: guessAssetClass(symbol),
          side: readSide(row, 'Side', SIDES),
          quantity: row.requireDecimal('Filled'),
          price: row.requireDecimal('Avg Price'),
          commission: '0',
          fees: '0',
          currency: 'USD',
        },
        { quantity: 'Filled', price: 'Avg Price', symbol: 'Symbol' },
      ),
    );
  },
});
