import { describe, expect, it } from 'vitest';
import { MAX_STORED_ROW_ERRORS, contentDigest } from '../../../src/modules/imports/imports.domain.js';
import type { ImportProgress } from '../../../src/modules/imports/imports.repository.js';
import { copyLine, ImportFailedError, prepareParsed, stageFile, toStaged } from '../../../src/modules/imports/imports.staging.js';
import type { StagingJob } from '../../../src/modules/imports/imports.staging.js';
import { parseFile } from '../../../src/modules/imports/parsing/parse-stream.js';

const HEADER = 'executed_at,symbol,asset_class,side,quantity,price\n';
const row = (i: number, quantity = '1') => `2024-01-08T14:${String(i % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z,S${i % 7},stock,${i % 2 ? 'sell' : 'buy'},${quantity},10${i % 10}.50\n`;
const job: StagingJob = {
  importId: '0190b5a0-0000-7000-8000-000000000001',
  broker: 'auto',
  timezone: 'UTC',
  formAccount: { id: '0190b5a0-0000-7000-8000-000000000002', currency: 'USD', brokerAccountId: null },
  onInvalid: 'reject',
  maxRows: 1_000_000,
  batchRows: 40,
};

async function* chunks(text: string, size: number, pulled = { count: 0 }): AsyncGenerator<Buffer> {
  const data = Buffer.from(text);
  for (let i = 0; i < data.length; i += size) {
    pulled.count++;
    yield data.subarray(i, i + size);
  }
}

async function collect(text: string, overrides: Partial<StagingJob> = {}, size = 97) {
  const batches: { text: string; rows: number }[] = [];
  const progress: ImportProgress[] = [];
  const outcome = await stageFile(chunks(text, size), { ...job, ...overrides }, {
    batch: async (copy, rows) => {
      batches.push({ text: Buffer.from(copy).toString('utf8'), rows });
    },
    progress: (p) => progress.push(p),
  });
  return { batches, progress, outcome };
}

/** The file's valid rows as prepareParsed makes them, parsed the plain way (parseFile). */
async function preparedRows(text: string) {
  const { results } = await parseFile(text, { broker: 'auto', timezone: 'UTC' });
  return results.flatMap((r) => {
    if (r.ok !== true) return [];
    const prepared = prepareParsed(r.execution, job.formAccount);
    if (!prepared.ok) throw new Error(`row ${r.execution.line} is invalid`);
    return [{ line: r.execution.line, prepared }];
  });
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** COPY lines split from their last column (the execution id). */
function withoutIds(text: string) {
  const lines = text.split('\n').slice(0, -1);
  return { lines: lines.map((l) => l.slice(0, l.lastIndexOf('\t'))), ids: lines.map((l) => l.slice(l.lastIndexOf('\t') + 1)) };
}

/** The batches' text is the COPY line of each expected row, with an id of the parser's own: a uuid v7, increasing in file order. */
function expectStagedAs(batches: { text: string }[], expected: Awaited<ReturnType<typeof preparedRows>>) {
  const got = withoutIds(batches.map((b) => b.text).join(''));
  const seen = new Map<string, number>();
  const want = withoutIds(
    expected
      .map((e, ord) => {
        const key = contentDigest(e.prepared.prepared).toString('base64url');
        const occurrence = e.prepared.prepared.brokerExecId === null ? (seen.get(key) ?? 0) + 1 : null;
        if (occurrence !== null) seen.set(key, occurrence);
        return copyLine(job.importId, toStaged(ord, e.line, e.prepared, '00000000-0000-7000-8000-000000000000', { key, occurrence }));
      })
      .join(''),
  );
  expect(got.lines).toEqual(want.lines);
  expect(got.ids.every((id) => UUID_V7.test(id))).toBe(true);
  expect(got.ids).toEqual([...new Set(got.ids)].sort());
}

describe('stageFile (what the parse worker runs)', () => {
  it('writes every execution as the COPY line of its prepared row, in file order, in batches of batchRows', async () => {
    const text = HEADER + Array.from({ length: 101 }, (_, i) => row(i)).join('');
    const { batches, progress, outcome } = await collect(text);
    expect(batches.map((b) => b.rows)).toEqual([40, 40, 21]);
    const expected = await preparedRows(text);
    expectStagedAs(batches, expected);
    expect(outcome.progress).toEqual({ rowsRead: 102, bytesRead: Buffer.byteLength(text), executionsParsed: 101, invalidRows: 0, ignoredRows: 1 });
    expect(progress.at(-1)).toEqual(outcome.progress);
    const read = progress.map((p) => p.rowsRead);
    expect(read).toEqual([...read].sort((a, b) => a - b));
  });

  it('keeps multi-byte text whole when a batch outgrows its first buffer', async () => {
    // Ids of up to 900 UTF-16 units, two bytes to four a character in UTF-8: the batch's first buffer (256 bytes a row) must grow.
    const id = (i: number) => `é€😀\\${i}`.repeat(1 + (i % 150));
    const text = 'executed_at,symbol,asset_class,side,quantity,price,broker_exec_id\n' + Array.from({ length: 90 }, (_, i) => `${row(i).trimEnd()},${id(i)}\n`).join('');
    const { batches } = await collect(text);
    expect(batches.map((b) => b.rows)).toEqual([40, 40, 10]);
    const expected = await preparedRows(text);
    expect(expected.map((e) => e.prepared.prepared.brokerExecId)).toEqual(Array.from({ length: 90 }, (_, i) => id(i)));
    expectStagedAs(batches, expected);
  });

  it('with onInvalid=reject stops batching at the first invalid row and still counts and reports the rest', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => row(i, i === 50 || i >= 150 ? '0' : '1'));
    const { batches, outcome } = await collect(HEADER + rows.join(''));
    expect(batches.map((b) => b.rows)).toEqual([40]);
    expect(outcome.errorCount).toBe(51);
    expect(outcome.errors[0]).toMatchObject({ line: 52, column: 'quantity' });
    expect(outcome.progress).toMatchObject({ executionsParsed: 149, invalidRows: 51 });
  });

  it('with onInvalid=skip batches every valid row and keeps the first row errors', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => row(i, i % 3 === 0 ? 'x' : '1'));
    const { batches, outcome } = await collect(HEADER + rows.join(''), { onInvalid: 'skip' });
    expect(batches.reduce((n, b) => n + b.rows, 0)).toBe(100);
    expect(outcome.errorCount).toBe(50);
    expect(outcome.errors).toHaveLength(Math.min(50, MAX_STORED_ROW_ERRORS));
  });

  it("numbers identical fills per account across batches: the form's rows and rows naming its broker account id count together", async () => {
    const header = 'account,executed_at,symbol,asset_class,side,quantity,price,broker_exec_id\n';
    const fill = (account: string, execId = '') => `${account},2024-01-08T14:30:00Z,AAPL,stock,buy,1,190.5,${execId}\n`;
    const rows = [fill(''), fill('U1'), fill('FORM'), fill('U1'), fill('', 'X1'), fill(''), fill('U2'), fill('FORM')];
    const { batches } = await collect(header + rows.join(''), { batchRows: 3, formAccount: { ...job.formAccount!, brokerAccountId: 'FORM' } });
    const occurrences = batches.flatMap((b) => b.text.split('\n').slice(0, -1)).map((l) => l.split('\t').at(-2));
    expect(batches.map((b) => b.rows)).toEqual([3, 3, 2]);
    expect(occurrences).toEqual(['1', '1', '2', '2', '\\N', '3', '1', '4']);
  });

  it('does not read further while a batch is being written (back-pressure)', async () => {
    const text = HEADER + Array.from({ length: 2000 }, (_, i) => row(i)).join('');
    const pulled = { count: 0 };
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let batches = 0;
    const done = stageFile(chunks(text, 256, pulled), job, {
      batch: () => (++batches === 1 ? held : Promise.resolve()),
      progress: () => undefined,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const whileHeld = pulled.count;
    expect(batches).toBe(1);
    expect(whileHeld).toBeLessThan(Buffer.byteLength(text) / 256 / 4);
    release();
    expect((await done).progress.executionsParsed).toBe(2000);
    expect(pulled.count).toBeGreaterThan(whileHeld);
  });

  it('fails with too_many_rows past maxRows', async () => {
    const error = await collect(HEADER + Array.from({ length: 30 }, (_, i) => row(i)).join(''), { maxRows: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportFailedError);
    expect((error as ImportFailedError).failure).toMatchObject({ code: 'too_many_rows', details: { maxRows: 20 } });
  });
});
