/**
 * TradeSense's own CSV: one column per execution field, written by TradeSense's export so that an
 * export re-imports losslessly. Spec in docs/import-formats.md ("TradeSense generic CSV").
 */
import { ASSET_CLASS_VALUES } from '../../instruments/instruments.domain.js';
import type { AssetClass, OptionRight } from '../../instruments/instruments.domain.js';
import { executionResult, finishExecution, readSide, tabularAdapter } from '../parsing/execution.js';
import { parseDateOnly } from '../parsing/values.js';

export const TRADESENSE_COLUMNS = [
  'account',
  'executed_at',
  'symbol',
  'asset_class',
  'side',
  'quantity',
  'price',
  'commission',
  'fees',
  'multiplier',
  'currency',
  'broker_exec_id',
  'underlying',
  'expiry',
  'strike',
  'option_right',
] as const;

const RIGHTS: Readonly<Record<string, OptionRight>> = { CALL: 'call', C: 'call', PUT: 'put', P: 'put' };

export const tradesenseAdapter = tabularAdapter({
  id: 'tradesense',
  name: 'TradeSense CSV',
  description: "TradeSense's own execution CSV (what the TradeSense export writes); one row per execution, ISO 8601 times with offset.",
  expectedColumns: [...TRADESENSE_COLUMNS],
  required: ['executed_at', 'symbol', 'asset_class', 'side', 'quantity', 'price'],
  optional: ['account', 'commission', 'fees', 'multiplier', 'currency', 'broker_exec_id', 'underlying', 'expiry', 'strike', 'option_right'],
  map(row, ctx) {
    const assetClassText = row.requireText('asset_class').toLowerCase();
    if (!(ASSET_CLASS_VALUES as readonly string[]).includes(assetClassText)) {
      throw row.fail('asset_class', `asset_class must be one of ${ASSET_CLASS_VALUES.join(', ')}`);
    }
    const rightText = row.text('option_right');
    let optionRight: OptionRight | null = null;
    if (rightText !== null) {
      const right = RIGHTS[rightText.toUpperCase()];
      if (right === undefined) throw row.fail('option_right', 'option_right must be call or put');
      optionRight = right;
    }
    return executionResult(
      finishExecution(
        row,
        {
          accountRef: row.text('account'),
          executedAt: row.requireInstant('executed_at', ctx.timezone),
          symbol: row.requireText('symbol'),
          assetClass: assetClassText as AssetClass,
          side: readSide(row, 'side', { BUY: 'buy', SELL: 'sell' }),
          quantity: row.requireDecimal('quantity'),
          price: row.requireDecimal('price'),
          commission: row.decimal('commission'),
          fees: row.decimal('fees'),
          multiplier: row.decimal('multiplier'),
          currency: row.text('currency'),
          brokerExecId: row.text('broker_exec_id'),
          underlying: row.text('underlying'),
          expiry: row.read('expiry', parseDateOnly),
          strike: row.decimal('strike'),
          optionRight,
        },
        {
          quantity: 'quantity',
          price: 'price',
          commission: 'commission',
          multiplier: 'multiplier',
          strike: 'strike',
          expiry: 'expiry',
          symbol: 'symbol',
          underlying: 'underlying',
          optionRight: 'option_right',
          assetClass: 'asset_class',
        },
      ),
    );
  },
});
