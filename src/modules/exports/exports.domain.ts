/**
 * Pure CSV writing for exports: the TradeSense generic format (exactly the columns the
 * `tradesense` import adapter reads) and a trades sheet, with spreadsheet formula injection
 * neutralised in text cells only.
 */
import { TRADESENSE_COLUMNS } from '../imports/brokers/tradesense.js';
import type { ExecutionView } from '../executions/executions.schemas.js';
import type { TradeView } from '../trades/trades.schemas.js';

/** A text cell a spreadsheet would run as a formula (or a DDE payload) when it starts with one of these. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Text cells starting with `=`, `+`, `-`, `@`, tab or CR get a leading `'`, which spreadsheets
 * show as text. Only for free text (symbols, ids, notes, tag names): numeric columns come from
 * NUMERIC values and are never touched, so a negative fee stays a number (`-0.35`), which is
 * what a spreadsheet and the re-import need.
 */
export function neutraliseText(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** RFC 4180 quoting: only when the cell needs it. */
export function csvCell(value: string | null): string {
  if (value === null || value === '') return '';
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(cells: readonly (string | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export const EXECUTION_COLUMNS = TRADESENSE_COLUMNS;

const text = (value: string | null) => (value === null ? null : neutraliseText(value));

/** One execution in the TradeSense generic format; `account` is the account's broker account id. */
export function executionCells(e: ExecutionView, brokerAccountId: string | null): (string | null)[] {
  const byColumn: Record<(typeof EXECUTION_COLUMNS)[number], string | null> = {
    account: text(brokerAccountId),
    executed_at: e.executedAt,
    symbol: text(e.symbol),
    asset_class: e.assetClass,
    side: e.side,
    quantity: e.quantity,
    price: e.price,
    commission: e.commission,
    fees: e.fees,
    multiplier: e.multiplier,
    currency: text(e.currency),
    broker_exec_id: text(e.brokerExecId),
    underlying: text(e.underlying),
    expiry: e.expiry,
    strike: e.strike,
    option_right: e.optionRight,
  };
  return EXECUTION_COLUMNS.map((c) => byColumn[c]);
}

export const TRADE_COLUMNS = [
  'id',
  'account_id',
  'symbol',
  'instrument_key',
  'asset_class',
  'side',
  'status',
  'opened_at',
  'closed_at',
  'quantity',
  'open_quantity',
  'avg_entry',
  'avg_exit',
  'gross_pnl',
  'fees',
  'net_pnl',
  'cost_basis',
  'hold_seconds',
  'multiplier',
  'currency',
  'execution_count',
  'r_multiple',
  'rating',
  'playbook_id',
  'stop_price',
  'initial_risk',
  'tags',
  'notes',
] as const;

export function tradeCells(t: TradeView): (string | null)[] {
  const byColumn: Record<(typeof TRADE_COLUMNS)[number], string | null> = {
    id: t.id,
    account_id: t.accountId,
    symbol: text(t.symbol),
    instrument_key: text(t.instrumentKey),
    asset_class: t.assetClass,
    side: t.side,
    status: t.status,
    opened_at: t.openedAt,
    closed_at: t.closedAt,
    quantity: t.quantity,
    open_quantity: t.openQuantity,
    avg_entry: t.avgEntry,
    avg_exit: t.avgExit,
    gross_pnl: t.grossPnl,
    fees: t.fees,
    net_pnl: t.netPnl,
    cost_basis: t.costBasis,
    hold_seconds: t.holdSeconds === null ? null : String(t.holdSeconds),
    multiplier: t.multiplier,
    currency: text(t.currency),
    execution_count: String(t.executionCount),
    r_multiple: t.rMultiple === null ? null : String(t.rMultiple),
    rating: t.rating === null ? null : String(t.rating),
    playbook_id: t.playbookId,
    stop_price: t.stopPrice,
    initial_risk: t.initialRisk,
    tags: text(t.tags.map((tag) => tag.name).join('; ')),
    notes: text(t.notes),
  };
  return TRADE_COLUMNS.map((c) => byColumn[c]);
}
