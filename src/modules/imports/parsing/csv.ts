/**
 * Streams CSV records out of an upload with csv-parse (chosen by bench/csv-parsers.ts: the only
 * candidate that handled ragged multi-section statements, quotes and CRLF split across chunks).
 * Memory stays constant: records are pulled one at a time and a record may not exceed 1 MiB,
 * so an unclosed quote cannot swallow the rest of a large file.
 */
import { StringDecoder } from 'node:string_decoder';
import { CsvError, parse } from 'csv-parse';

export interface CsvRecord {
  cells: string[];
  /** 1-based line where the record starts (a quoted field may span lines). */
  line: number;
}

export interface CsvProgress {
  bytesRead: number;
}

/** The file is not CSV we can read (an unclosed quote, a record over the size limit). */
export class MalformedCsvError extends Error {
  override readonly name = 'MalformedCsvError';
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(message);
  }
}

export const MAX_RECORD_BYTES = 1 << 20;

/** A tab-separated file (Tradervue accepts both) is recognised from its first line. */
function sniffDelimiter(firstText: string): ',' | '\t' {
  const firstLine = firstText.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
}

function lineBreaksIn(cells: readonly string[]): number {
  let count = 0;
  for (const cell of cells) {
    if (cell.includes('\n') || cell.includes('\r')) count += cell.match(/\r\n|\r|\n/g)!.length;
  }
  return count;
}

function waitForDrainOrClose(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/**
 * Yields every record of the input, blank lines included (as `['']`), with its starting line.
 * Handles a UTF-8 BOM, CRLF or LF, quoted fields with commas, quotes and newlines, bare quotes
 * inside unquoted fields, and rows of differing widths.
 */
export async function* readCsvRecords(input: AsyncIterable<Buffer | string>, onBytes?: (p: CsvProgress) => void): AsyncGenerator<CsvRecord> {
  const iterator = input[Symbol.asyncIterator]();
  const decoder = new StringDecoder('utf8');
  let bytesRead = 0;
  const decode = (chunk: Buffer | string): string => {
    bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    onBytes?.({ bytesRead });
    return typeof chunk === 'string' ? chunk : decoder.write(chunk);
  };

  // Peek until there is some text, to choose the delimiter before the parser exists.
  let head = '';
  let exhausted = false;
  while (head === '' && !exhausted) {
    const next = await iterator.next();
    if (next.done) exhausted = true;
    else head += decode(next.value);
  }
  if (exhausted) head += decoder.end();

  const parser = parse({
    bom: true,
    delimiter: sniffDelimiter(head),
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_BYTES,
  });

  const feeding = (async () => {
    try {
      if (head !== '' && !parser.write(head)) await waitForDrainOrClose(parser);
      while (!exhausted && !parser.destroyed) {
        const next = await iterator.next();
        if (next.done) break;
        const text = decode(next.value);
        if (text !== '' && !parser.write(text)) await waitForDrainOrClose(parser);
      }
      if (!exhausted) {
        const rest = decoder.end();
        if (rest !== '' && !parser.destroyed) parser.write(rest);
      }
      if (!parser.destroyed) parser.end();
    } catch (error) {
      parser.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();

  // Line numbers are counted here rather than with csv-parse's `info` option (a third of its
  // cost): records are separated by one line break, and a quoted field keeps its own breaks.
  let line = 1;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      yield { cells, line };
      line += 1 + lineBreaksIn(cells);
    }
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof (error as CsvError & { lines?: number }).lines === 'number' ? (error as CsvError & { lines: number }).lines : null;
      throw new MalformedCsvError(`the file is not valid CSV: ${error.message}`, line);
    }
    throw error;
  } finally {
    if (!parser.destroyed) parser.destroy();
    await feeding;
    if (!exhausted) await iterator.return?.();
  }
}
