/**
 * From an uploaded file to the text of COPY batches for the staging table: parse, validate,
 * prepare (instrument, decimals), content key, and the COPY line, a chunk of the file at a time.
 * No database and no Fastify: it runs in the import's worker thread (imports.parse-worker.ts),
 * which hands each batch to the main thread, and the rows' COPY text is what crosses over.
 */
import { uuidV7 } from '../../lib/ids.js';
import { InvalidExecutionInputError, prepareExecution } from '../executions/executions.domain.js';
import type { PreparedExecution } from '../executions/executions.domain.js';
import { RowErrorReport, columnOfField, contentDigest } from './imports.domain.js';
import type { ImportFailure } from './imports.domain.js';
import type { ImportProgress, StagedExecution } from './imports.repository.js';
import { OccurrenceCounter } from './occurrences.js';
import { ExecutionParser, MalformedCsvError, UnknownFormatError } from './parsing/parse-stream.js';
import type { ParsedExecution, RowError } from './parsing/types.js';

export interface FormAccount {
  id: string;
  currency: string;
  /** Rows naming this broker account id route to this account too (when no account of the import's broker has it). */
  brokerAccountId: string | null;
}

export type PreparedRow = { ok: true; prepared: PreparedExecution; accountRef: string | null } | { ok: false; error: RowError };

/**
 * A parsed execution as it will be stored: instrument resolved, decimals normalised. Rows that
 * name no account go to the form's account; without one they are row errors.
 */
export function prepareParsed(execution: ParsedExecution, formAccount: FormAccount | null): PreparedRow {
  if (execution.accountRef === null && formAccount === null) {
    return { ok: false, error: { line: execution.line, column: null, value: null, reason: 'the row names no account and the import has no accountId' } };
  }
  const accountId = execution.accountRef === null ? formAccount!.id : '';
  // Rows routed by accountRef take their account's currency when the file has none (known at write time).
  const accountCurrency = execution.accountRef === null ? formAccount!.currency : '';
  try {
    return { ok: true, accountRef: execution.accountRef, prepared: prepareExecution(accountId, accountCurrency, execution) };
  } catch (error) {
    if (error instanceof InvalidExecutionInputError) {
      const field = error.field as keyof ParsedExecution;
      const raw = execution[field];
      const value = raw === null || raw === undefined ? null : raw instanceof Date ? raw.toISOString() : String(raw);
      return { ok: false, error: { line: execution.line, column: columnOfField(error.field), value, reason: error.message } };
    }
    throw error;
  }
}

/** The staging columns a COPY line holds, in its order. */
export const STAGING_COPY_COLUMNS =
  'import_id, ord, line, account_id, account_ref, instrument_key, executed_at, symbol, asset_class, side, quantity, price, commission, fees, multiplier, currency, broker_exec_id, underlying, expiry, strike, option_right, content_key, occurrence, execution_id';

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A value in COPY's text format: \N for null; backslash, tab, newline and carriage return escaped. */
function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : value;
}

/** One staged row as a line of COPY text. */
export function copyLine(importId: string, r: StagedExecution): string {
  return (
    `${importId}\t${r.ord}\t${r.line}\t${copyText(r.accountId)}\t${copyText(r.accountRef)}\t${copyText(r.instrumentKey)}\t${r.executedAt.toISOString()}\t` +
    `${copyText(r.symbol)}\t${copyText(r.assetClass)}\t${copyText(r.side)}\t${copyText(r.quantity)}\t${copyText(r.price)}\t${copyText(r.commission)}\t` +
    `${copyText(r.fees)}\t${copyText(r.multiplier)}\t${copyText(r.currency)}\t${copyText(r.brokerExecId)}\t${copyText(r.underlying)}\t${copyText(r.expiry)}\t` +
    `${copyText(r.strike)}\t${copyText(r.optionRight)}\t${copyText(r.contentKey)}\t${r.occurrence ?? '\\N'}\t${r.executionId}\n`
  );
}

/**
 * A prepared row as it is staged; `executionId` is the id its execution will have, `occurrence`
 * its number among the identical fills of its account in this file (null with a broker id).
 */
export function toStaged(
  ord: number,
  line: number,
  row: { prepared: PreparedExecution; accountRef: string | null },
  executionId: string,
  content: { key: string; occurrence: number | null },
): StagedExecution {
  const p = row.prepared;
  return {
    ord,
    line,
    accountId: row.accountRef === null ? p.accountId : null,
    accountRef: row.accountRef,
    instrumentKey: p.instrumentKey,
    executedAt: p.executedAt,
    symbol: p.symbol,
    assetClass: p.assetClass,
    side: p.side,
    quantity: p.quantity,
    price: p.price,
    commission: p.commission,
    fees: p.fees,
    multiplier: p.multiplier,
    currency: p.currency === '' ? null : p.currency,
    brokerExecId: p.brokerExecId,
    underlying: p.underlying,
    expiry: p.expiry,
    strike: p.strike,
    optionRight: p.optionRight,
    contentKey: content.key,
    occurrence: content.occurrence,
    executionId,
  };
}

export interface StagingJob {
  importId: string;
  broker: string;
  timezone: string;
  formAccount: FormAccount | null;
  onInvalid: 'reject' | 'skip';
  maxRows: number;
  /** Rows per COPY batch. */
  batchRows: number;
}

export interface StagingSink {
  /** A batch of COPY text as UTF-8, in an ArrayBuffer of its own (it can be transferred); the parsing waits for the promise (back-pressure). */
  batch(copy: Uint8Array<ArrayBuffer>, rows: number, progress: ImportProgress): Promise<void>;
  /** After each chunk of the file. */
  progress(progress: ImportProgress): void;
}

export interface StagingOutcome {
  progress: ImportProgress;
  /** The first MAX_STORED_ROW_ERRORS row errors, and how many there were. */
  errors: RowError[];
  errorCount: number;
}

/** Stops an import with a reason the user can read. */
export class ImportFailedError extends Error {
  constructor(readonly failure: ImportFailure) {
    super(failure.message);
  }
}

function tooManyRows(maxRows: number): ImportFailedError {
  return new ImportFailedError({ code: 'too_many_rows', message: `The file has more than ${maxRows} rows.`, details: { maxRows } });
}

/** The file-level failures of parsing, as the import reports them; undefined for anything else. */
export function parsingFailure(error: unknown): ImportFailure | undefined {
  if (error instanceof ImportFailedError) return error.failure;
  if (error instanceof MalformedCsvError) return { code: 'malformed_csv', message: `The file is not valid CSV: ${error.message}`, details: { line: error.line } };
  if (error instanceof UnknownFormatError) return { code: 'unknown_format', message: error.message, details: { headersFound: error.headersFound, supported: error.supported } };
  return undefined;
}

/**
 * A batch's COPY text, written as UTF-8 into bytes line by line. Each line's string dies young;
 * a batch kept as one growing string (a rope of 5,000 lines) survived the young generation's
 * collections, was copied and promoted, and made the garbage collector about 40 % of the parse
 * loop's CPU.
 */
class CopyBatch {
  private memory: ArrayBuffer;
  private bytes: Buffer;
  private length = 0;
  rows = 0;

  constructor(private readonly initialBytes: number) {
    this.memory = new ArrayBuffer(initialBytes);
    this.bytes = Buffer.from(this.memory);
  }

  add(line: string): void {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit.
    if (this.length + line.length * 3 > this.memory.byteLength) {
      const grown = new ArrayBuffer(Math.max(this.memory.byteLength * 2, this.length + line.length * 3));
      new Uint8Array(grown).set(new Uint8Array(this.memory, 0, this.length));
      this.memory = grown;
      this.bytes = Buffer.from(grown);
    }
    this.length += this.bytes.write(line, this.length);
    this.rows++;
  }

  /** The batch's bytes (a view of an ArrayBuffer no other batch shares); the batch starts again empty. */
  take(): Uint8Array<ArrayBuffer> {
    const taken = new Uint8Array(this.memory, 0, this.length);
    this.memory = new ArrayBuffer(this.initialBytes);
    this.bytes = Buffer.from(this.memory);
    this.length = 0;
    this.rows = 0;
    return taken;
  }
}

/** Bytes a batch starts with: the generic format's COPY lines are about 200 bytes. */
const BATCH_BYTES_PER_ROW = 256;

/**
 * Parses the file into COPY batches of `job.batchRows` rows, awaiting the sink for each (so a
 * slow database slows the reading and memory stays bounded), and answers the counts and row
 * errors. With onInvalid=reject the first invalid row ends the batches; the rest is read for the
 * report only. Throws ImportFailedError (too many rows), MalformedCsvError, UnknownFormatError.
 */
export async function stageFile(input: AsyncIterable<Buffer>, job: StagingJob, sink: StagingSink): Promise<StagingOutcome> {
  const parser = new ExecutionParser({ broker: job.broker, timezone: job.timezone });
  const report = new RowErrorReport();
  const progress: ImportProgress = { rowsRead: 0, bytesRead: 0, executionsParsed: 0, invalidRows: 0, ignoredRows: 0 };
  let stagingOn = true;
  const batch = new CopyBatch(job.batchRows * BATCH_BYTES_PER_ROW);
  const occurrences = new OccurrenceCounter();
  const formRef = job.formAccount?.brokerAccountId ?? null;
  let ord = 0;

  const take = async (results: ReturnType<ExecutionParser['write']>) => {
    progress.rowsRead = parser.rowsRead;
    progress.bytesRead = parser.bytesRead;
    if (progress.rowsRead > job.maxRows) throw tooManyRows(job.maxRows);
    for (const result of results) {
      if (result.ok === 'skip') {
        progress.ignoredRows++;
        continue;
      }
      if (result.ok === false) {
        progress.invalidRows++;
        report.add(result.error);
        if (job.onInvalid === 'reject') stagingOn = false;
        continue;
      }
      const prepared = prepareParsed(result.execution, job.formAccount);
      if (!prepared.ok) {
        progress.invalidRows++;
        report.add(prepared.error);
        if (job.onInvalid === 'reject') stagingOn = false;
        continue;
      }
      progress.executionsParsed++;
      if (!stagingOn) continue;
      const digest = contentDigest(prepared.prepared);
      const ref = prepared.accountRef;
      const occurrence = prepared.prepared.brokerExecId === null ? occurrences.next(ref === null || ref === formRef ? '' : ref, digest) : null;
      batch.add(copyLine(job.importId, toStaged(ord++, result.execution.line, prepared, uuidV7(), { key: digest.toString('base64url'), occurrence })));
      if (batch.rows >= job.batchRows) await sink.batch(batch.take(), job.batchRows, { ...progress });
    }
    sink.progress({ ...progress });
  };

  for await (const chunk of input) await take(parser.write(chunk));
  await take(parser.end());
  if (stagingOn && batch.rows > 0) {
    const rows = batch.rows;
    await sink.batch(batch.take(), rows, { ...progress });
  }
  return { progress, errors: report.errors, errorCount: report.count };
}
