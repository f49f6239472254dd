import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvTokenizer, MalformedCsvError } from '../../../../src/modules/imports/parsing/csv.js';
import type { CsvRecord } from '../../../../src/modules/imports/parsing/csv.js';

/** What the imports read before the tokenizer: csv-parse with their options, lines counted from the cells' line breaks. */
function csvParse(text: string): CsvRecord[] | 'malformed' {
  const firstLine = text.replace(/^\uFEFF/, '').split(/[\r\n]/, 1)[0]!;
  const delimiter = firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false });
  } catch {
    return 'malformed';
  }
  let line = 1;
  return rows.map((cells) => {
    const record = { cells, line };
    line += 1 + cells.reduce((n, cell) => n + (cell.match(/\r\n|\r|\n/g) ?? []).length, 0);
    return record;
  });
}

function tokenize(text: string, cuts: readonly number[]): CsvRecord[] | 'malformed' {
  const tokenizer = new CsvTokenizer();
  const out: CsvRecord[] = [];
  try {
    let from = 0;
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      const to = Math.min(cut, text.length);
      tokenizer.push(text.slice(from, Math.max(from, to)), out);
      from = Math.max(from, to);
    }
    tokenizer.push(text.slice(from), out);
    tokenizer.end(out);
  } catch (error) {
    if (error instanceof MalformedCsvError) return 'malformed';
    throw error;
  }
  return out;
}

describe('CsvTokenizer', () => {
  it('reads what csv-parse read with the imports options, however the text is split into chunks', () => {
    const piece = fc.constantFrom('a', 'b', 'xyz', ' ', 'é', '日', ',', '\t', '"', '""', '\n', '\r\n', '\r', '\uFEFF');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.array(fc.nat(80), { maxLength: 6 }), (pieces, cuts) => {
        const text = pieces.join('');
        expect(tokenize(text, cuts)).toEqual(csvParse(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps a quoted field followed by other text literal from its opening quote, as csv-parse relax_quotes did', () => {
    expect(tokenize('"ab"c,d\n"x""y"z\n', [])).toEqual([
      { cells: ['"ab"c', 'd'], line: 1 },
      { cells: ['"x"y"z'], line: 2 },
    ]);
  });

  it('names the line of the record whose quote is never closed', () => {
    const tokenizer = new CsvTokenizer();
    tokenizer.push('a,b\n1,2\n3,"open\n4,5\n', []);
    expect(() => tokenizer.end([])).toThrow(expect.objectContaining({ name: 'MalformedCsvError', line: 3 }));
  });
});
