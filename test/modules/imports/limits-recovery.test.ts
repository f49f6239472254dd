import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executions, importStaging, imports } from '../../../src/db/schema/index.js';
import { createAccountsRepository } from '../../../src/modules/accounts/accounts.repository.js';
import { createImportPipeline } from '../../../src/modules/imports/imports.pipeline.js';
import { createImportsRepository } from '../../../src/modules/imports/imports.repository.js';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from '../../helpers/app.js';
import { createAccount } from '../executions/ledger-helpers.js';
import { importFile, listAll, tradesenseCsv, upload } from './import-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ IMPORT_MAX_FILE_BYTES: '2048', IMPORT_MAX_ROWS: '20' });
});
afterAll(() => t.close());

const row = (i: number) => ['', `2024-01-08T14:${String(i % 60).padStart(2, '0')}:00Z`, 'AAPL', 'stock', i % 2 ? 'sell' : 'buy', '1', '180', '0', '0', `R-${i}`];

async function executionsOf(user: TestUser) {
  return t.database.db.select().from(executions).where(eq(executions.userId, user.id));
}

describe('configured limits', () => {
  it('answers 413 file_too_large above IMPORT_MAX_FILE_BYTES, keeping nothing', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const content = tradesenseCsv(Array.from({ length: 60 }, (_, i) => row(i)));
    expect(Buffer.byteLength(content)).toBeGreaterThan(2048);
    const res = await upload(t, user, { accountId }, { content });
    expect(res.statusCode).toBe(413);
    expectEnvelope(res.json(), 'file_too_large');
    expect(res.json().details.maxBytes).toBe(2048);
    expect(await t.database.db.select().from(imports).where(eq(imports.userId, user.id))).toHaveLength(0);
    expect(await executionsOf(user)).toHaveLength(0);
  });

  it('fails an import with more rows than IMPORT_MAX_ROWS, writing nothing', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const compact = 'executed_at,symbol,asset_class,side,quantity,price\n' + Array.from({ length: 25 }, (_, i) => `2024-01-08T14:${String(i).padStart(2, '0')}:00Z,A,stock,buy,1,1`).join('\n');
    expect(Buffer.byteLength(compact)).toBeLessThan(2048);
    const done = await importFile(t, user, { accountId }, compact);
    expect(done.status).toBe('failed');
    expect(done.failure).toMatchObject({ code: 'too_many_rows', details: { maxRows: 20 } });
    expect(await executionsOf(user)).toHaveLength(0);
  });
});

/** A pipeline of its own, for its start-up recovery only (as a process starting on this database runs it). */
function recoveryPipeline(singleProcess: boolean) {
  return createImportPipeline({
    importsRepository: createImportsRepository(t.database.db),
    accountsService: { getAccount: () => Promise.reject(new Error('not used by recovery')) },
    accountsRepository: createAccountsRepository(t.database.db),
    tradesService: { rebuildInstruments: () => Promise.reject(new Error('not used by recovery')) },
    config: t.config.imports,
    singleProcess,
    log: t.app.log,
  });
}

describe('crash recovery', () => {
  it('fails an import a crash left in writing, removes its staged rows and spooled file, and a new run gives the uninterrupted result', async () => {
    const user = await createUser(t);
    const accountId = await createAccount(t, user);
    const content = tradesenseCsv(Array.from({ length: 6 }, (_, i) => row(i)));

    // A reference user imports the same file without interruption.
    const reference = await createUser(t);
    const referenceAccount = await createAccount(t, reference);
    const uninterrupted = await importFile(t, reference, { accountId: referenceAccount }, content);
    expect(uninterrupted.status).toBe('done');

    // What a process that died in the middle of the write leaves behind.
    const [crashed] = await t.database.db
      .insert(imports)
      .values({
        userId: user.id,
        accountId,
        status: 'writing',
        brokerRequested: 'auto',
        broker: 'tradesense',
        timezone: 'UTC',
        onInvalid: 'reject',
        fileBytes: Buffer.byteLength(content),
        fileSha256: 'x',
        heartbeatAt: new Date(Date.now() - 3_600_000),
      })
      .returning();
    await t.database.db.insert(importStaging).values(
      Array.from({ length: 3 }, (_, i) => ({
        importId: crashed!.id,
        ord: i,
        line: i + 2,
        accountId,
        instrumentKey: 'AAPL',
        executedAt: new Date(`2024-01-08T14:0${i}:00Z`),
        symbol: 'AAPL',
        assetClass: 'stock' as const,
        side: 'buy' as const,
        quantity: '1',
        price: '180',
        commission: '0',
        fees: '0',
        multiplier: '1',
        currency: 'USD',
        contentKey: `k${i}`,
      })),
    );
    mkdirSync(t.config.imports.dir, { recursive: true });
    const spooled = path.join(t.config.imports.dir, `${crashed!.id}.upload`);
    writeFileSync(spooled, content);

    // The start-up recovery buildApp runs, as a process starting on this database would.
    const pipeline = recoveryPipeline(t.database.driver === 'pglite');
    // With PostgreSQL, another test process's recovery or heartbeat may fail the abandoned import first; either way
    // this recovery must leave it failed, with nothing staged and its spooled file removed.
    await pipeline.recover();

    const res = await call(t, user, { method: 'GET', url: `/api/v1/imports/${crashed!.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'failed', failure: { code: 'interrupted' } });
    expect(await t.database.db.select().from(importStaging).where(eq(importStaging.importId, crashed!.id))).toHaveLength(0);
    expect(await executionsOf(user)).toHaveLength(0);
    expect(existsSync(spooled)).toBe(false);

    const rerun = await importFile(t, user, { accountId }, content);
    expect(rerun.status).toBe('done');
    expect(rerun.counts).toEqual(uninterrupted.counts);
    const strip = (trades: Record<string, unknown>[]) => trades.map(({ id: _id, accountId: _a, createdAt: _c, updatedAt: _u, ...rest }) => rest);
    expect(strip(await listAll(t, user, '/api/v1/trades?sort=openedAt'))).toEqual(strip(await listAll(t, reference, '/api/v1/trades?sort=openedAt')));
  });

  it('with several processes, leaves alone an import whose worker still reports (fresh heartbeat)', async () => {
    const user = await createUser(t);
    const [live] = await t.database.db
      .insert(imports)
      .values({ userId: user.id, status: 'parsing', brokerRequested: 'auto', timezone: 'UTC', onInvalid: 'reject', fileBytes: 1, fileSha256: 'x' })
      .returning();
    const pipeline = recoveryPipeline(false);
    expect(await pipeline.recover()).not.toContain(live!.id);
    const [after] = await t.database.db.select().from(imports).where(eq(imports.id, live!.id));
    expect(after!.status).toBe('parsing');
  });

  it('with several processes, removes the spooled file of an import another process has already failed, however young the file', async () => {
    const user = await createUser(t);
    const ended = { userId: user.id, brokerRequested: 'auto', timezone: 'UTC', onInvalid: 'reject' as const, fileBytes: 1, fileSha256: 'x' };
    const [failed] = await t.database.db.insert(imports).values({ ...ended, status: 'failed' }).returning();
    const [queued] = await t.database.db.insert(imports).values({ ...ended, status: 'queued' }).returning();
    mkdirSync(t.config.imports.dir, { recursive: true });
    const failedFile = path.join(t.config.imports.dir, `${failed!.id}.upload`);
    const queuedFile = path.join(t.config.imports.dir, `${queued!.id}.upload`);
    writeFileSync(failedFile, 'x');
    writeFileSync(queuedFile, 'x');
    const pipeline = recoveryPipeline(false);
    await pipeline.recover();
    expect(existsSync(failedFile)).toBe(false);
    // A queued import with a fresh heartbeat belongs to a live process: its file stays.
    expect(existsSync(queuedFile)).toBe(true);
  });
});
