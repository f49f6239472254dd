/** Loading the broker fixtures under test/fixtures/imports and splitting parse results by kind. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFile } from '../../../../src/modules/imports/parsing/parse-stream.js';
import type { ParsedExecution, RowError, RowResult } from '../../../../src/modules/imports/parsing/types.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/imports');
export const NEW_YORK = 'America/New_York';

export function fixturePath(broker: string, kind: 'ok' | 'not-ok', name: string): string {
  return path.join(FIXTURES, broker, kind, name);
}

export function readFixture(broker: string, kind: 'ok' | 'not-ok', name: string): string {
  return readFileSync(fixturePath(broker, kind, name), 'utf8');
}

export function listFixtures(kind: 'ok' | 'not-ok'): { broker: string; name: string }[] {
  return readdirSync(FIXTURES).flatMap((broker) => readdirSync(path.join(FIXTURES, broker, kind)).map((name) => ({ broker, name })));
}

export interface Split {
  adapterId: string;
  executions: ParsedExecution[];
  errors: RowError[];
  skips: { line: number | undefined; reason: string | undefined }[];
}

export function split(adapterId: string, results: RowResult[]): Split {
  const out: Split = { adapterId, executions: [], errors: [], skips: [] };
  for (const r of results) {
    if (r.ok === true) out.executions.push(r.execution);
    else if (r.ok === false) out.errors.push(r.error);
    else out.skips.push({ line: r.line, reason: r.reason });
  }
  return out;
}

/** Parses a fixture with format detection, in New York time unless told otherwise. */
export async function parseFixture(broker: string, kind: 'ok' | 'not-ok', name: string, timezone = NEW_YORK): Promise<Split> {
  const { adapter, results } = await parseFile(readFixture(broker, kind, name), { broker: 'auto', timezone });
  return split(adapter.id, results);
}

/** An execution with the fields a file did not give at their defaults; every given value is hand-written. */
export function execution(fields: Partial<ParsedExecution> & Pick<ParsedExecution, 'line' | 'executedAt' | 'symbol' | 'assetClass' | 'side' | 'quantity' | 'price'>): ParsedExecution {
  return {
    accountRef: null,
    commission: '0',
    fees: '0',
    multiplier: null,
    currency: null,
    brokerExecId: null,
    underlying: null,
    expiry: null,
    strike: null,
    optionRight: null,
    ...fields,
  };
}
