import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRADESENSE_COLUMNS } from '../../../src/modules/imports/brokers/tradesense.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from '../../helpers/app.js';
import { addExecution, createAccount } from '../executions/ledger-helpers.js';
import { importFile, listAll, tradesenseCsv } from '../imports/import-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const get = (user: TestUser | null, url: string) => call(t, user, { method: 'GET', url });

/** The rows of a CSV body by column name (RFC 4180 quotes; no line breaks inside cells in these tests). */
async function csvRows(body: string): Promise<Record<string, string>[]> {
  const lines = body.trimEnd().split('\r\n');
  const header = lines[0]!.split(',');
  if (lines.length === 1) return [];
  return lines.slice(1).map((line) => {
    const cells: string[] = [];
    let current = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          current += '"';
          i++;
        } else if (c === '"') quoted = false;
        else current += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        cells.push(current);
        current = '';
      } else current += c;
    }
    cells.push(current);
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

type ExecutionBody = Record<string, unknown> & { id: string; accountId: string; importId: string | null; createdAt: string };

const comparableExecution = ({ id: _i, accountId: _a, importId: _m, createdAt: _c, ...rest }: ExecutionBody) => rest;
const comparableTrade = ({ id: _i, accountId: _a, createdAt: _c, updatedAt: _u, ...rest }: Record<string, unknown>) => rest;

describe('GET /exports/executions.csv', () => {
  it('writes exactly the tradesense columns, oldest first, with the filters applied', async () => {
    const user = await createUser(t, { timezone: 'America/New_York' });
    const main = await createAccount(t, user, { brokerAccountId: 'U-MAIN' });
    const other = await createAccount(t, user, { name: 'Other' });
    await addExecution(t, user, main, 'AAPL', { at: '2024-03-04T15:00:00Z', side: 'buy', quantity: '10', price: '170.5' });
    await addExecution(t, user, main, 'AAPL', { at: '2024-03-05T15:00:00Z', side: 'sell', quantity: '10', price: '171' });
    await addExecution(t, user, main, 'MSFT', { at: '2024-03-05T16:00:00Z', side: 'buy', quantity: '1', price: '400' });
    await addExecution(t, user, other, 'AAPL', { at: '2024-03-05T17:00:00Z', side: 'buy', quantity: '2', price: '172' });

    const all = await get(user, '/api/v1/exports/executions.csv');
    expect(all.statusCode, all.body).toBe(200);
    expect(all.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(all.headers['content-disposition']).toBe('attachment; filename="executions.csv"');
    expect(all.body.split('\r\n')[0]).toBe(TRADESENSE_COLUMNS.join(','));
    const rows = await csvRows(all.body);
    expect(rows.map((r) => r.executed_at)).toEqual(['2024-03-04T15:00:00.000Z', '2024-03-05T15:00:00.000Z', '2024-03-05T16:00:00.000Z', '2024-03-05T17:00:00.000Z']);
    expect(rows[0]).toMatchObject({ account: 'U-MAIN', symbol: 'AAPL', side: 'buy', quantity: '10', price: '170.5' });

    const filtered = await csvRows((await get(user, `/api/v1/exports/executions.csv?accountId=${main}&symbol=aapl&from=2024-03-05&to=2024-03-05`)).body);
    expect(filtered.map((r) => [r.symbol, r.executed_at])).toEqual([['AAPL', '2024-03-05T15:00:00.000Z']]);

    const json = await get(user, `/api/v1/exports/executions.json?accountId=${other}`);
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    const parsed = JSON.parse(json.body) as ExecutionBody[];
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({ accountId: other, symbol: 'AAPL', quantity: '2' });
  });

  it('neutralises formula-looking text cells but leaves negative numbers numeric', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user, { brokerAccountId: '@acct' });
    await addExecution(t, user, accountId, 'XYZ', { at: '2024-03-04T15:00:00Z', side: 'buy', quantity: '1', price: '10', fees: '-0.35', commission: '0' }, { brokerExecId: '=HYPERLINK("http://evil")' });
    await addExecution(t, user, accountId, 'XYZ', { at: '2024-03-04T15:01:00Z', side: 'sell', quantity: '1', price: '11' }, { brokerExecId: '+1-2' });
    await addExecution(t, user, accountId, 'XYZ', { at: '2024-03-04T15:02:00Z', side: 'buy', quantity: '1', price: '11' }, { brokerExecId: '-3' });

    const res = await get(user, '/api/v1/exports/executions.csv');
    const rows = await csvRows(res.body);
    expect(rows.map((r) => r.broker_exec_id)).toEqual([`'=HYPERLINK("http://evil")`, `'+1-2`, `'-3`]);
    expect(rows.every((r) => r.account === `'@acct`)).toBe(true);
    expect(rows[0]!.fees).toBe('-0.35');
    expect(res.body).toContain(',-0.35,');

    const [trade] = await listAll<{ id: string }>(t, user, '/api/v1/trades');
    await call(t, user, { method: 'PATCH', url: `/api/v1/trades/${trade!.id}`, payload: { notes: '=1+1' } });
    const trades = await csvRows((await get(user, '/api/v1/exports/trades.csv')).body);
    const withNotes = trades.find((r) => r.id === trade!.id)!;
    expect(withNotes.notes).toBe(`'=1+1`);
    expect(withNotes.fees).toMatch(/^-?\d/);
    expect(trades.find((r) => r.status === 'closed')?.fees).toBe('-0.35');
  });

  it('pages through more rows than one batch without losing or repeating any', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const rows = Array.from({ length: 1100 }, (_, i) => ['', new Date(Date.UTC(2024, 0, 2) + i * 1000).toISOString(), 'SPY', 'stock', i % 2 ? 'sell' : 'buy', '1', '470', '0', '0', `B-${i}`]);
    const done = await importFile(t, user, { accountId }, tradesenseCsv(rows));
    expect(done.counts.executionsAdded).toBe(1100);
    const exported = await csvRows((await get(user, '/api/v1/exports/executions.csv')).body);
    expect(exported.map((r) => r.broker_exec_id)).toEqual(rows.map((r) => r[9]));
    const json = JSON.parse((await get(user, '/api/v1/exports/executions.json')).body) as unknown[];
    expect(json).toHaveLength(1100);
  });
});

describe('round trip', () => {
  it('an executions export imported into a fresh account of a new user gives the same executions and trades', async () => {
    const source = await createUser(t);
    const accountId = await createAccount(t, source);
    const fills = [
      { symbol: 'AAPL', fill: { at: '2024-03-04T15:00:00.123Z', side: 'buy' as const, quantity: '100', price: '170.25', commission: '1', fees: '0.05' } },
      { symbol: 'AAPL', fill: { at: '2024-03-04T15:00:00.123Z', side: 'sell' as const, quantity: '40', price: '170.5', commission: '1', fees: '-0.02' } },
      { symbol: 'AAPL', fill: { at: '2024-03-04T15:00:00.123Z', side: 'sell' as const, quantity: '60', price: '170.5', commission: '1', fees: '0' } },
      { symbol: 'AAPL', fill: { at: '2024-03-04T16:00:00Z', side: 'sell' as const, quantity: '10', price: '171', commission: '0', fees: '0' } },
      { symbol: 'AAPL', fill: { at: '2024-03-04T17:00:00Z', side: 'buy' as const, quantity: '10', price: '169.75', commission: '0', fees: '0' } },
    ];
    for (const { symbol, fill } of fills) await addExecution(t, source, accountId, symbol, fill);
    await addExecution(t, source, accountId, 'ESH4', { at: '2024-03-05T14:30:00Z', side: 'buy', quantity: '2', price: '5100.25', commission: '2.5' }, { assetClass: 'future' });
    await addExecution(t, source, accountId, 'ESH4', { at: '2024-03-05T15:30:00Z', side: 'sell', quantity: '2', price: '5110', commission: '2.5' }, { assetClass: 'future' });
    await addExecution(
      t,
      source,
      accountId,
      'AAPL  240419C00180000',
      { at: '2024-03-06T14:30:00Z', side: 'buy', quantity: '3', price: '2.15', commission: '1.95' },
      { assetClass: 'option' },
    );
    await addExecution(t, source, accountId, 'TSLA', { at: '2024-03-06T15:00:00Z', side: 'buy', quantity: '5', price: '180' }, { brokerExecId: 'EX-77', currency: 'EUR' });

    const csv = (await get(source, '/api/v1/exports/executions.csv')).body;
    const target = await createUser(t);
    const fresh = await createAccount(t, target, { name: 'Fresh' });
    const done = await importFile(t, target, { accountId: fresh }, csv);
    expect(done.status).toBe('done');
    expect(done.broker).toBe('tradesense');
    expect(done.counts.executionsAdded).toBe(9);

    const before = (await listAll<ExecutionBody>(t, source, '/api/v1/executions')).map(comparableExecution);
    const after = (await listAll<ExecutionBody>(t, target, '/api/v1/executions')).map(comparableExecution);
    expect(after).toEqual(before);
    const tradesBefore = (await listAll<Record<string, unknown>>(t, source, '/api/v1/trades?sort=openedAt')).map(comparableTrade);
    const tradesAfter = (await listAll<Record<string, unknown>>(t, target, '/api/v1/trades?sort=openedAt')).map(comparableTrade);
    expect(tradesAfter).toEqual(tradesBefore);
  });
});

describe('GET /exports/trades.csv', () => {
  it('exports the trades the trade-list filters select, in CSV and JSON', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    await addExecution(t, user, accountId, 'AAPL', { at: '2024-03-04T15:00:00Z', side: 'buy', quantity: '1', price: '10' });
    await addExecution(t, user, accountId, 'AAPL', { at: '2024-03-04T16:00:00Z', side: 'sell', quantity: '1', price: '12' });
    await addExecution(t, user, accountId, 'MSFT', { at: '2024-03-04T15:00:00Z', side: 'buy', quantity: '1', price: '400' });

    const all = await csvRows((await get(user, '/api/v1/exports/trades.csv')).body);
    expect(all).toHaveLength(2);
    const closed = await csvRows((await get(user, '/api/v1/exports/trades.csv?status=closed')).body);
    expect(closed.map((r) => [r.symbol, r.status, r.gross_pnl])).toEqual([['AAPL', 'closed', '2']]);
    const json = JSON.parse((await get(user, '/api/v1/exports/trades.json?symbol=MSFT')).body) as { symbol: string; status: string }[];
    expect(json.map((tr) => [tr.symbol, tr.status])).toEqual([['MSFT', 'open']]);

    const bad = await get(user, '/api/v1/exports/trades.csv?sort=price');
    expect(bad.statusCode).toBe(400);
    expectEnvelope(bad.json());
  });
});

describe('exports isolation', () => {
  it("answers 404 for another user's accountId and exports only your own rows", async () => {
    const owner = await createUser(t);
    const other = await createUser(t);
    const accountId = await createAccount(t, owner);
    await addExecution(t, owner, accountId, 'AAPL', { at: '2024-03-04T15:00:00Z', side: 'buy', quantity: '1', price: '10' });
    for (const url of [`/api/v1/exports/executions.csv?accountId=${accountId}`, `/api/v1/exports/trades.json?accountId=${accountId}`]) {
      const res = await get(other, url);
      expect(res.statusCode).toBe(404);
      expectEnvelope(res.json(), 'account_not_found');
    }
    expect(await csvRows((await get(other, '/api/v1/exports/executions.csv')).body)).toHaveLength(0);
    expect(JSON.parse((await get(other, '/api/v1/exports/trades.json')).body)).toEqual([]);
  });

  it('answers 401 to anonymous callers', async () => {
    for (const url of ['/api/v1/exports/executions.csv', '/api/v1/exports/executions.json', '/api/v1/exports/trades.csv', '/api/v1/exports/trades.json']) {
      const res = await get(null, url);
      expect(res.statusCode).toBe(401);
      expectEnvelope(res.json());
    }
  });
});
