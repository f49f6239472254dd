import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executions, imports } from '../../../src/db/schema/index.js';
import { createAccountsRepository } from '../../../src/modules/accounts/accounts.repository.js';
import { createAccountsService } from '../../../src/modules/accounts/accounts.service.js';
import { createImportPipeline } from '../../../src/modules/imports/imports.pipeline.js';
import type { ImportPipelineDeps } from '../../../src/modules/imports/imports.pipeline.js';
import { createImportsRepository } from '../../../src/modules/imports/imports.repository.js';
import type { ImportsRepository } from '../../../src/modules/imports/imports.repository.js';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, createUser } from '../../helpers/app.js';
import { createAccount } from '../executions/ledger-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

/** A pipeline of its own (stopping it leaves the app's alone); its trades service refuses the rebuild, so no import of it ends done. */
function pipeline(
  importsRepository: ImportsRepository = createImportsRepository(t.database.db),
  accountsService: ImportPipelineDeps['accountsService'] = createAccountsService({ accountsRepository: createAccountsRepository(t.database.db) }),
) {
  const accountsRepository = createAccountsRepository(t.database.db);
  return createImportPipeline({
    importsRepository,
    accountsService,
    accountsRepository,
    tradesService: { rebuildInstruments: () => Promise.reject(new Error('not reached')) },
    config: t.config.imports,
    singleProcess: t.database.driver === 'pglite',
    log: t.app.log,
  });
}

/** A queued import of a new user's new account, as the upload leaves it before the pipeline takes it. */
async function queuedImport() {
  const user = await createUser(t);
  const accountId = await createAccount(t, user);
  const [row] = await t.database.db
    .insert(imports)
    .values({ userId: user.id, accountId, status: 'queued', brokerRequested: 'tradesense', broker: 'tradesense', timezone: 'UTC', onInvalid: 'reject', fileBytes: 1, fileSha256: 'x' })
    .returning();
  return row!;
}

/** A spooled upload of `blocks` × 1,000 valid rows (one symbol a block), as the upload leaves it. */
async function spooled(importId: string, blocks: number): Promise<string> {
  mkdirSync(t.config.imports.dir, { recursive: true });
  const file = path.join(t.config.imports.dir, `${importId}.upload`);
  const out = createWriteStream(file);
  out.write('executed_at,symbol,asset_class,side,quantity,price\n');
  for (let block = 0; block < blocks; block++) {
    let text = '';
    for (let i = 0; i < 1000; i++) text += `2024-01-08T14:00:${String(i % 60).padStart(2, '0')}Z,S${block},stock,${i % 2 ? 'sell' : 'buy'},1,10${i % 10}\n`;
    out.write(text);
  }
  out.end();
  await finished(out);
  return file;
}

async function statusOf(id: string) {
  const [row] = await t.database.db.select().from(imports).where(eq(imports.id, id));
  return row!;
}

async function until(check: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('parsing in the worker thread', () => {
  it('stop() while the worker parses ends the import as interrupted, with nothing staged and the file removed', async () => {
    const row = await queuedImport();
    const file = await spooled(row.id, 300);

    const importsRepository = createImportsRepository(t.database.db);
    const p = pipeline();
    p.enqueue({ id: row.id, userId: row.userId, file });
    // Stopped once the worker has handed over at least one batch, long before it reaches the end of the 300,000 rows.
    await until(async () => (await importsRepository.countStaged(row.id)) > 0);
    await p.stop();

    const stopped = await statusOf(row.id);
    expect(stopped.status).toBe('failed');
    expect(stopped.failure).toMatchObject({ code: 'interrupted' });
    expect(await importsRepository.countStaged(row.id)).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it('fails the import as internal_error, with nothing staged and the file removed, when writing a batch fails midway', async () => {
    const row = await queuedImport();
    const file = await spooled(row.id, 30);
    const real = createImportsRepository(t.database.db);
    let batches = 0;
    const failing: ImportsRepository = {
      ...real,
      stageCopy: (copy) => (++batches === 3 ? Promise.reject(new Error('connection lost')) : real.stageCopy(copy)),
    };
    const p = pipeline(failing);
    p.enqueue({ id: row.id, userId: row.userId, file });
    await until(async () => (await statusOf(row.id)).status === 'failed');
    // The run's end (the spooled file's removal) follows the status; stop() waits for it.
    await p.stop();
    expect((await statusOf(row.id)).failure).toMatchObject({ code: 'internal_error' });
    expect(batches).toBeGreaterThanOrEqual(3);
    expect(await real.countStaged(row.id)).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it('keeps at most three batches unwritten: the worker waits for the database', async () => {
    const row = await queuedImport();
    // 60,000 rows: twelve batches of 5,000 if nothing held the worker back.
    const file = await spooled(row.id, 60);
    const real = createImportsRepository(t.database.db);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let received = 0;
    const held: ImportsRepository = {
      ...real,
      stageCopy: async (copy) => {
        received++;
        await gate;
        return real.stageCopy(copy);
      },
    };
    const p = pipeline(held);
    p.enqueue({ id: row.id, userId: row.userId, file });
    await until(async () => received === 3);
    // Time for the worker to parse the whole file, were it not waiting for acknowledgements.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(received).toBe(3);
    expect((await statusOf(row.id)).status).toBe('parsing');
    release();
    // Written, the rest follows: the import reaches the write phase (which this pipeline's trades service refuses).
    await until(async () => (await statusOf(row.id)).status === 'failed');
    expect(received).toBe(12);
    await p.stop();
  });

  it("fails the import as accounts_changed, writing nothing, when a row's reference reaches the form account under a broker account id the parse did not know", async () => {
    const row = await queuedImport();
    const service = createAccountsService({ accountsRepository: createAccountsRepository(t.database.db) });
    await service.updateAccount(row.userId, row.accountId!, { brokerAccountId: 'F1' });
    // The form account as the parse saw it, before its broker account id became F1.
    const before: ImportPipelineDeps['accountsService'] = { getAccount: async (userId, id) => ({ ...(await service.getAccount(userId, id)), brokerAccountId: 'F0' }) };
    mkdirSync(t.config.imports.dir, { recursive: true });
    const file = path.join(t.config.imports.dir, `${row.id}.upload`);
    const fill = '2024-01-08T14:31:00Z,AAPL,stock,buy,10,180';
    writeFileSync(file, `account,executed_at,symbol,asset_class,side,quantity,price\n,${fill}\nF1,${fill}\n`);
    const p = pipeline(undefined, before);
    p.enqueue({ id: row.id, userId: row.userId, file });
    await until(async () => (await statusOf(row.id)).status === 'failed');
    await p.stop();
    expect((await statusOf(row.id)).failure).toMatchObject({ code: 'accounts_changed' });
    expect(await t.database.db.select().from(executions).where(eq(executions.importId, row.id))).toHaveLength(0);
    expect(existsSync(file)).toBe(false);
  });

  it('fails the import as internal_error when the worker itself fails (the spooled file is gone)', async () => {
    const row = await queuedImport();
    const p = pipeline();
    p.enqueue({ id: row.id, userId: row.userId, file: path.join(t.config.imports.dir, 'missing.upload') });
    await until(async () => (await statusOf(row.id)).status === 'failed');
    expect((await statusOf(row.id)).failure).toMatchObject({ code: 'internal_error' });
    await p.stop();
  });
});
