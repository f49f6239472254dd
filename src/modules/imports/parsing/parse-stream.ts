/**
 * From an uploaded byte stream to execution results, in constant memory: CSV records are pulled
 * one at a time; only the first ≤ 50 non-empty rows are held, for format detection, and then
 * replayed through the chosen adapter's mapper.
 */
import { readCsvRecords } from './csv.js';
import type { CsvRecord } from './csv.js';
import { BROKERS, DETECTION_ROWS, detectBroker, getBroker } from './registry.js';
import { isBlankRow } from './row.js';
import type { BrokerAdapter, RowResult } from './types.js';
import { assertTimeZone } from './values.js';

export { MalformedCsvError } from './csv.js';

export interface ParseProgress {
  rowsRead: number;
  bytesRead: number;
}

export interface ParseOptions {
  /** An adapter id, or 'auto' to detect the format from the first rows. */
  broker: string | 'auto';
  /** IANA zone that local times in the file are read in. */
  timezone: string;
  onProgress?: (p: ParseProgress) => void;
}

/** No adapter recognises the file (or the one asked for does not exist). */
export class UnknownFormatError extends Error {
  override readonly name = 'UnknownFormatError';
  readonly supported: string[] = BROKERS.map((b) => b.id);
  constructor(
    readonly headersFound: string[],
    message = 'the file is not in a format TradeSense can import',
  ) {
    super(message);
  }
}

/** The cells of the first non-empty row: what a person would call the file's headers. */
function headersOf(rows: readonly string[][]): string[] {
  const first = rows[0] ?? [];
  return first.map((c) => c.trim()).filter((c) => c !== '');
}

/**
 * Yields one result per CSV row (several or none when an adapter says so): executions, row
 * errors and skips, in file order. Returns the adapter used. Throws UnknownFormatError,
 * MalformedCsvError, or RangeError for an unknown timezone.
 */
export async function* parseExecutions(
  input: AsyncIterable<Buffer | string>,
  options: ParseOptions,
): AsyncGenerator<RowResult, { adapter: BrokerAdapter }> {
  assertTimeZone(options.timezone);
  let asked: BrokerAdapter | undefined;
  if (options.broker !== 'auto') {
    asked = getBroker(options.broker);
    if (asked === undefined) throw new UnknownFormatError([], `unknown broker format "${options.broker}"`);
  }

  let bytesRead = 0;
  let rowsRead = 0;
  const records = readCsvRecords(input, (p) => {
    bytesRead = p.bytesRead;
  });
  const report = () => options.onProgress?.({ rowsRead, bytesRead });

  // Buffer up to DETECTION_ROWS non-empty rows (and the blank rows between them, to replay in order).
  const buffered: CsvRecord[] = [];
  let nonEmpty = 0;
  let done = false;
  while (nonEmpty < DETECTION_ROWS) {
    const next = await records.next();
    if (next.done) {
      done = true;
      break;
    }
    buffered.push(next.value);
    if (!isBlankRow(next.value.cells)) nonEmpty++;
  }

  let adapter = asked;
  if (adapter === undefined) {
    const sample = buffered.filter((r) => !isBlankRow(r.cells)).map((r) => r.cells);
    const detected = detectBroker(sample);
    if (detected === undefined) {
      await records.return(undefined);
      throw new UnknownFormatError(headersOf(sample));
    }
    adapter = detected.adapter;
  }

  const mapper = adapter.createMapper({ timezone: options.timezone });
  const handle = function* (record: CsvRecord): Generator<RowResult> {
    rowsRead++;
    for (const result of mapper(record.cells, record.line)) yield result;
    if ((rowsRead & 0x3ff) === 0) report();
  };
  try {
    for (const record of buffered) yield* handle(record);
    buffered.length = 0;
    if (!done) for await (const record of records) yield* handle(record);
  } finally {
    await records.return(undefined);
  }
  report();
  return { adapter };
}

/** Collects everything parseExecutions yields from an in-memory text: for tests and previews. */
export async function parseFile(
  text: string,
  options: ParseOptions,
): Promise<{ adapter: BrokerAdapter; results: RowResult[] }> {
  const results: RowResult[] = [];
  const generator = parseExecutions(
    (async function* () {
      yield text;
    })(),
    options,
  );
  for (;;) {
    const next = await generator.next();
    if (next.done) return { adapter: next.value.adapter, results };
    results.push(next.value);
  }
}
