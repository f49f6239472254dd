import { readdirSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, executions, imports } from '../../../src/db/schema/index.js';
import { parseFile } from '../../../src/modules/imports/parsing/parse-stream.js';
import { BROKERS } from '../../../src/modules/imports/parsing/registry.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from '../../helpers/app.js';
import { createAccount } from '../executions/ledger-helpers.js';
import { FIXTURES, fixture, importFile, listAll, multipart, tradesenseCsv, upload, waitForImport } from './import-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const NY = 'America/New_York';

async function executionsOf(user: TestUser) {
  return t.database.db.select().from(executions).where(eq(executions.userId, user.id));
}

async function importsOf(user: TestUser) {
  return t.database.db.select().from(imports).where(eq(imports.userId, user.id));
}

interface TradeBody {
  id: string;
  updatedAt: string;
  [key: string]: unknown;
}

/** The trades as the API shows them, without updatedAt (a rebuild may rewrite an unchanged-in-the-end row). */
async function tradesOf(user: TestUser) {
  const trades = await listAll<TradeBody>(t, user, '/api/v1/trades?sort=openedAt');
  return trades.map(({ updatedAt: _updatedAt, ...rest }) => rest).sort((a, b) => (a.id < b.id ? -1 : 1));
}

describe('POST /imports: every supported format through the API', () => {
  const cases = readdirSync(FIXTURES).flatMap((broker) => readdirSync(path.join(FIXTURES, broker, 'ok')).map((file) => ({ broker, file })));

  it.each(cases)('imports $broker/ok/$file completely, detected as $broker', async ({ broker, file }) => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const content = fixture(broker, 'ok', file);
    const parsed = await parseFile(content.toString('utf8'), { broker: 'auto', timezone: NY });
    const expected = parsed.results.filter((r) => r.ok === true).length;

    const res = await upload(t, user, { accountId, timezone: NY }, { content, name: file });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ id: expect.any(String), status: 'queued' });
    expect(res.headers.location).toBe(`/api/v1/imports/${res.json().id}`);
    const done = await waitForImport(t, user, res.json().id);

    expect(done.status).toBe('done');
    expect(done.broker).toBe(broker);
    expect(done.failure).toBeNull();
    expect(done.counts).toMatchObject({ executions: expected, executionsAdded: expected, duplicatesSkipped: 0, invalidRows: 0 });
    expect(done.progress.bytesRead).toBe(content.length);
    expect(done.progress.totalBytes).toBe(content.length);
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    const stored = await executionsOf(user);
    expect(stored).toHaveLength(expected);
    expect(stored.every((e) => e.importId === done.id)).toBe(true);
    // The parser's ids: time-ordered, so in file (insert) order they increase.
    const ids = stored.sort((a, b) => a.seq - b.seq).map((e) => e.id);
    expect(ids).toEqual([...new Set(ids)].sort());
    const trades = await listAll(t, user, '/api/v1/trades');
    expect(trades.length).toBeGreaterThan(0);
  });

  it('lists the formats with their expected columns', async () => {
    const user = await createUser(t);
    const res = await call(t, user, { method: 'GET', url: '/api/v1/imports/formats' });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual(BROKERS.map((b) => ({ id: b.id, name: b.name, description: b.description, expectedColumns: b.expectedColumns })));
  });
});

const badRows = fixture('tradesense', 'not-ok', 'bad-rows.csv').toString('utf8');
const badLineCount = badRows.trim().split(/\r?\n/).length - 1;
const withValidRows =
  badRows.trimEnd() + '\n' + ['U1,2024-01-08T09:31:00-05:00,MSFT,stock,buy,10,400,0,0,,USD,V-1,,,,', 'U1,2024-01-08T10:31:00-05:00,MSFT,stock,sell,10,401,0,0,,USD,V-2,,,,'].join('\n') + '\n';

describe('invalid rows: reject or skip', () => {
  it('rejects the whole file by default, writing nothing and reporting each row error', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const done = await importFile(t, user, { accountId, timezone: NY }, withValidRows);
    expect(done.status).toBe('failed');
    expect(done.failure?.code).toBe('invalid_rows');
    expect(done.counts.invalidRows).toBe(badLineCount);
    expect(done.counts.executionsAdded).toBe(0);
    expect(done.errors).toHaveLength(badLineCount);
    for (const error of done.errors) {
      expect(error.line).toBeGreaterThan(1);
      expect(typeof error.reason).toBe('string');
    }
    expect(done.errors.some((e) => e.column === 'price')).toBe(true);
    expect(await executionsOf(user)).toHaveLength(0);
    expect(await t.database.db.select().from(accounts).where(eq(accounts.userId, user.id))).toHaveLength(1);
  });

  it('with onInvalid=skip lands the valid rows and reports every skipped one', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const done = await importFile(t, user, { accountId, timezone: NY, onInvalid: 'skip' }, withValidRows);
    expect(done.status).toBe('done');
    expect(done.counts).toMatchObject({ executions: 2, executionsAdded: 2, invalidRows: badLineCount });
    expect(done.errors).toHaveLength(badLineCount);
    expect(await executionsOf(user)).toHaveLength(2);
  });

  it('stores only the first 100 row errors but counts them all', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const rows = Array.from({ length: 130 }, (_, i) => ['', `2024-01-08T09:${String(i % 60).padStart(2, '0')}:00Z`, 'MSFT', 'stock', 'buy', '0', '400', '0', '0', '']);
    const done = await importFile(t, user, { accountId, onInvalid: 'skip' }, tradesenseCsv(rows));
    expect(done.counts.invalidRows).toBe(130);
    expect(done.errors).toHaveLength(100);
    expect(done.errors[0]).toMatchObject({ line: 2, column: 'quantity' });
  });

  it('fails a malformed CSV with a clear error', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const done = await importFile(t, user, { accountId, broker: 'tradesense' }, tradesenseCsv([['', '2024-01-08T09:31:00Z', '"MSFT', 'stock', 'buy', '1', '1', '0', '0', '']]));
    expect(done.status).toBe('failed');
    expect(done.failure?.code).toBe('malformed_csv');
    expect(await executionsOf(user)).toHaveLength(0);
  });

  it('reports rows without an account when the form has no accountId', async () => {
    const user = await createUser(t);
    const done = await importFile(t, user, {}, tradesenseCsv([['', '2024-01-08T09:31:00Z', 'MSFT', 'stock', 'buy', '1', '1', '0', '0', '']]));
    expect(done.status).toBe('failed');
    expect(done.errors[0]).toMatchObject({ line: 2, reason: expect.stringContaining('no account') });
  });
});

describe('dedupe', () => {
  const monWed = [
    ['', '2024-01-08T14:31:00Z', 'AAPL', 'stock', 'buy', '10', '180', '1', '0.01', ''],
    ['', '2024-01-08T15:31:00Z', 'AAPL', 'stock', 'sell', '10', '181', '1', '0.01', ''],
    ['', '2024-01-09T14:31:00Z', 'AAPL', 'stock', 'buy', '5', '182', '1', '0', ''],
    ['', '2024-01-09T14:31:00Z', 'AAPL', 'stock', 'buy', '5', '182', '1', '0', ''],
    ['', '2024-01-10T15:00:00Z', 'AAPL', 'stock', 'sell', '10', '183', '1', '0', ''],
  ];
  const tueFri = [
    ['', '2024-01-09T14:31:00Z', 'AAPL', 'stock', 'buy', '5', '182', '1', '0', ''],
    ['', '2024-01-09T14:31:00Z', 'AAPL', 'stock', 'buy', '5', '182', '1', '0', ''],
    ['', '2024-01-10T15:00:00Z', 'AAPL', 'stock', 'sell', '10', '183', '1', '0', ''],
    ['', '2024-01-11T15:00:00Z', 'AAPL', 'stock', 'buy', '3', '184', '1', '0', ''],
    ['', '2024-01-12T15:00:00Z', 'AAPL', 'stock', 'sell', '3', '185', '1', '0', ''],
  ];

  it('keeps two genuine identical fills of one file, and importing the file again adds nothing', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const first = await importFile(t, user, { accountId }, tradesenseCsv(monWed));
    expect(first.counts).toMatchObject({ executionsAdded: 5, duplicatesSkipped: 0 });
    const tradesBefore = await tradesOf(user);
    const again = await importFile(t, user, { accountId }, tradesenseCsv(monWed));
    expect(again.status).toBe('done');
    expect(again.counts).toMatchObject({ executions: 5, executionsAdded: 0, duplicatesSkipped: 5 });
    expect(await executionsOf(user)).toHaveLength(5);
    expect(await tradesOf(user)).toEqual(tradesBefore);
  });

  it('re-importing a broker file dedupes on the execution id', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const content = fixture('ibkr-flex', 'ok', 'trades.csv');
    const first = await importFile(t, user, { accountId, timezone: NY }, content);
    const again = await importFile(t, user, { accountId, timezone: NY }, content);
    expect(again.counts.executionsAdded).toBe(0);
    expect(again.counts.duplicatesSkipped).toBe(first.counts.executionsAdded);
    const ids = (await executionsOf(user)).map((e) => e.brokerExecId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a broker execution id twice in one file adds it once, also next to what the account already has', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const earlier = ['', '2024-01-05T14:31:00Z', 'MSFT', 'stock', 'buy', '2', '400', '0', '0', 'X-0'];
    await importFile(t, user, { accountId }, tradesenseCsv([earlier]));
    const fill = ['', '2024-01-08T14:31:00Z', 'AAPL', 'stock', 'buy', '10', '180', '0', '0', 'X-1'];
    const exit = ['', '2024-01-08T15:31:00Z', 'AAPL', 'stock', 'sell', '10', '181', '0', '0', 'X-2'];
    const done = await importFile(t, user, { accountId }, tradesenseCsv([earlier, fill, fill, exit]));
    expect(done.status).toBe('done');
    expect(done.counts).toMatchObject({ executions: 4, executionsAdded: 2, duplicatesSkipped: 2 });
    expect((await executionsOf(user)).map((e) => e.brokerExecId).sort()).toEqual(['X-0', 'X-1', 'X-2']);
    const trades = await listAll<TradeBody>(t, user, '/api/v1/trades?symbol=AAPL');
    expect(trades.map((trade) => [trade.status, trade.netPnl])).toEqual([['closed', '10']]);
  });

  it('overlapping files (Monday–Wednesday, then Tuesday–Friday) add only what is new', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    await importFile(t, user, { accountId }, tradesenseCsv(monWed));
    const second = await importFile(t, user, { accountId }, tradesenseCsv(tueFri));
    expect(second.counts).toMatchObject({ executions: 5, executionsAdded: 2, duplicatesSkipped: 3 });
    const stored = await executionsOf(user);
    expect(stored).toHaveLength(7);
    expect(stored.filter((e) => e.executedAt.toISOString().startsWith('2024-01-09'))).toHaveLength(2);
  });
});

describe('several accounts in one file', () => {
  const rows = [
    ['U1', '2024-01-08T14:31:00Z', 'AAPL', 'stock', 'buy', '10', '180', '0', '0', 'A-1'],
    ['U2', '2024-01-08T14:32:00Z', 'MSFT', 'stock', 'buy', '5', '400', '0', '0', 'A-2'],
    ['', '2024-01-08T14:33:00Z', 'TSLA', 'stock', 'buy', '1', '200', '0', '0', 'A-3'],
  ];

  it('routes rows to the account with that broker account id, creates missing ones, and sends the rest to the form account', async () => {
    const user = await createUser(t);
    const formAccount = await createAccount(t, user, { name: 'Form' });
    const u1 = await createAccount(t, user, { name: 'Existing U1', brokerAccountId: 'U1' });
    const done = await importFile(t, user, { accountId: formAccount }, tradesenseCsv(rows));
    expect(done.status).toBe('done');
    expect(done.counts).toMatchObject({ executionsAdded: 3, accountsCreated: 1 });
    const userAccounts = await t.database.db.select().from(accounts).where(eq(accounts.userId, user.id));
    const u2 = userAccounts.find((a) => a.brokerAccountId === 'U2');
    expect(u2).toMatchObject({ name: 'U2', broker: 'tradesense' });
    const bySymbol = new Map((await executionsOf(user)).map((e) => [e.symbol, e.accountId]));
    expect(bySymbol.get('AAPL')).toBe(u1);
    expect(bySymbol.get('MSFT')).toBe(u2!.id);
    expect(bySymbol.get('TSLA')).toBe(formAccount);
  });

  it("keeps identical fills of the form account whether a row names the account's broker id or nothing, and adds neither again", async () => {
    const user = await createUser(t);
    const formAccount = await createAccount(t, user, { name: 'Form', brokerAccountId: 'F1' });
    const fill = ['2024-01-08T14:31:00Z', 'AAPL', 'stock', 'buy', '10', '180', '0', '0', ''];
    const file = tradesenseCsv([['', ...fill], ['F1', ...fill], ['', ...fill]]);
    const done = await importFile(t, user, { accountId: formAccount }, file);
    expect(done.counts).toMatchObject({ executionsAdded: 3, accountsCreated: 0 });
    const again = await importFile(t, user, { accountId: formAccount }, file);
    expect(again.counts).toMatchObject({ executionsAdded: 0, duplicatesSkipped: 3 });
    const stored = await executionsOf(user);
    expect(stored.map((e) => e.accountId)).toEqual([formAccount, formAccount, formAccount]);
    expect(new Set(stored.map((e) => e.contentHash)).size).toBe(3);
  });

  it('needs no accountId when every row names its account, and re-import creates no second account', async () => {
    const user = await createUser(t);
    const named = rows.slice(0, 2);
    const first = await importFile(t, user, {}, tradesenseCsv(named));
    expect(first.counts).toMatchObject({ executionsAdded: 2, accountsCreated: 2 });
    const again = await importFile(t, user, {}, tradesenseCsv(named));
    expect(again.counts).toMatchObject({ executionsAdded: 0, accountsCreated: 0 });
    expect(await t.database.db.select().from(accounts).where(eq(accounts.userId, user.id))).toHaveLength(2);
  });
});

describe('DELETE /imports/:id', () => {
  it('undoes an import: exactly its executions go and the previous trades come back exactly', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const a = await importFile(
      t,
      user,
      { accountId },
      tradesenseCsv([
        ['', '2024-01-08T14:31:00Z', 'AAPL', 'stock', 'buy', '10', '180', '1', '0', 'X-1'],
        ['', '2024-01-08T15:31:00Z', 'AAPL', 'stock', 'sell', '4', '181', '1', '0', 'X-2'],
      ]),
    );
    const [trade] = await listAll<TradeBody>(t, user, '/api/v1/trades');
    const annotated = await call(t, user, { method: 'PATCH', url: `/api/v1/trades/${trade!.id}`, payload: { notes: 'kept through the undo' } });
    expect(annotated.statusCode, annotated.body).toBe(200);
    const before = await tradesOf(user);

    const b = await importFile(
      t,
      user,
      { accountId },
      tradesenseCsv([
        ['', '2024-01-08T15:31:00Z', 'AAPL', 'stock', 'sell', '4', '181', '1', '0', 'X-2'],
        ['', '2024-01-08T16:00:00Z', 'AAPL', 'stock', 'sell', '6', '182', '1', '0', 'X-3'],
        ['', '2024-01-09T16:00:00Z', 'AAPL', 'stock', 'buy', '1', '183', '1', '0', 'X-4'],
      ]),
    );
    expect(b.counts).toMatchObject({ executionsAdded: 2, duplicatesSkipped: 1 });
    expect(await tradesOf(user)).not.toEqual(before);

    const res = await call(t, user, { method: 'DELETE', url: `/api/v1/imports/${b.id}` });
    expect(res.statusCode, res.body).toBe(204);
    expect(await tradesOf(user)).toEqual(before);
    const left = await executionsOf(user);
    expect(left.map((e) => e.brokerExecId).sort()).toEqual(['X-1', 'X-2']);
    expect(left.every((e) => e.importId === a.id)).toBe(true);
    expect((await call(t, user, { method: 'GET', url: `/api/v1/imports/${b.id}` })).statusCode).toBe(404);
  });

  it('refuses to undo an import that is still running', async () => {
    const user = await createUser(t);
    const [row] = await t.database.db
      .insert(imports)
      .values({ userId: user.id, status: 'parsing', brokerRequested: 'auto', timezone: 'UTC', onInvalid: 'reject', fileBytes: 1, fileSha256: 'x' })
      .returning();
    const res = await call(t, user, { method: 'DELETE', url: `/api/v1/imports/${row!.id}` });
    expect(res.statusCode).toBe(409);
    expectEnvelope(res.json(), 'import_running');
  });
});

describe('POST /imports/preview', () => {
  it('answers the first 20 executions, the row errors among them and the detected format, writing nothing', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const rows = Array.from({ length: 30 }, (_, i) => ['', `2024-01-08T14:${String(i).padStart(2, '0')}:00Z`, 'AAPL', 'stock', i % 2 ? 'sell' : 'buy', i === 3 ? '0' : '1', '180', '0', '-0.01', '']);
    const body = multipart({ accountId }, { content: tradesenseCsv(rows) });
    const res = await call(t, user, { method: 'POST', url: '/api/v1/imports/preview', payload: body.payload, headers: body.headers });
    expect(res.statusCode, res.body).toBe(200);
    const preview = res.json();
    expect(preview.format).toEqual({ id: 'tradesense', name: 'TradeSense CSV', detected: true });
    expect(preview.executions).toHaveLength(20);
    expect(preview.executions[0]).toMatchObject({ line: 2, symbol: 'AAPL', side: 'buy', quantity: '1', price: '180', fees: '-0.01', currency: 'USD' });
    expect(preview.errors).toEqual([expect.objectContaining({ line: 5, column: 'quantity' })]);
    expect(preview.complete).toBe(false);
    expect(await executionsOf(user)).toHaveLength(0);
    expect(await importsOf(user)).toHaveLength(0);
  });
});

describe('refused uploads', () => {
  it('answers 422 for an unknown format, listing the headers found and the supported formats', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const res = await upload(t, user, { accountId }, { content: 'when,what,how much\n2024-01-01,coffee,3\n' });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expectEnvelope(body, 'unknown_format');
    expect(body.details.headersFound).toEqual(['when', 'what', 'how much']);
    expect(body.details.supported.map((s: { id: string }) => s.id)).toEqual(BROKERS.map((b) => b.id));
    expect(body.details.supported[0].expectedColumns.length).toBeGreaterThan(0);
    expect(await importsOf(user)).toHaveLength(0);
  });

  it.each([
    ['a PNG image', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'text/csv'],
    ['an xlsx workbook', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('[Content_Types].xml')]), 'application/octet-stream'],
    ['text with NUL bytes (UTF-16)', Buffer.from('\ufeffdate,symbol\n', 'utf16le'), 'text/csv'],
    ['a file labelled as a PDF', Buffer.from('executed_at,symbol\n'), 'application/pdf'],
  ])('answers 415 for %s', async (_name, content, type) => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const res = await upload(t, user, { accountId }, { content, type });
    expect(res.statusCode).toBe(415);
    expectEnvelope(res.json(), 'unsupported_file_type');
    expect(await importsOf(user)).toHaveLength(0);
  });

  it('answers 415 to a body that is not multipart', async () => {
    const user = await createUser(t);
    const res = await call(t, user, { method: 'POST', url: '/api/v1/imports', payload: { file: 'x' } });
    expect(res.statusCode).toBe(415);
    expectEnvelope(res.json(), 'unsupported_file_type');
  });

  it('answers 400 for a form without a file, an unknown field, a malformed accountId, an unknown broker or an unknown time zone', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const csv = { content: tradesenseCsv([]) };
    const cases: [Record<string, string>, Parameters<typeof upload>[3], string][] = [
      [{ accountId }, null, 'file_required'],
      [{ accountId, colour: 'blue' }, csv, 'unknown_field'],
      [{ accountId: 'not-a-uuid' }, csv, 'validation_failed'],
      [{ accountId, broker: 'etrade' }, csv, 'validation_failed'],
      [{ accountId, onInvalid: 'ignore' }, csv, 'validation_failed'],
      [{ accountId, timezone: 'Mars/Olympus' }, csv, 'invalid_timezone'],
    ];
    for (const [fields, file, code] of cases) {
      const res = await upload(t, user, fields, file);
      expect(res.statusCode, res.body).toBe(400);
      expectEnvelope(res.json(), code);
    }
    expect(await importsOf(user)).toHaveLength(0);
  });

  it('answers 429 too_many_imports when the user already has the maximum running', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const running = { userId: user.id, brokerRequested: 'auto', timezone: 'UTC', onInvalid: 'reject' as const, fileBytes: 1, fileSha256: 'x' };
    await t.database.db.insert(imports).values([
      { ...running, status: 'parsing' },
      { ...running, status: 'queued' },
    ]);
    const res = await upload(t, user, { accountId }, { content: tradesenseCsv([['', '2024-01-08T14:31:00Z', 'AAPL', 'stock', 'buy', '1', '1', '0', '0', '']]) });
    expect(res.statusCode).toBe(429);
    expectEnvelope(res.json(), 'too_many_imports');
    expect(await importsOf(user)).toHaveLength(2);
  });
});

describe('GET /imports', () => {
  it('lists imports newest first with a cursor', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const done = await importFile(t, user, { accountId }, tradesenseCsv([['', `2024-01-0${i + 1}T14:31:00Z`, 'AAPL', 'stock', 'buy', '1', '1', '0', '0', '']]));
      ids.push(done.id);
    }
    const first = await call(t, user, { method: 'GET', url: '/api/v1/imports?limit=2' });
    expect(first.statusCode).toBe(200);
    expect(first.json().data.map((i: { id: string }) => i.id)).toEqual([ids[2], ids[1]]);
    const second = await call(t, user, { method: 'GET', url: `/api/v1/imports?limit=2&cursor=${first.json().page.nextCursor}` });
    expect(second.json().data.map((i: { id: string }) => i.id)).toEqual([ids[0]]);
    expect(second.json().page.nextCursor).toBeNull();
    const bad = await call(t, user, { method: 'GET', url: '/api/v1/imports?cursor=nonsense' });
    expect(bad.statusCode).toBe(400);
    expectEnvelope(bad.json(), 'invalid_cursor');
  });
});

describe('isolation', () => {
  it("answers 404 for another user's import, on GET and DELETE, and leaves it alone", async () => {
    const owner = await createUser(t);
    const other = await createUser(t);
    const accountId = await createAccount(t, owner);
    const done = await importFile(t, owner, { accountId }, tradesenseCsv([['', '2024-01-08T14:31:00Z', 'AAPL', 'stock', 'buy', '1', '1', '0', '0', '']]));
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await call(t, other, { method, url: `/api/v1/imports/${done.id}` });
      expect(res.statusCode).toBe(404);
      expectEnvelope(res.json(), 'import_not_found');
    }
    expect((await listAll(t, other, '/api/v1/imports')).length).toBe(0);
    expect(await executionsOf(owner)).toHaveLength(1);
  });

  it("answers 404 for another user's accountId, on import and preview", async () => {
    const owner = await createUser(t);
    const other = await createUser(t);
    const accountId = await createAccount(t, owner);
    for (const url of ['/api/v1/imports', '/api/v1/imports/preview']) {
      const res = await upload(t, other, { accountId }, { content: tradesenseCsv([['', '2024-01-08T14:31:00Z', 'AAPL', 'stock', 'buy', '1', '1', '0', '0', '']]) }, url);
      expect(res.statusCode).toBe(404);
      expectEnvelope(res.json(), 'account_not_found');
    }
    expect(await importsOf(other)).toHaveLength(0);
    expect(await executionsOf(owner)).toHaveLength(0);
  });

  it('answers 401 to anonymous callers on every imports route', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const body = multipart({}, { content: tradesenseCsv([]) });
    const requests = [
      { method: 'POST' as const, url: '/api/v1/imports', payload: body.payload, headers: body.headers },
      { method: 'POST' as const, url: '/api/v1/imports/preview', payload: body.payload, headers: body.headers },
      { method: 'GET' as const, url: '/api/v1/imports' },
      { method: 'GET' as const, url: '/api/v1/imports/formats' },
      { method: 'GET' as const, url: `/api/v1/imports/${id}` },
      { method: 'DELETE' as const, url: `/api/v1/imports/${id}` },
    ];
    for (const request of requests) {
      const res = await call(t, null, request);
      expect(res.statusCode, request.url).toBe(401);
      expectEnvelope(res.json());
    }
  });
});
