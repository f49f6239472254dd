import { describe, expect, it } from 'vitest';
import { MalformedCsvError, MAX_RECORD_BYTES, readCsvRecords } from '../../../../src/modules/imports/parsing/csv.js';
import type { CsvRecord } from '../../../../src/modules/imports/parsing/csv.js';

async function* chunks(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function collect(input: AsyncIterable<Buffer | string>): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const record of readCsvRecords(input)) out.push(record);
  return out;
}

const TRICKY = Buffer.from('\uFEFFa,b,c\r\n1,"x, y",3\r\nSection,only two\r\n"multi\nline",q"uo,"he said ""hi"""\r\n\r\n4,5,6,\r\nÉtoile,€,日本\r\n', 'utf8');
const EXPECTED: CsvRecord[] = [
  { cells: ['a', 'b', 'c'], line: 1 },
  { cells: ['1', 'x, y', '3'], line: 2 },
  { cells: ['Section', 'only two'], line: 3 },
  { cells: ['multi\nline', 'q"uo', 'he said "hi"'], line: 4 },
  { cells: [''], line: 6 },
  { cells: ['4', '5', '6', ''], line: 7 },
  { cells: ['Étoile', '€', '日本'], line: 8 },
];

describe('readCsvRecords', () => {
  it('handles BOM, CRLF, quoted commas/newlines/quotes, a bare quote, ragged rows, trailing commas, blank lines and their line numbers', async () => {
    expect(await collect(chunks(TRICKY, 1 << 16))).toEqual(EXPECTED);
  });

  it('gives the same records whatever the chunk boundaries, even inside a quote, a CRLF or a multi-byte character', async () => {
    for (const size of [1, 2, 3, 5, 7, 13]) {
      expect(await collect(chunks(TRICKY, size))).toEqual(EXPECTED);
    }
  });

  it('accepts string chunks as well as buffers', async () => {
    async function* text() {
      yield 'x,y\n';
      yield '1,2\n';
    }
    expect(await collect(text())).toEqual([
      { cells: ['x', 'y'], line: 1 },
      { cells: ['1', '2'], line: 2 },
    ]);
  });

  it('reads a tab-separated file when the first line has tabs and no commas', async () => {
    expect(await collect(chunks(Buffer.from('a\tb\n1,5\t2\n'), 64))).toEqual([
      { cells: ['a', 'b'], line: 1 },
      { cells: ['1,5', '2'], line: 2 },
    ]);
  });

  it('yields nothing for an empty upload', async () => {
    expect(await collect(chunks(Buffer.alloc(0), 10))).toEqual([]);
  });

  it('throws MalformedCsvError for an unclosed quote', async () => {
    await expect(collect(chunks(Buffer.from('a,b\n1,"never closed\n2,3\n'), 64))).rejects.toBeInstanceOf(MalformedCsvError);
  });

  it('refuses a record larger than the limit instead of buffering the rest of the file', async () => {
    async function* huge() {
      yield 'a,"';
      const block = 'x'.repeat(64 * 1024);
      for (let sent = 0; sent <= MAX_RECORD_BYTES + block.length; sent += block.length) yield block;
    }
    await expect(collect(huge())).rejects.toBeInstanceOf(MalformedCsvError);
  });

  it('propagates an error of the input stream', async () => {
    async function* failing() {
      yield 'a,b\n';
      throw new Error('connection reset');
    }
    await expect(collect(failing())).rejects.toThrow('connection reset');
  });

  it('stops reading the input when the consumer stops early', async () => {
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled++;
        yield 'a,b,c\n'.repeat(100);
      }
    }
    for await (const record of readCsvRecords(endless())) {
      if (record.line === 250) break;
    }
    expect(pulled).toBeLessThan(50);
  });
});
