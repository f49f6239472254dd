/**
 * thinkorswim (TD Ameritrade / Schwab) account statement export. The file holds many sections
 * (Cash Balance, Futures Statements, Account Order History, Account Trade History, Equities, ...);
 * only "Account Trade History" is read. Its header starts with an empty cell:
 * `,Exec Time,Spread,Side,Qty,Pos Effect,Symbol,Exp,Strike,Type,Price,Net Price,Order Type`.
 * Qty is signed, years may have 2 digits, and the legs of a spread after the first leave Exec Time
 * and Spread empty (they share the first leg's). The section ends at a blank row or a new title.
 * The section has no commissions (they are in Cash Balance, keyed loosely): commission is 0.
 */
import type { AssetClass, OptionRight } from '../../instruments/instruments.domain.js';
import { absDecimal, executionResult, finishExecution, isNegative, mapRow, readSide, skip } from '../parsing/execution.js';
import { FieldError, HeaderIndex, isBlankRow, normalizeHeader, RowView } from '../parsing/row.js';
import type { BrokerAdapter, RowResult } from '../parsing/types.js';
import { parseDateOnly, parseInstant, ValueError } from '../parsing/values.js';

const SECTION = 'account trade history';
const REQUIRED = ['Exec Time', 'Side', 'Qty', 'Pos Effect', 'Symbol', 'Type', 'Price'] as const;

/** A section title: one non-empty cell, the rest empty. */
function sectionTitle(cells: readonly string[]): string | undefined {
  const filled = cells.filter((c) => c.trim() !== '');
  return filled.length === 1 && cells[0]?.trim() !== '' ? filled[0]!.trim() : undefined;
}

/** `19 JAN 24`, `19 JAN 24 (Weeklys)`, `1/19/24`: the expiry, ignoring a series label. */
export function parseThinkorswimExpiry(value: string | null): string | null {
  if (value === null) return null;
  return parseDateOnly(value.replace(/\s*\(.*\)\s*$/, '').replace(/^(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})$/, '$1 $2 $3'));
}

const TYPES: Readonly<Record<string, AssetClass | 'call' | 'put'>> = {
  STOCK: 'stock',
  ETF: 'stock',
  FUTURE: 'future',
  FUTURES: 'future',
  CALL: 'call',
  PUT: 'put',
  FOREX: 'forex',
};

interface LegState {
  execTime: string | null;
}

function mapTrade(row: RowView, timezone: string, state: LegState): RowResult {
  const execTimeText = row.text('Exec Time');
  if (execTimeText !== null) state.execTime = execTimeText;
  else if (state.execTime === null) throw row.fail('Exec Time', 'Exec Time is required');
  const execTime = execTimeText ?? state.execTime!;

  const typeText = row.requireText('Type').toUpperCase();
  const type = TYPES[typeText];
  if (type === undefined) throw row.fail('Type', `unknown instrument type "${typeText}"`);
  const symbol = row.requireText('Symbol');
  const isOption = type === 'call' || type === 'put';
  if (isOption && symbol.startsWith('/')) throw row.fail('Symbol', 'options on futures are not supported (their multiplier is not in the file)');
  const assetClass: AssetClass = isOption ? 'option' : type;

  const quantity = row.requireDecimal('Qty');
  const side = readSide(row, 'Side', { BUY: 'buy', SELL: 'sell' });
  if (isNegative(quantity) !== (side === 'sell')) throw row.fail('Qty', `Qty sign disagrees with Side ${side.toUpperCase()}`);

  let executedAt: Date;
  try {
    executedAt = parseInstant(execTime, timezone)!;
  } catch (error) {
    if (error instanceof ValueError) throw new FieldError(row.columnName('Exec Time'), execTime, error.message);
    throw error;
  }

  const optionRight: OptionRight | null = isOption ? type : null;
  return executionResult(
    finishExecution(
      row,
      {
        executedAt,
        symbol: isOption ? `${symbol} ${row.text('Exp') ?? ''} ${row.text('Strike') ?? ''} ${typeText}`.replace(/\s+/g, ' ').trim() : symbol,
        assetClass,
        side,
        quantity: absDecimal(quantity),
        price: row.requireDecimal('Price'),
        commission: '0',
        fees: '0',
        multiplier: null,
        currency: null,
        brokerExecId: null,
        underlying: isOption ? symbol : null,
        expiry: isOption ? row.read('Exp', parseThinkorswimExpiry) : null,
        strike: isOption ? row.requireDecimal('Strike') : null,
        optionRight,
      },
      { quantity: 'Qty', price: 'Price', symbol: 'Symbol', expiry: 'Exp', strike: 'Strike', underlying: 'Symbol' },
    ),
  );
}

export const thinkorswimAdapter: BrokerAdapter = {
  id: 'thinkorswim',
  name: 'thinkorswim / Schwab account statement',
  description: 'The account statement CSV from thinkorswim (Monitor → Account Statement → Export); executions come from the "Account Trade History" section.',
  expectedColumns: ['Exec Time', 'Spread', 'Side', 'Qty', 'Pos Effect', 'Symbol', 'Exp', 'Strike', 'Type', 'Price', 'Net Price', 'Order Type'],
  detect(rows) {
    let statement = false;
    for (const row of rows) {
      const title = sectionTitle(row);
      if (title !== undefined && normalizeHeader(title) === SECTION) return 0.95;
      const header = new HeaderIndex(row);
      if (header.count(REQUIRED) === REQUIRED.length) return 0.9;
      if (title?.startsWith('Account Statement for')) statement = true;
    }
    return statement ? 0.7 : 0;
  },
  createMapper(ctx) {
    let inSection = false;
    let header: HeaderIndex | undefined;
    const legs: LegState = { execTime: null };
    return (cells, line) => {
      if (isBlankRow(cells)) {
        if (header !== undefined) {
          inSection = false;
          header = undefined;
        }
        return [skip(line, 'blank')];
      }
      const title = sectionTitle(cells);
      if (title !== undefined) {
        inSection = normalizeHeader(title) === SECTION;
        header = undefined;
        return [skip(line, `${title} section title`)];
      }
      if (!inSection) return [skip(line, 'outside Account Trade History')];
      if (header === undefined) {
        const candidate = new HeaderIndex(cells);
        if (candidate.count(REQUIRED) !== REQUIRED.length) {
          return [{ ok: false, error: { line, column: null, value: null, reason: 'Account Trade History has no header row with Exec Time, Side, Qty, Pos Effect, Symbol, Type, Price' } }];
        }
        header = candidate;
        legs.execTime = null;
        return [skip(line, 'header')];
      }
      const view = new RowView(header, cells, line);
      return mapRow(line, () => mapTrade(view, ctx.timezone, legs));
    };
  },
};
