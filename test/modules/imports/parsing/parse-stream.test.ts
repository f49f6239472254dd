import { describe, expect, it } from 'vitest';
import { MalformedCsvError, parseExecutions, parseFile, UnknownFormatError } from '../../../../src/modules/imports/parsing/parse-stream.js';
import type { RowResult } from '../../../../src/modules/imports/parsing/types.js';
import { NEW_YORK, readFixture, split } from './fixtures.js';

async function* bytes(text: string, size: number): AsyncGenerator<Buffer> {
  const data = Buffer.from(text, 'utf8');
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function drain(generator: AsyncGenerator<RowResult, { adapter: { id: string } }>): Promise<{ id: string; results: RowResult[] }> {
  const results: RowResult[] = [];
  for (;;) {
    const next = await generator.next();
    if (next.done) return { id: next.value.adapter.id, results };
    results.push(next.value);
  }
}

describe('parseExecutions', () => {
  it('gives the same results from a byte stream split anywhere as from the whole text', async () => {
    const text = readFixture('thinkorswim', 'ok', 'account-statement.csv');
    const whole = await parseFile(text, { broker: 'auto', timezone: NEW_YORK });
    const streamed = await drain(parseExecutions(bytes(text, 3), { broker: 'auto', timezone: NEW_YORK }));
    expect(streamed.id).toBe('thinkorswim');
    expect(streamed.results).toEqual(whole.results);
  });

  it('uses the adapter asked for without detection', async () => {
    const text = readFixture('tradervue', 'ok', 'executions.csv');
    const { adapter, results } = await parseFile(text, { broker: 'tradervue', timezone: NEW_YORK });
    expect(adapter.id).toBe('tradervue');
    expect(split(adapter.id, results).executions).toHaveLength(5);
  });

  it('throws UnknownFormatError for an adapter id that does not exist', async () => {
    await expect(parseFile('a,b\n', { broker: 'etrade', timezone: NEW_YORK })).rejects.toBeInstanceOf(UnknownFormatError);
  });

  it('throws RangeError for an unknown timezone before reading', async () => {
    await expect(parseFile('a,b\n', { broker: 'auto', timezone: 'Not/AZone' })).rejects.toBeInstanceOf(RangeError);
  });

  it('throws MalformedCsvError for a file that is not CSV', async () => {
    const text = 'Date,Time,Symbol,Quantity,Price\n01/17/2024,09:35:05,"SPY,100,475.52\n';
    await expect(parseFile(text, { broker: 'tradervue', timezone: NEW_YORK })).rejects.toBeInstanceOf(MalformedCsvError);
  });

  it('detects a format whose header comes after more than 50 rows of preamble only when it is within the first 50 non-empty rows', async () => {
    const preamble = Array.from({ length: 60 }, (_, i) => `note ${i}`).join('\n');
    const text = `${preamble}\nDate,Time,Symbol,Quantity,Price\n01/17/2024,09:35:05,SPY,100,475.52\n`;
    await expect(parseFile(text, { broker: 'auto', timezone: NEW_YORK })).rejects.toBeInstanceOf(UnknownFormatError);
    const shortPreamble = `note\n\n\nDate,Time,Symbol,Quantity,Price\n01/17/2024,09:35:05,SPY,100,475.52\n`;
    const { results } = await parseFile(shortPreamble, { broker: 'auto', timezone: NEW_YORK });
    expect(split('tradervue', results).executions.map((e) => e.line)).toEqual([5]);
  });

  it('streams a 100k-row file it never holds whole, reporting progress', async () => {
    const rows = 100_000;
    async function* generated(): AsyncGenerator<string> {
      yield 'Date,Time,Symbol,Quantity,Price,Side,Commission\n';
      for (let i = 0; i < rows; i += 1000) {
        let block = '';
        for (let j = i; j < i + 1000; j++) block += `01/17/2024,09:${String(j % 60).padStart(2, '0')}:00,SPY,${(j % 9) + 1},"1,475.${j % 100}",${j % 2 ? 'Sell' : 'Buy'},$0.50\n`;
        yield block;
      }
    }
    let executions = 0;
    let lastLine = 0;
    for await (const result of parseExecutions(generated(), { broker: 'auto', timezone: NEW_YORK })) {
      if (result.ok === true) {
        executions++;
        lastLine = result.execution.line;
      }
    }
    expect(executions).toBe(rows);
    expect(lastLine).toBe(rows + 1);
  });
});
