/**
 * The contract between broker-file parsing (pure) and the import service that stores what it
 * yields. Every adapter turns one broker's CSV rows into these results.
 */
import type { AssetClass, OptionRight } from '../../instruments/instruments.domain.js';

export interface ParsedExecution {
  /** 1-based line in the file where the row starts. */
  line: number;
  /** The broker's account id when the file has one (multi-account files route on it). */
  accountRef: string | null;
  /** An instant: local times are read in ParseContext.timezone, explicit offsets in the file win. */
  executedAt: Date;
  symbol: string;
  assetClass: AssetClass;
  side: 'buy' | 'sell';
  /** Decimal string > 0. */
  quantity: string;
  /** Decimal string ≥ 0. */
  price: string;
  /** Cost ≥ 0, whatever sign the broker writes it with. */
  commission: string;
  /** Exchange/regulatory fees; a negative value is a rebate (ECN add-liquidity credits). */
  fees: string;
  multiplier: string | null;
  currency: string | null;
  brokerExecId: string | null;
  underlying: string | null;
  /** YYYY-MM-DD */
  expiry: string | null;
  strike: string | null;
  optionRight: OptionRight | null;
}

export interface RowError {
  line: number;
  /** The column as the file names it; null when the row as a whole is wrong. */
  column: string | null;
  value: string | null;
  reason: string;
}

/**
 * skip = a row that is not an execution (section headers, totals, cancelled orders, blank).
 * `line` and `reason` on a skip are optional extras so an import report can say what was passed over.
 */
export type RowResult =
  | { ok: true; execution: ParsedExecution }
  | { ok: false; error: RowError }
  | { ok: 'skip'; line?: number; reason?: string };

export interface ParseContext {
  /** IANA zone that local times in the file are read in, e.g. 'America/New_York'. */
  timezone: string;
}

export interface BrokerAdapter {
  id: string;
  name: string;
  description: string;
  /** Shown by GET /api/v1/imports/formats and in the 422 "unknown format" answer. */
  expectedColumns: string[];
  /** Confidence 0..1 from the first ≤ 50 non-empty rows. */
  detect(rows: string[][]): number;
  /** A fresh, stateful mapper per file (sections, header row). May return several results or none. */
  createMapper(ctx: ParseContext): (row: string[], line: number) => RowResult[];
}
