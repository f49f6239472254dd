/**
 * What every adapter shares: checking an execution before it leaves the parser (quantity > 0,
 * price ≥ 0, an instrument TradeSense can resolve), turning thrown FieldErrors into RowErrors,
 * normalising the brokers' cost signs, and the table-with-one-header-row adapter most brokers fit.
 */
import { decimalSign, toDecimal, toDecimalString } from '../../../lib/decimal.js';
import { InvalidInstrumentError, resolveInstrument } from '../../instruments/instruments.domain.js';
import type { AssetClass, OptionRight } from '../../instruments/instruments.domain.js';
import { FieldError, HeaderIndex, isBlankRow, normalizeHeader, RowView } from './row.js';
import type { Columns } from './row.js';
import type { BrokerAdapter, ParseContext, ParsedExecution, RowResult } from './types.js';

/** The column (and aliases) each execution field came from, so an invalid value is reported against it. */
export type FieldSources = Partial<Record<keyof ParsedExecution, Columns>>;

export interface ExecutionDraft {
  accountRef?: string | null;
  executedAt: Date;
  symbol: string;
  assetClass: AssetClass;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  commission?: string | null;
  fees?: string | null;
  multiplier?: string | null;
  currency?: string | null;
  brokerExecId?: string | null;
  underlying?: string | null;
  expiry?: string | null;
  strike?: string | null;
  optionRight?: OptionRight | null;
}

const INSTRUMENT_FIELDS: Record<string, keyof ParsedExecution> = {
  symbol: 'symbol',
  assetClass: 'assetClass',
  multiplier: 'multiplier',
  expiry: 'expiry',
  strike: 'strike',
  optionRight: 'optionRight',
  underlying: 'underlying',
};

/**
 * Validates a draft and returns the execution. Throws FieldError naming the column (from
 * `sources`) for a quantity that is not > 0, a negative price or commission, or an instrument
 * TradeSense cannot resolve (bad multiplier, strike, expiry).
 */
export function finishExecution(row: RowView, draft: ExecutionDraft, sources: FieldSources): ParsedExecution {
  const line = row.line;
  const fail = (field: keyof ParsedExecution, value: string | null, reason: string) => {
    const source = sources[field];
    return source === undefined ? new FieldError(field, value, reason) : new FieldError(row.columnName(source), row.raw(source), reason);
  };

  if (Number.isNaN(draft.executedAt.getTime())) throw fail('executedAt', null, 'not a valid instant');
  if (decimalSign(draft.quantity) <= 0) throw fail('quantity', draft.quantity, 'quantity must be greater than 0');
  if (decimalSign(draft.price) < 0) throw fail('price', draft.price, 'price must not be negative');
  const commission = draft.commission ?? '0';
  if (decimalSign(commission) < 0) throw fail('commission', commission, 'commission must not be negative');

  let instrument;
  try {
    instrument = resolveInstrument({
      symbol: draft.symbol,
      assetClass: draft.assetClass,
      multiplier: draft.multiplier ?? null,
      underlying: draft.underlying ?? null,
      expiry: draft.expiry ?? null,
      strike: draft.strike ?? null,
      optionRight: draft.optionRight ?? null,
    });
  } catch (error) {
    if (error instanceof InvalidInstrumentError) {
      const field = INSTRUMENT_FIELDS[error.field] ?? 'symbol';
      const raw = draft[field as keyof ExecutionDraft];
      throw fail(field, typeof raw === 'string' ? raw : null, error.message);
    }
    throw error;
  }

  return {
    line,
    accountRef: draft.accountRef ?? null,
    executedAt: draft.executedAt,
    symbol: instrument.symbol,
    assetClass: instrument.assetClass,
    side: draft.side,
    quantity: draft.quantity,
    price: draft.price,
    commission,
    fees: draft.fees ?? '0',
    multiplier: draft.multiplier ?? null,
    currency: draft.currency ? draft.currency.toUpperCase() : null,
    brokerExecId: draft.brokerExecId ?? null,
    // Option fields as given, completed from an OCC symbol when the file only has that.
    underlying: draft.assetClass === 'option' ? instrument.underlying : (draft.underlying ?? null),
    expiry: draft.assetClass === 'option' ? instrument.expiry : (draft.expiry ?? null),
    strike: draft.assetClass === 'option' ? instrument.strike : (draft.strike ?? null),
    optionRight: draft.assetClass === 'option' ? instrument.optionRight : (draft.optionRight ?? null),
  };
}

/** Runs a row mapping, turning a FieldError into the row's RowError. */
export function mapRow(line: number, map: () => RowResult | RowResult[]): RowResult[] {
  try {
    const result = map();
    return Array.isArray(result) ? result : [result];
  } catch (error) {
    if (error instanceof FieldError) {
      return [{ ok: false, error: { line, column: error.column, value: error.value, reason: error.message } }];
    }
    throw error;
  }
}

export function skip(line: number, reason: string): RowResult {
  return { ok: 'skip', line, reason };
}

export function executionResult(execution: ParsedExecution): RowResult {
  return { ok: true, execution };
}

/**
 * A broker cost written with either sign (IBKR writes −1.00 for a $1 commission) as
 * { commission ≥ 0, credit ≤ 0 }: a credit (a rebate written as a positive commission by a broker
 * that writes costs negative) is kept, as a negative fee, rather than dropped.
 */
export function costFromSigned(value: string | null, costIsNegative: boolean): { commission: string; credit: string } {
  if (value === null) return { commission: '0', credit: '0' };
  const cost = costIsNegative ? toDecimal(value).negated() : toDecimal(value);
  if (cost.gte(0)) return { commission: toDecimalString(cost), credit: '0' };
  return { commission: '0', credit: toDecimalString(cost) };
}

export function sumDecimalStrings(values: readonly (string | null)[]): string {
  let total = toDecimal('0');
  for (const v of values) if (v !== null) total = total.plus(toDecimal(v));
  return toDecimalString(total);
}

export function absDecimal(value: string): string {
  return toDecimalString(toDecimal(value).abs());
}

export function isNegative(value: string): boolean {
  return toDecimal(value).lt(0);
}

/** Reads a side through a table of the broker's words (keys upper case). */
export function readSide(row: RowView, columns: Columns, words: Readonly<Record<string, 'buy' | 'sell'>>): 'buy' | 'sell' {
  const value = row.requireText(columns);
  const side = words[value.toUpperCase()];
  if (side === undefined) throw row.fail(columns, `unknown side "${value}" (expected ${Object.keys(words).join(', ')})`);
  return side;
}

/**
 * Header-based detection: 0 unless every required column group is in one row of the first rows;
 * then 0.6 plus up to 0.4 for the share of optional groups present.
 */
export function detectByHeader(rows: readonly string[][], required: readonly Columns[], optional: readonly Columns[] = []): number {
  let best = 0;
  for (const row of rows) {
    const header = new HeaderIndex(row);
    if (header.count(required) !== required.length) continue;
    const share = optional.length === 0 ? 1 : header.count(optional) / optional.length;
    best = Math.max(best, 0.6 + 0.4 * share);
  }
  return best;
}

export interface TabularSpec {
  id: string;
  name: string;
  description: string;
  expectedColumns: string[];
  /** Column groups that must all be in the header row. */
  required: readonly Columns[];
  /** Column groups that raise confidence. */
  optional?: readonly Columns[];
  /** Maps one data row; throw FieldError (via RowView) for a bad value. */
  map(row: RowView, ctx: ParseContext): RowResult | RowResult[];
}

/**
 * The adapter for a file that is one table: rows before the header (titles) are skipped, the
 * first row holding every required column is the header, and every later non-blank row is data.
 */
export function tabularAdapter(spec: TabularSpec): BrokerAdapter {
  return {
    id: spec.id,
    name: spec.name,
    description: spec.description,
    expectedColumns: spec.expectedColumns,
    detect: (rows) => detectByHeader(rows, spec.required, spec.optional),
    createMapper(ctx) {
      let header: HeaderIndex | undefined;
      let firstColumn = '';
      return (cells, line) => {
        if (isBlankRow(cells)) return [skip(line, 'blank')];
        if (header === undefined) {
          const candidate = new HeaderIndex(cells);
          if (candidate.count(spec.required) === spec.required.length) {
            header = candidate;
            firstColumn = normalizeHeader(header.names[0] ?? '');
            return [skip(line, 'header')];
          }
          return [skip(line, 'before the header row')];
        }
        // A header repeated further down (files concatenated by hand) is not data. Normalising never
        // lengthens a name, so a shorter first cell is data without being normalised.
        const first = cells[0] ?? '';
        if (first.length >= firstColumn.length && normalizeHeader(first) === firstColumn && new HeaderIndex(cells).count(spec.required) === spec.required.length) {
          return [skip(line, 'header')];
        }
        const view = new RowView(header, cells, line);
        return mapRow(line, () => spec.map(view, ctx));
      };
    },
  };
}
