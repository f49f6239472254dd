/**
 * From an uploaded byte stream to execution results, in constant memory: the input is parsed a
 * chunk at a time; only the first ≤ 50 non-empty rows are held, for format detection, and then
 * replayed through the chosen adapter's mapper.
 */
import { StringDecoder } from 'node:string_decoder';
import { CsvTokenizer } from './csv.js';
import type { CsvRecord } from './csv.js';
import { BROKERS, DETECTION_ROWS, detectBroker, getBroker } from './registry.js';
import { isBlankRow } from './row.js';
import type { BrokerAdapter, RowResult } from './types.js';
import { assertTimeZone } from './values.js';

export { MalformedCsvError } from './csv.js';

export interface ParseOptions {
  /** An adapter id, or 'auto' to detect the format from the first rows. */
  broker: string | 'auto';
  /** IANA zone that local times in the file are read in. */
  timezone: string;
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
 * The parsing of one file, fed chunk by chunk: each `write` answers the results of the rows that
 * chunk completes, in file order (one call per chunk, no promise per row). The first ≤ 50
 * non-empty rows are held until the format is known, then replayed. Throws UnknownFormatError,
 * MalformedCsvError, or RangeError for an unknown timezone (at construction).
 */
export class ExecutionParser {
  rowsRead = 0;
  bytesRead = 0;
  private readonly decoder = new StringDecoder('utf8');
  private readonly tokenizer = new CsvTokenizer();
  private readonly records: CsvRecord[] = [];
  /** Rows held for detection (and the blank rows between them, to replay in order). */
  private held: CsvRecord[] | undefined = [];
  private nonEmptyHeld = 0;
  private chosen: BrokerAdapter | undefined;
  private mapper: ((row: string[], line: number) => RowResult[]) | undefined;

  constructor(private readonly options: Pick<ParseOptions, 'broker' | 'timezone'>) {
    assertTimeZone(options.timezone);
    if (options.broker !== 'auto') {
      const asked = getBroker(options.broker);
      if (asked === undefined) throw new UnknownFormatError([], `unknown broker format "${options.broker}"`);
      this.choose(asked);
    }
  }

  /** The adapter reading the file, once known. */
  get adapter(): BrokerAdapter | undefined {
    return this.chosen;
  }

  write(chunk: Buffer | string): RowResult[] {
    this.bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    this.tokenizer.push(typeof chunk === 'string' ? chunk : this.decoder.write(chunk), this.records);
    return this.map(false);
  }

  /** The results of the rows left when the input ends. */
  end(): RowResult[] {
    this.tokenizer.push(this.decoder.end(), this.records);
    this.tokenizer.end(this.records);
    return this.map(true);
  }

  private choose(adapter: BrokerAdapter): void {
    this.chosen = adapter;
    this.mapper = adapter.createMapper({ timezone: this.options.timezone });
  }

  private map(final: boolean): RowResult[] {
    let records = this.records.splice(0);
    if (this.held !== undefined) {
      let i = 0;
      for (; i < records.length && this.nonEmptyHeld < DETECTION_ROWS; i++) {
        this.held.push(records[i]!);
        if (!isBlankRow(records[i]!.cells)) this.nonEmptyHeld++;
      }
      if (this.nonEmptyHeld < DETECTION_ROWS && !final) return [];
      if (this.chosen === undefined) {
        const sample = this.held.filter((r) => !isBlankRow(r.cells)).map((r) => r.cells);
        const detected = detectBroker(sample);
        if (detected === undefined) throw new UnknownFormatError(headersOf(sample));
        this.choose(detected.adapter);
      }
      records = i === records.length ? this.held : this.held.concat(records.slice(i));
      this.held = undefined;
    }
    const mapper = this.mapper!;
    const results: RowResult[] = [];
    for (const record of records) {
      this.rowsRead++;
      const mapped = mapper(record.cells, record.line);
      for (let j = 0; j < mapped.length; j++) results.push(mapped[j]!);
    }
    return results;
  }
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
  const parser = new ExecutionParser(options);
  for await (const chunk of input) {
    for (const result of parser.write(chunk)) yield result;
  }
  for (const result of parser.end()) yield result;
  return { adapter: parser.adapter! };
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
