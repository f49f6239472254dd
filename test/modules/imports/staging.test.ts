import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStaging, imports } from '../../../src/db/schema/index.js';
import type { StagedExecution } from '../../../src/modules/imports/imports.repository.js';
import { createImportsRepository } from '../../../src/modules/imports/imports.repository.js';
import { copyLine } from '../../../src/modules/imports/imports.staging.js';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, createUser } from '../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

/** Rows with every nullable column null in turn and text that COPY's text format must escape. */
function rows(): StagedExecution[] {
  const texts = ['plain', 'tab\there', 'back\\slash', 'new\nline', 'carriage\rreturn', '\\N', 'ünïcödé "quoted", comma'];
  return texts.map((text, i) => ({
    ord: i,
    line: i + 2,
    accountId: i % 2 === 0 ? randomUUID() : null,
    accountRef: i % 2 === 0 ? null : text,
    instrumentKey: `KEY ${text}`,
    executedAt: new Date(Date.UTC(2024, 0, 2, 14, 30, i, 123)),
    symbol: text,
    assetClass: i === 3 ? 'option' : 'stock',
    side: i % 2 === 0 ? 'buy' : 'sell',
    quantity: '100.5',
    price: `0.00000${i + 1}`,
    commission: '-1.25',
    fees: '0',
    multiplier: i === 3 ? '100' : '1',
    currency: i === 4 ? null : 'USD',
    brokerExecId: i % 3 === 0 ? null : `id\t${text}`,
    underlying: i === 3 ? 'AAPL' : null,
    expiry: i === 3 ? '2024-03-15' : null,
    strike: i === 3 ? '182.5' : null,
    optionRight: i === 3 ? 'call' : null,
    contentKey: `hash-${i}-${text}`,
    occurrence: i % 3 === 0 ? i + 1 : null,
    executionId: randomUUID(),
  }));
}

async function staged(importId: string) {
  const stored = await t.database.db.select().from(importStaging).where(eq(importStaging.importId, importId)).orderBy(asc(importStaging.ord));
  return stored.map(({ importId: _importId, ...rest }) => rest);
}

describe('staging parsed executions', () => {
  it('stageCopy (the parse worker\'s COPY text: COPY FROM STDIN on PostgreSQL, a blob on PGlite) stores exactly what a plain insert of the rows stores, escapes and nulls included', async () => {
    const repository = createImportsRepository(t.database.db);
    const user = await createUser(t);
    const running = { userId: user.id, status: 'parsing' as const, brokerRequested: 'tradesense', timezone: 'UTC', onInvalid: 'reject' as const, fileBytes: 1, fileSha256: 'x' };
    const [viaCopy, viaRows] = (await t.database.db.insert(imports).values([running, running]).returning({ id: imports.id })).map((r) => r.id);
    const input = rows();
    await repository.stageCopy(Buffer.from(input.map((r) => copyLine(viaCopy!, r)).join('')));
    await t.database.db.insert(importStaging).values(input.map((r) => ({ importId: viaRows!, ...r }) as typeof importStaging.$inferInsert));
    const expected = await staged(viaRows!);
    expect(expected.map((r) => r.symbol)).toEqual(input.map((r) => r.symbol));
    expect(expected.map((r) => r.brokerExecId)).toEqual(input.map((r) => r.brokerExecId));
    expect(await staged(viaCopy!)).toEqual(expected);
    await repository.deleteStaging(viaCopy!);
    await repository.deleteStaging(viaRows!);
  });
});
