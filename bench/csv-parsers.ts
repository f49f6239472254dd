/**
 * Measures the streaming CSV parsers TradeSense considered for imports (csv-parse, papaparse,
 * udsv): rows/s on a generated 200k-row broker-like file, peak memory while streaming it, and
 * whether each handles what broker exports contain (BOM, CRLF, quoted commas/newlines, ragged
 * rows of a multi-section statement).
 *
 *   npx tsx bench/csv-parsers.ts [rows]
 *
 * The last row measures TradeSense's whole parsing path on the same file (executions out).
 * Only the chosen parser is a project dependency; the others are measured when installed
 * (`npm i --no-save papaparse udsv`) and reported as "not installed" otherwise. Each parser runs
 * in its own child process so one's garbage cannot inflate another's peak memory.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type RowSink = (row: string[]) => void;
type StreamParser = (input: AsyncIterable<string>, onRow: RowSink) => Promise<void>;

const CANDIDATES = ['csv-parse', 'papaparse', 'udsv'] as const;
type Candidate = (typeof CANDIDATES)[number];

// Names passed through a variable so TypeScript does not require every candidate to be installed.
async function load(name: string): Promise<Record<string, unknown>> {
  return (await import(name)) as Record<string, unknown>;
}

async function makeParser(name: Candidate): Promise<StreamParser> {
  if (name === 'csv-parse') {
    const mod = await load('csv-parse');
    const parse = mod.parse as (opts: object) => NodeJS.ReadWriteStream & AsyncIterable<string[]>;
    return async (input, onRow) => {
      const parser = parse({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false });
      const feeding = (async () => {
        for await (const chunk of input) if (!parser.write(chunk)) await new Promise((r) => parser.once('drain', r));
        parser.end();
      })();
      for await (const row of parser) onRow(row);
      await feeding;
    };
  }
  if (name === 'papaparse') {
    const mod = await load('papaparse');
    const papa = (mod.default ?? mod) as { parse: (input: unknown, opts: object) => NodeJS.ReadWriteStream & AsyncIterable<string[]>; NODE_STREAM_INPUT: unknown };
    return async (input, onRow) => {
      const stream = papa.parse(papa.NODE_STREAM_INPUT, {});
      const feeding = (async () => {
        for await (const chunk of input) if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
        stream.end();
      })();
      for await (const row of stream) onRow(row);
      await feeding;
    };
  }
  const mod = await load('udsv');
  const inferSchema = mod.inferSchema as (s: string, o?: object) => unknown;
  const initParser = mod.initParser as (schema: unknown) => {
    chunk: (s: string, parse: unknown, onData: (row: string[]) => void) => void;
    end: () => void;
    stringArrs: unknown;
  };
  return async (input, onRow) => {
    let parser: ReturnType<typeof initParser> | undefined;
    for await (const chunk of input) {
      parser ??= initParser(inferSchema(chunk, { header: () => [] }));
      parser.chunk(chunk, parser.stringArrs, (row) => {
        onRow(row);
      });
    }
    parser?.end();
  };
}

async function* fromFile(file: string): AsyncIterable<string> {
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 })) yield chunk as string;
}

async function* fromString(text: string, size: number): AsyncIterable<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** A Tradovate-like fills file; every 50th row has a quoted field with a comma. */
function generate(file: string, rows: number): void {
  const lines = ['orderId,Account,B/S,Contract,Product,Fill Time,filledQty,Avg Fill Price,Commission,Text'];
  for (let i = 0; i < rows; i++) {
    const note = i % 50 === 0 ? '"scaled in, then out"' : 'ok';
    lines.push(`${1_000_000 + i},DEMO123,${i % 2 ? 'Sell' : 'Buy'},ESZ4,ES,12/05/2024 09:${String(i % 60).padStart(2, '0')}:01,${(i % 5) + 1},"6,0${i % 10}0.25",$1.29,${note}`);
  }
  writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`);
}

const TRICKY = '\uFEFFa,b,c\r\n1,"x, y",3\r\nSection,only two\r\n"multi\nline",q"uo,"he said ""hi"""\r\n\r\n4,5,6,\r\n';
const TRICKY_EXPECTED = [['a', 'b', 'c'], ['1', 'x, y', '3'], ['Section', 'only two'], ['multi\nline', 'q"uo', 'he said "hi"'], ['4', '5', '6', '']];

async function child(name: Candidate, file: string): Promise<void> {
  const parser = await makeParser(name);
  const verdicts: string[] = [];
  // One chunk, then 7-character chunks that split quoted fields and CRLFs (network chunks split anywhere).
  for (const size of [TRICKY.length, 7]) {
    const tricky: string[][] = [];
    try {
      await parser(fromString(TRICKY, size), (row) => {
        if (!(row.length === 1 && row[0] === '')) tricky.push(row);
      });
      verdicts.push(JSON.stringify(tricky) === JSON.stringify(TRICKY_EXPECTED) ? 'yes' : `no ${JSON.stringify(tricky)}`);
    } catch (error) {
      verdicts.push(`no (throws ${(error as Error).message.slice(0, 60)})`);
    }
  }
  const trickyOk = `whole: ${verdicts[0]}; split: ${verdicts[1]}`;
  globalThis.gc?.();
  const baseRss = process.memoryUsage().rss;
  let peakRss = baseRss;
  let rows = 0;
  const started = performance.now();
  await parser(fromFile(file), () => {
    rows++;
    if ((rows & 0x3fff) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  });
  const seconds = (performance.now() - started) / 1000;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  process.stdout.write(JSON.stringify({ name, rows, seconds, rowsPerSec: Math.round(rows / seconds), rssGrowthMb: (peakRss - baseRss) / 2 ** 20, trickyOk }));
}

/** The whole import parsing path (CsvTokenizer + detection + the Tradovate adapter + value parsing). */
async function pipeline(file: string): Promise<void> {
  const { parseExecutions } = await import('../src/modules/imports/parsing/parse-stream.js');
  globalThis.gc?.();
  const baseRss = process.memoryUsage().rss;
  let peakRss = baseRss;
  let rows = 0;
  let errors = 0;
  const started = performance.now();
  for await (const result of parseExecutions(createReadStream(file), { broker: 'auto', timezone: 'America/New_York' })) {
    if (result.ok === true) rows++;
    else if (result.ok === false) errors++;
    if ((rows & 0x3fff) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const seconds = (performance.now() - started) / 1000;
  if (errors > 0) throw new Error(`${errors} row errors in the generated file`);
  process.stdout.write(JSON.stringify({ rows, seconds, rowsPerSec: Math.round(rows / seconds), rssGrowthMb: (peakRss - baseRss) / 2 ** 20, trickyOk: 'see test/modules/imports/parsing' }));
}

async function main(): Promise<void> {
  const [mode, name, fileArg] = process.argv.slice(2);
  if (mode === '--child') return name === 'pipeline' ? pipeline(fileArg!) : child(name as Candidate, fileArg!);
  const rows = Number(mode ?? 200_000);
  const file = path.join(tmpdir(), `tradesense-csv-bench-${rows}.csv`);
  if (!existsSync(file)) generate(file, rows);
  console.log(`file: ${rows} rows, ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB, 64 KiB chunks, Node ${process.version}`);
  console.log('| parser | rows/s (best of 3) | peak RSS growth while streaming | BOM, CRLF, quoted comma/newline/"", bare quote, ragged rows, trailing comma |');
  console.log('|---|---|---|---|');
  const self = fileURLToPath(import.meta.url);
  for (const name of [...CANDIDATES, 'pipeline'] as const) {
    const best: { rowsPerSec: number; rssGrowthMb: number; trickyOk: string }[] = [];
    for (let run = 0; run < 3; run++) {
      const out = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', name, file], { encoding: 'utf8' });
      if (out.status !== 0) {
        const notInstalled = /Cannot find (package|module)/.test(out.stderr);
        console.log(`| ${name} | ${notInstalled ? 'not installed' : `failed: ${out.stderr.split('\n')[0]}`} | | |`);
        break;
      }
      best.push(JSON.parse(out.stdout) as (typeof best)[number]);
    }
    if (best.length === 0) continue;
    const rate = Math.max(...best.map((b) => b.rowsPerSec));
    const mem = Math.max(...best.map((b) => b.rssGrowthMb));
    const label = name === 'pipeline' ? 'TradeSense parseExecutions (CsvTokenizer + adapter)' : name;
    console.log(`| ${label} | ${rate.toLocaleString('en-US')} | ${mem.toFixed(1)} MiB | ${best[0]!.trickyOk} |`);
  }
}

await main();
