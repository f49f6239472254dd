/**
 * CSV records out of an upload, in constant memory. A synchronous tokenizer fed chunk by chunk
 * (one call per chunk, no promise or generator step per record) that reads what csv-parse read
 * with the options the imports used (`bom`, `relax_quotes`, `relax_column_count`, no empty-line
 * skipping): a differential test runs both on generated input. It replaced csv-parse because
 * tokenising was an eighth of the parsing time and its per-record stream and async-iterator
 * steps another part. A record may not exceed 1 MiB, so an unclosed quote cannot make it
 * buffer the rest of a large file.
 */
import { StringDecoder } from 'node:string_decoder';

export interface CsvRecord {
  cells: string[];
  /** 1-based line where the record starts (a quoted field may span lines). */
  line: number;
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

/** The longest record, in characters of the decoded text (bytes for ASCII). */
export const MAX_RECORD_BYTES = 1 << 20;

const QUOTE = 34;
const LF = 10;
const CR = 13;
const COMMA = 44;
const TAB = 9;

/** A tab-separated file (Tradervue accepts both) is recognised from its first line. */
function sniffDelimiter(firstLine: string): number {
  return firstLine.includes('\t') && !firstLine.includes(',') ? TAB : COMMA;
}

/** Line breaks inside the cells of a record (CRLF counts once), for the next record's line number. */
function lineBreaksIn(cells: readonly string[]): number {
  let count = 0;
  for (const cell of cells) {
    if (cell.includes('\n') || cell.includes('\r')) count += cell.match(/\r\n|\r|\n/g)!.length;
  }
  return count;
}

/** Where a record ended: the index after its record delimiter, or -1 when the text ends first. */
const INCOMPLETE = -1;

/**
 * Splits decoded text into records. Feed it with `push` (any split, even inside a quote or a
 * CRLF) and `end`; each call appends the records it completed to `out`.
 *
 * The rules (csv-parse's): a UTF-8 BOM at the start is dropped; the delimiter is a tab when the
 * first line has tabs and no commas, else a comma; the record delimiter is the first of CRLF, LF
 * or CR met outside quotes, and only it ends records afterwards; a field starting with a quote
 * is quoted (`""` inside is a quote, line breaks and delimiters are text); a quote inside an
 * unquoted field is text; a closing quote followed by anything but a delimiter or the end of
 * the record makes the field literal text from its opening quote on; a blank line is a record
 * of one empty cell; a record delimiter at the end of the text adds no record.
 */
export class CsvTokenizer {
  private text = '';
  private started = false;
  private bomChecked = false;
  private delimiter = COMMA;
  /** '' until the first line break outside quotes decides it. */
  private recordDelimiter: '' | '\r\n' | '\n' | '\r' = '';
  private line = 1;
  /** A field of the record being read held a line break (quoted, or not the record delimiter). */
  private breakInField = false;

  push(chunk: string, out: CsvRecord[]): void {
    this.text = this.text === '' ? chunk : this.text + chunk;
    this.consume(out, false);
  }

  end(out: CsvRecord[]): void {
    this.consume(out, true);
  }

  private consume(out: CsvRecord[], final: boolean): void {
    let text = this.text;
    if (!this.started) {
      if (!this.bomChecked && text !== '') {
        this.bomChecked = true;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      const firstBreak = text.search(/[\r\n]/);
      if (firstBreak < 0 && !final) {
        this.text = text;
        this.checkSize(text.length);
        return;
      }
      this.delimiter = sniffDelimiter(firstBreak < 0 ? text : text.slice(0, firstBreak));
      this.started = true;
    }
    let start = 0;
    while (start < text.length) {
      const next = this.record(text, start, final, out);
      if (next === INCOMPLETE) break;
      start = next;
    }
    this.text = start === 0 ? text : text.slice(start);
    this.checkSize(this.text.length);
  }

  private checkSize(pending: number): void {
    if (pending > MAX_RECORD_BYTES) {
      throw new MalformedCsvError(`the record starting on line ${this.line} is longer than ${MAX_RECORD_BYTES} characters (an unclosed quote?)`, this.line);
    }
  }

  /** Reads one record from `start`; pushes it to `out` and returns where the next begins, or INCOMPLETE. */
  private record(text: string, start: number, final: boolean, out: CsvRecord[]): number {
    const cells: string[] = [];
    this.breakInField = false;
    const n = text.length;
    const delimiter = this.delimiter;
    let pos = start;
    for (;;) {
      // One field from pos.
      let value: string;
      if (text.charCodeAt(pos) === QUOTE) {
        const quoted = this.quotedField(text, pos, final);
        if (quoted === undefined) return this.incomplete(final);
        value = quoted.value;
        pos = quoted.end;
      } else {
        const end = this.fieldEnd(text, pos, final);
        if (end === INCOMPLETE) return this.incomplete(final);
        value = text.slice(pos, end);
        pos = end;
      }
      cells.push(value);
      if (pos >= n) {
        // Only reached at the end of the input (fieldEnd asks for more otherwise).
        this.finish(cells, out, pos - start);
        return n;
      }
      if (text.charCodeAt(pos) === delimiter) {
        pos++;
        if (pos >= n && !final) return INCOMPLETE;
        if (pos >= n) {
          cells.push('');
          this.finish(cells, out, pos - start);
          return n;
        }
        continue;
      }
      // A record delimiter (fieldEnd and quotedField stop only at these).
      const after = pos + this.recordDelimiter.length;
      this.finish(cells, out, after - start);
      return after;
    }
  }

  /** Only a quote left open can leave a record unfinished at the end of the input. */
  private incomplete(final: boolean): number {
    if (final) throw new MalformedCsvError(`a quote opened in the record starting on line ${this.line} is never closed`, this.line);
    return INCOMPLETE;
  }

  private finish(cells: string[], out: CsvRecord[], length: number): void {
    if (length > MAX_RECORD_BYTES + this.recordDelimiter.length) this.checkSize(length);
    out.push({ cells, line: this.line });
    this.line += 1 + (this.breakInField ? lineBreaksIn(cells) : 0);
  }

  /**
   * The length of a record delimiter at `pos` (deciding it at the first line break), 0 when there
   * is none, INCOMPLETE when a CR ends the text and the next character decides.
   */
  private recordDelimiterAt(text: string, pos: number, final: boolean): number {
    const c = text.charCodeAt(pos);
    if (c !== CR && c !== LF) return 0;
    if (this.recordDelimiter === '') {
      if (c === LF) this.recordDelimiter = '\n';
      else if (pos + 1 >= text.length && !final) return INCOMPLETE;
      else this.recordDelimiter = text.charCodeAt(pos + 1) === LF ? '\r\n' : '\r';
      return this.recordDelimiter.length;
    }
    if (this.recordDelimiter === '\n') return c === LF ? 1 : 0;
    if (this.recordDelimiter === '\r') return c === CR ? 1 : 0;
    if (c !== CR) return 0;
    if (pos + 1 >= text.length) return final ? 0 : INCOMPLETE;
    return text.charCodeAt(pos + 1) === LF ? 2 : 0;
  }

  /** End of an unquoted field starting at `pos`: the next delimiter or record delimiter, or the end of the text when final. */
  private fieldEnd(text: string, pos: number, final: boolean): number {
    const n = text.length;
    const delimiter = this.delimiter;
    for (let i = pos; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === delimiter) return i;
      if (c === LF || c === CR) {
        const rd = this.recordDelimiterAt(text, i, final);
        if (rd === INCOMPLETE) return INCOMPLETE;
        if (rd > 0) return i;
        this.breakInField = true;
      }
    }
    return final ? n : INCOMPLETE;
  }

  /**
   * A field whose first character (at `pos`) is a quote: its value and the index after it (at a
   * delimiter, a record delimiter or the end), or undefined when the text ends before that is known.
   */
  private quotedField(text: string, pos: number, final: boolean): { value: string; end: number } | undefined {
    const n = text.length;
    let value = '';
    let from = pos + 1;
    for (;;) {
      const q = text.indexOf('"', from);
      if (q < 0) return undefined;
      if (q + 1 >= n && !final) return undefined;
      const chunk = text.slice(from, q);
      if (!this.breakInField && (chunk.includes('\n') || chunk.includes('\r'))) this.breakInField = true;
      value += chunk;
      const next = text.charCodeAt(q + 1);
      if (next === QUOTE) {
        value += '"';
        from = q + 2;
        continue;
      }
      if (q + 1 >= n || next === this.delimiter) return { value, end: q + 1 };
      const rd = this.recordDelimiterAt(text, q + 1, final);
      if (rd === INCOMPLETE) return undefined;
      if (rd > 0) return { value, end: q + 1 };
      // Text after the closing quote: the field is literal from its opening quote to the next delimiter.
      const end = this.fieldEnd(text, q, final);
      if (end === INCOMPLETE) return undefined;
      return { value: `"${value}${text.slice(q, end)}`, end };
    }
  }
}

/**
 * Yields every record of the input, blank lines included (as `['']`), with its starting line.
 * Records come out chunk by chunk; the input is read no further than the consumer asks.
 */
export async function* readCsvRecords(input: AsyncIterable<Buffer | string>): AsyncGenerator<CsvRecord> {
  const decoder = new StringDecoder('utf8');
  const tokenizer = new CsvTokenizer();
  const out: CsvRecord[] = [];
  for await (const chunk of input) {
    tokenizer.push(typeof chunk === 'string' ? chunk : decoder.write(chunk), out);
    yield* drain(out);
  }
  tokenizer.push(decoder.end(), out);
  tokenizer.end(out);
  yield* drain(out);
}

function* drain(out: CsvRecord[]): Generator<CsvRecord> {
  const records = out.splice(0);
  for (const record of records) yield record;
}
