import { describe, expect, it } from 'vitest';
import { parseFile, UnknownFormatError } from '../../../../src/modules/imports/parsing/parse-stream.js';
import { BROKERS, DETECTION_THRESHOLD, detectBroker, getBroker } from '../../../../src/modules/imports/parsing/registry.js';
import { isBlankRow } from '../../../../src/modules/imports/parsing/row.js';
import { readCsvRecords } from '../../../../src/modules/imports/parsing/csv.js';
import { listFixtures, NEW_YORK, readFixture } from './fixtures.js';

async function firstRows(text: string): Promise<string[][]> {
  const rows: string[][] = [];
  async function* once() {
    yield text;
  }
  for await (const record of readCsvRecords(once())) {
    if (!isBlankRow(record.cells)) rows.push(record.cells);
    if (rows.length === 50) break;
  }
  return rows;
}

describe('broker registry', () => {
  it('lists the nine formats with unique ids, a description and expected columns', () => {
    expect(BROKERS.map((b) => b.id)).toEqual(['tradesense', 'ibkr-flex', 'ibkr-activity', 'thinkorswim', 'tradovate', 'ninjatrader', 'webull', 'tradezero', 'tradervue']);
    for (const broker of BROKERS) {
      expect(broker.name.length).toBeGreaterThan(0);
      expect(broker.description.length).toBeGreaterThan(0);
      expect(broker.expectedColumns.length).toBeGreaterThan(0);
    }
  });

  it('finds an adapter by id', () => {
    expect(getBroker('webull')?.id).toBe('webull');
    expect(getBroker('nope')).toBeUndefined();
  });

  const ok = listFixtures('ok');
  it('has ok fixtures for every broker', () => {
    expect(new Set(ok.map((f) => f.broker))).toEqual(new Set(BROKERS.map((b) => b.id)));
  });

  it.each(ok)('detects $broker/ok/$name as $broker and no other adapter claims it', async ({ broker, name }) => {
    const rows = await firstRows(readFixture(broker, 'ok', name));
    expect(detectBroker(rows)?.adapter.id).toBe(broker);
    const claimedByOthers = BROKERS.filter((b) => b.id !== broker && b.detect(rows) >= DETECTION_THRESHOLD).map((b) => b.id);
    expect(claimedByOthers).toEqual([]);
  });

  it.each(listFixtures('not-ok'))('detects $broker/not-ok/$name as $broker too (bad rows, right format)', async ({ broker, name }) => {
    expect(detectBroker(await firstRows(readFixture(broker, 'not-ok', name)))?.adapter.id).toBe(broker);
  });

  it('answers an unknown CSV with UnknownFormatError listing the headers found and the supported formats', async () => {
    const text = '\uFEFF Trade Date , Ticker,Shares,Cost\n2024-01-05,AAPL,100,185.25\n';
    const error = await parseFile(text, { broker: 'auto', timezone: NEW_YORK }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownFormatError);
    expect((error as UnknownFormatError).headersFound).toEqual(['Trade Date', 'Ticker', 'Shares', 'Cost']);
    expect((error as UnknownFormatError).supported).toEqual(BROKERS.map((b) => b.id));
  });

  it('answers an empty file with UnknownFormatError and no headers', async () => {
    const error = await parseFile('\r\n\r\n', { broker: 'auto', timezone: NEW_YORK }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownFormatError);
    expect((error as UnknownFormatError).headersFound).toEqual([]);
  });
});
