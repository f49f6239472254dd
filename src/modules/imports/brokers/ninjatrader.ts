/**
 * NinjaTrader 8 Executions grid exported as CSV (Control Center → Executions → right click →
 * Export). `Instrument` is the NinjaTrader name (`ES 12-24`, `MNQ SEP25`); `Time` is local, in the
 * Windows culture of the machine (US: `1/15/2025 2:45:30 PM`); `Commission` carries a `$`; rows and
 * the header end with a trailing comma. `ID` is the execution id.
 */
import { guessAssetClass } from '../../instruments/instruments.domain.js';
import { costFromSigned, executionResult, finishExecution, readSide, tabularAdapter } from '../parsing/execution.js';

const ACCOUNT = ['Account', 'Account display name'];
const SIDES = {
  BUY: 'buy',
  SELL: 'sell',
  BUYTOCOVER: 'buy',
  'BUY TO COVER': 'buy',
  SELLSHORT: 'sell',
  'SELL SHORT': 'sell',
} as const;

export const ninjatraderAdapter = tabularAdapter({
  id: 'ninjatrader',
  name: 'NinjaTrader 8 executions',
  description: 'The Executions grid of NinjaTrader 8 exported as CSV. Times are read in the chosen timezone (the PC clock NinjaTrader ran on).',
  expectedColumns: ['Instrument', 'Action', 'Quantity', 'Price', 'Time', 'ID', 'E/X', 'Position', 'Order ID', 'Name', 'Commission', 'Rate', 'Account', 'Connection'],
  required: ['Instrument', 'Action', 'Quantity', 'Price', 'Time', ['E/X', 'Position']],
  optional: ['ID', 'E/X', 'Position', 'Order ID', 'Commission', ACCOUNT, 'Connection'],
  map(row, ctx) {
    const symbol = row.requireText('Instrument');
    // A NinjaTrader instrument with an expiry ("ES 12-24", "MNQ SEP25") is a future whatever its root.
    const assetClass = /\s(?:\d{2}-\d{2}|[A-Z]{3}\d{2})$/i.test(symbol) ? 'future' : guessAssetClass(symbol);
    const { commission, credit } = costFromSigned(row.decimal('Commission'), false);
    return executionResult(
      finishExecution(
        row,
        {
          accountRef: row.text(ACCOUNT),
          executedAt: row.requireInstant('Time', ctx.timezone),
          symbol,
          assetClass,
          side: readSide(row, 'Action', SIDES),
          quantity: row.requireDecimal('Quantity'),
          price: row.requireDecimal('Price'),
          commission,
          fees: credit,
          brokerExecId: row.text('ID'),
        },
        { quantity: 'Quantity', price: 'Price', symbol: 'Instrument', commission: 'Commission' },
      ),
    );
  },
});
