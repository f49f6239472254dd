/**
 * Pure rules of the import flow: what counts as a binary upload, the content key that dedupes
 * executions without a broker id, the error report, cursors. No I/O.
 */
import { hash } from 'node:crypto';
import type { PreparedExecution } from '../executions/executions.domain.js';
import type { RowError } from './parsing/types.js';

/** Row errors kept on an import; the count of invalid rows goes on beyond it. */
export const MAX_STORED_ROW_ERRORS = 100;
/** Executions a preview answers. */
export const PREVIEW_EXECUTIONS = 20;
/** How many leading bytes are inspected for binary content. */
export const SNIFF_BYTES = 8192;

const SIGNATURES: readonly { name: string; bytes: readonly number[] }[] = [
  { name: 'ZIP archive (xlsx, docx, zip)', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'ZIP archive (empty)', bytes: [0x50, 0x4b, 0x05, 0x06] },
  { name: 'legacy Office document (xls, doc)', bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] },
  { name: 'PDF document', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { name: 'gzip archive', bytes: [0x1f, 0x8b] },
  { name: 'PNG image', bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: 'JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { name: 'GIF image', bytes: [0x47, 0x49, 0x46, 0x38] },
  { name: '7-Zip archive', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: 'RAR archive', bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
  { name: 'bzip2 archive', bytes: [0x42, 0x5a, 0x68] },
  { name: 'executable', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { name: 'SQLite database', bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66] },
];

/**
 * Why the first bytes of an upload are not CSV text, or null when they may be. A NUL byte
 * never occurs in UTF-8 text (UTF-16 files, which are full of them, are refused too).
 */
export function binaryReason(head: Uint8Array): string | null {
  for (const signature of SIGNATURES) {
    if (head.length >= signature.bytes.length && signature.bytes.every((b, i) => head[i] === b)) return `the file is a ${signature.name}, not CSV text`;
  }
  const limit = Math.min(head.length, SNIFF_BYTES);
  for (let i = 0; i < limit; i++) if (head[i] === 0) return 'the file contains NUL bytes: it is binary (or UTF-16), not UTF-8 CSV text';
  return null;
}

/**
 * A content type that says for sure the part is not text. Browsers label CSV files
 * inconsistently (text/csv, application/vnd.ms-excel on Windows, application/octet-stream),
 * so only unambiguous types are refused; the bytes decide the rest.
 */
export function binaryContentType(mimeType: string | undefined): boolean {
  if (!mimeType) return false;
  const type = mimeType.split(';', 1)[0]!.trim().toLowerCase();
  return (
    /^(image|audio|video|font)\//.test(type) ||
    [
      'application/pdf',
      'application/zip',
      'application/gzip',
      'application/x-gzip',
      'application/x-7z-compressed',
      'application/x-rar-compressed',
      'application/vnd.rar',
      'application/x-tar',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.oasis.opendocument.spreadsheet',
    ].includes(type)
  );
}

/**
 * The identity of an execution without a broker id: what the fill is (instant, instrument,
 * side, size, price, costs), not where it came from, as a SHA-256 digest (staged as base64url,
 * the content key). Decimals are normalised by prepareExecution, so `1.50` and `1.5` agree. The
 * account and the occurrence number within the file (occurrences.ts) are added when the row is
 * written (SQL), since accounts named in the file are resolved then.
 */
export function contentDigest(e: Pick<PreparedExecution, 'executedAt' | 'instrumentKey' | 'symbol' | 'side' | 'quantity' | 'price' | 'commission' | 'fees'>): Buffer {
  const sep = '\u001f';
  return hash('sha256', e.executedAt.toISOString() + sep + e.symbol + sep + e.instrumentKey + sep + e.side + sep + e.quantity + sep + e.price + sep + e.commission + sep + e.fees, 'buffer');
}

/** The first MAX_STORED_ROW_ERRORS row errors, and how many there were. */
export class RowErrorReport {
  readonly errors: RowError[] = [];
  count = 0;
  add(error: RowError): void {
    this.count++;
    if (this.errors.length < MAX_STORED_ROW_ERRORS) this.errors.push(error);
  }
}

/** Field names of prepareExecution errors → the column as a file of the tradesense format names it (best effort for others). */
const FIELD_COLUMNS: Readonly<Record<string, string>> = {
  quantity: 'quantity',
  price: 'price',
  commission: 'commission',
  fees: 'fees',
  executedAt: 'executed_at',
  symbol: 'symbol',
  assetClass: 'asset_class',
  multiplier: 'multiplier',
  underlying: 'underlying',
  expiry: 'expiry',
  strike: 'strike',
  optionRight: 'option_right',
};

export function columnOfField(field: string): string {
  return FIELD_COLUMNS[field] ?? field;
}

export interface ImportCursor {
  createdAt: string;
  id: string;
}

export function encodeImportCursor(cursor: ImportCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

export function decodeImportCursor(value: string): ImportCursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string' &&
      !Number.isNaN(Date.parse(parsed[0].replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'))) &&
      /^[0-9a-f-]{36}$/i.test(parsed[1])
    ) {
      return { createdAt: parsed[0], id: parsed[1] };
    }
  } catch {
    return null;
  }
  return null;
}

/** A failed import's reason, as stored and answered. */
export interface ImportFailure {
  code: string;
  message: string;
  details: Record<string, unknown>;
}
