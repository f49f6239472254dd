/**
 * Runs accepted imports in the background, in this process: parse the spooled file into the
 * staging table (in a worker thread, batched, in constant memory), then ONE transaction that routes accounts,
 * inserts the executions with dedupe, rebuilds the touched instruments and marks the import
 * done. Anything that stops an import marks it failed and empties its staging, so a file lands
 * whole or not at all. See docs/import-formats.md, "Imports".
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config/config.js';
import type { Tx } from '../../platform/db/database.js';
import type { EventPublisher } from '../../platform/events/event-bus.js';
import { noEvents } from '../../platform/events/event-bus.js';
import { projectRoot } from '../../lib/paths.js';
import type { AccountsRepository } from '../accounts/accounts.repository.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { TradesService } from '../trades/trades.service.js';
import type { ImportFailure } from './imports.domain.js';
import type { ImportProgress, ImportRow, ImportsRepository } from './imports.repository.js';
import { ImportFailedError } from './imports.staging.js';
import type { FormAccount, StagingJob, StagingOutcome } from './imports.staging.js';
import type { RowError } from './parsing/types.js';

export type ImportsConfig = Config['imports'];

/** Rows per staging COPY (about 200 bytes of COPY text each). */
const STAGE_BATCH = 5000;
const PROGRESS_EVERY_MS = 1000;
/** An import that adds at least this many executions refreshes the planner statistics of the tables it grew. */
const ANALYZE_AFTER_ROWS = 10_000;
/** import.progress events: at most four a second per import. */
const PROGRESS_EVENT_EVERY_MS = 250;

/**
 * The parse worker's heap. Its live data is a chunk of the file and a batch or two; V8's default
 * young generation alone grew a 1,000,000-row parse by ≈ 60 MiB of RSS (105 against 162–170 MiB
 * for the worker and its process, no slower). The old-generation cap bounds a pathological file
 * (a worker out of memory fails the import, not the server).
 */
const PARSE_WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 };

/** What the parse worker (imports.parse-worker.ts) posts to the pipeline. */
export type ParseWorkerMessage =
  | { type: 'batch'; copy: Uint8Array; progress: ImportProgress }
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'done'; outcome: StagingOutcome }
  | { type: 'failed'; failure: ImportFailure }
  | { type: 'crashed'; message: string };

/**
 * A thread parsing one import. From the compiled server it is dist/'s bundled worker entry; from
 * the TypeScript sources (tsx, vitest) the thread loads the .ts entry through tsx's loader API.
 */
function startParseWorker(data: StagingJob & { file: string }): Worker {
  const options = { workerData: data, resourceLimits: PARSE_WORKER_LIMITS };
  if (import.meta.url.endsWith('.ts')) {
    const entry = new URL('./imports.parse-worker.ts', import.meta.url).href;
    const code = `const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); await import(${JSON.stringify(entry)});`;
    return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), options);
  }
  return new Worker(path.join(projectRoot, 'dist/src/modules/imports/imports.parse-worker.js'), options);
}

export interface ImportPipelineDeps {
  importsRepository: ImportsRepository;
  accountsService: Pick<AccountsService, 'getAccount'>;
  accountsRepository: Pick<AccountsRepository, 'list' | 'insert'>;
  tradesService: Pick<TradesService, 'rebuildInstruments'>;
  config: ImportsConfig;
  /** One process owns the database (PGlite): every running import found at start is abandoned. */
  singleProcess: boolean;
  log: FastifyBaseLogger;
  /** Told how each import this process ran ended (metrics). */
  onFinished?: (status: 'done' | 'failed') => void;
  /** import.progress while parsing, import.completed / import.failed when it ends. */
  events?: EventPublisher;
}

interface Job {
  id: string;
  userId: string;
  file: string;
}

const ACCOUNTS_CHANGED: ImportFailure = {
  code: 'accounts_changed',
  message: "The import account's broker account id changed while the file was read; nothing was written. Upload the file again.",
  details: {},
};

export const INTERRUPTED: ImportFailure = {
  code: 'interrupted',
  message: 'The import was interrupted (the server stopped or restarted) before it finished; nothing was written. Upload the file again.',
  details: {},
};

export function createImportPipeline({ importsRepository, accountsService, accountsRepository, tradesService, config, singleProcess, log, onFinished, events = noEvents }: ImportPipelineDeps) {
  const queue: Job[] = [];
  const held = new Map<string, Job>();
  const active = new Set<Promise<void>>();
  const abort = new AbortController();
  let heartbeatTimer: NodeJS.Timeout | undefined;

  const uploadPath = (id: string) => path.join(config.dir, `${id}.upload`);

  /**
   * Parses the file in a worker thread into the staging table: the worker posts COPY batches,
   * this thread writes each as it comes and acknowledges it when written, so the parsing overlaps
   * the database writes and waits for them when three batches are unacknowledged.
   */
  async function parseToStaging(job: Job, row: ImportRow, formAccount: FormAccount | null): Promise<StagingOutcome> {
    if (abort.signal.aborted) throw new ImportFailedError(INTERRUPTED);
    const progress: ImportProgress = { rowsRead: 0, bytesRead: 0, executionsParsed: 0, invalidRows: 0, ignoredRows: 0 };
    let lastSaved = Date.now();
    let lastEvent = 0;
    let saving: Promise<void> | undefined;
    const inFlight = new Set<Promise<void>>();
    let writeError: unknown;
    const worker = startParseWorker({
      file: job.file,
      importId: job.id,
      broker: row.broker ?? row.brokerRequested,
      timezone: row.timezone,
      formAccount,
      onInvalid: row.onInvalid,
      maxRows: config.maxRows,
      batchRows: STAGE_BATCH,
    });
    let onAbort: (() => void) | undefined;
    try {
      const outcome = await new Promise<StagingOutcome>((resolve, reject) => {
        const fail = (error: unknown) => {
          writeError ??= error;
          reject(error);
        };
        const track = (p: Promise<void>) => {
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
        };
        const report = (next: ImportProgress) => {
          Object.assign(progress, next);
          const now = Date.now();
          if (now - lastEvent >= PROGRESS_EVENT_EVERY_MS) {
            lastEvent = now;
            events.publish(job.userId, 'import.progress', { importId: job.id, status: 'parsing', ...progress });
          }
          if (now - lastSaved >= PROGRESS_EVERY_MS && saving === undefined) {
            lastSaved = now;
            saving = importsRepository.saveProgress(job.id, { ...progress }).then(() => {
              saving = undefined;
            }, fail);
            track(saving);
          }
        };
        onAbort = () => reject(new ImportFailedError(INTERRUPTED));
        abort.signal.addEventListener('abort', onAbort, { once: true });
        worker.on('message', (message: ParseWorkerMessage) => {
          if (message.type === 'batch') {
            report(message.progress);
            track(importsRepository.stageCopy(message.copy).then(() => worker.postMessage('ack'), fail));
          } else if (message.type === 'progress') report(message.progress);
          else if (message.type === 'done') resolve(message.outcome);
          else if (message.type === 'failed') reject(new ImportFailedError(message.failure));
          else reject(new Error(`parsing the import failed: ${message.message}`));
        });
        worker.on('error', reject);
        worker.on('exit', (code) => reject(new Error(`the import's parse worker stopped (exit code ${code})`)));
      });
      await Promise.all(inFlight);
      if (writeError !== undefined) throw writeError;
      return outcome;
    } finally {
      if (onAbort) abort.signal.removeEventListener('abort', onAbort);
      await worker.terminate();
      // Nothing of this import may still be writing when the caller fails it and empties its staging.
      await Promise.allSettled(inFlight);
    }
  }

  /**
   * Matches each broker account id of the file to an account (same broker first), creating the
   * missing ones, inside the write transaction. The parse numbered identical fills counting the
   * rows that name the form account's broker account id (as it was when the parse began) with
   * the rows that name none; should another reference reach the form account now, that numbering
   * could give two genuine fills one content hash, so the import fails instead.
   */
  async function routeAccounts(userId: string, refs: readonly string[], broker: string, formAccount: FormAccount | null, tx: Tx) {
    if (refs.length === 0) return { routes: [], created: 0 };
    const accounts = [];
    let after: { createdAt: string; id: string } | undefined;
    for (;;) {
      const page = await accountsRepository.list(userId, { after, limit: 500 }, tx);
      accounts.push(...page);
      const last = page.at(-1);
      if (page.length < 500 || !last) break;
      after = { createdAt: last.createdAtKey, id: last.id };
    }
    const routes: { accountRef: string; accountId: string; currency: string }[] = [];
    let created = 0;
    for (const ref of refs) {
      const candidates = accounts.filter((a) => a.brokerAccountId === ref);
      let account = candidates.find((a) => a.broker === broker) ?? candidates[0];
      if (!account) {
        account = await accountsRepository.insert(userId, { name: ref, broker, brokerAccountId: ref, currency: 'USD', timezone: null, startingBalance: null }, tx);
        created++;
      }
      if (account.id === formAccount?.id && ref !== formAccount.brokerAccountId) throw new ImportFailedError(ACCOUNTS_CHANGED);
      routes.push({ accountRef: ref, accountId: account.id, currency: account.currency });
    }
    return { routes, created };
  }

  async function run(job: Job): Promise<void> {
    const started = await importsRepository.setStatus(job.id, 'parsing');
    if (!started) return;
    const row = await importsRepository.findById(job.userId, job.id);
    if (!row) return;
    let progress: ImportProgress | undefined;
    let rowErrors: RowError[] = [];
    try {
      let formAccount: FormAccount | null = null;
      if (row.accountId !== null) {
        const account = await accountsService.getAccount(job.userId, row.accountId).catch(() => null);
        if (!account) throw new ImportFailedError({ code: 'account_not_found', message: 'The import account was deleted before the import ran.', details: {} });
        formAccount = { id: account.id, currency: account.currency, brokerAccountId: account.brokerAccountId };
      }
      const parsed = await parseToStaging(job, row, formAccount);
      progress = parsed.progress;
      rowErrors = parsed.errors;
      if (row.onInvalid === 'reject' && parsed.errorCount > 0) {
        throw new ImportFailedError({
          code: 'invalid_rows',
          message: `${parsed.errorCount} row(s) are invalid, so nothing was imported. Fix them, or import with onInvalid=skip to import the valid rows.`,
          details: { invalidRows: parsed.errorCount },
        });
      }
      if (abort.signal.aborted) throw new ImportFailedError(INTERRUPTED);
      if (!(await importsRepository.setStatus(job.id, 'writing'))) return;
      await importsRepository.saveProgress(job.id, progress);
      events.publish(job.userId, 'import.progress', { importId: job.id, status: 'writing', ...progress });
      const broker = row.broker ?? row.brokerRequested;
      const outcome = await importsRepository.transaction(async (tx) => {
        await importsRepository.setLocalStatementTimeout(config.writeTimeoutMs, tx);
        const refs = await importsRepository.stagedAccountRefs(job.id, tx);
        const { routes, created } = await routeAccounts(job.userId, refs, broker, formAccount, tx);
        const touched = await importsRepository.writeStaged(job.userId, job.id, routes, tx);
        const added = touched.reduce((n, t) => n + t.added, 0);
        // One call for all: the rebuild packs its rounds by the executions each instrument holds.
        await tradesService.rebuildInstruments(job.userId, touched, tx);
        await importsRepository.deleteStaging(job.id, tx);
        const done = { ...parsed.progress, executionsAdded: added, duplicatesSkipped: parsed.progress.executionsParsed - added, accountsCreated: created };
        await importsRepository.markDone(job.id, { ...done, rowErrors }, tx);
        return done;
      });
      onFinished?.('done');
      events.publish(job.userId, 'import.completed', { importId: job.id, status: 'done', ...outcome, rowErrorCount: rowErrors.length });
      if (outcome.executionsAdded >= ANALYZE_AFTER_ROWS) {
        // Until the statistics know the new rows, the planner can sort a user's whole trade list for its first page.
        await importsRepository.analyzeImportedTables().catch((error: unknown) => log.warn({ err: error, importId: job.id }, 'analyze after import failed'));
      }
    } catch (error) {
      let failure: ImportFailure;
      if (error instanceof ImportFailedError) failure = error.failure;
      else if ((error as { code?: string }).code === '57014' || (error as { cause?: { code?: string } }).cause?.code === '57014') {
        failure = { code: 'write_timeout', message: `Writing the import took longer than ${config.writeTimeoutMs} ms; nothing was written.`, details: {} };
      } else {
        log.error({ err: error, importId: job.id }, 'import failed unexpectedly');
        failure = { code: 'internal_error', message: 'The import failed on our side; nothing was written. Quote the import id when reporting it.', details: {} };
      }
      await importsRepository.markFailed(job.id, failure, { ...(progress ?? {}), rowErrors });
      onFinished?.('failed');
      events.publish(job.userId, 'import.failed', { importId: job.id, status: 'failed', code: failure.code, message: failure.message });
    }
  }

  function pump(): void {
    while (active.size < config.workers && queue.length > 0 && !abort.signal.aborted) {
      const job = queue.shift()!;
      const p = run(job)
        .catch((error: unknown) => log.error({ err: error, importId: job.id }, 'import worker error'))
        .finally(async () => {
          held.delete(job.id);
          await rm(job.file, { force: true });
          active.delete(p);
          pump();
        });
      active.add(p);
    }
  }

  async function heartbeat(): Promise<void> {
    try {
      await importsRepository.heartbeat([...held.keys()]);
      // Another process may have died holding imports: fail them once they have gone quiet.
      if (!singleProcess) await importsRepository.failAbandoned(config.staleAfterSeconds, INTERRUPTED, [...held.keys()]);
    } catch (error) {
      log.warn({ err: error }, 'import heartbeat failed');
    }
  }

  return {
    enqueue(job: Job): void {
      held.set(job.id, job);
      queue.push(job);
      heartbeatTimer ??= setInterval(() => void heartbeat(), Math.max(1000, (config.staleAfterSeconds * 1000) / 4)).unref();
      pump();
    },

    /**
     * Start-up recovery: imports left queued or running by a process that stopped are failed and
     * their staged rows and spooled files removed, so nothing of them remains; uploading the file
     * again gives the same result as an uninterrupted run.
     */
    async recover(): Promise<string[]> {
      const ids = await importsRepository.failAbandoned(singleProcess ? 0 : config.staleAfterSeconds, INTERRUPTED, [...held.keys()]);
      await importsRepository.deleteOrphanStaging();
      for (const id of ids) await rm(uploadPath(id), { force: true });
      await removeStaleUploads();
      return ids;
    },

    /** Stops taking work; running imports end as failed (interrupted) unless already writing, which completes. */
    async stop(): Promise<void> {
      abort.abort();
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      for (const job of queue.splice(0)) {
        await importsRepository.markFailed(job.id, INTERRUPTED, {});
        held.delete(job.id);
        await rm(job.file, { force: true });
      }
      await Promise.all(active);
    },

    uploadPath,

    /** Imports this process is running and holding in its queue. */
    stats: () => ({ running: active.size, queued: queue.length }),
  };

  /**
   * Spooled files no running import owns: left by a crash between upload and processing, or by an
   * import another process failed (with several processes, any of them may fail an abandoned one).
   */
  async function removeStaleUploads(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(config.dir);
    } catch {
      return;
    }
    const ids = names.filter((n) => n.endsWith('.upload')).map((n) => n.slice(0, -'.upload'.length));
    const states = await importsRepository.statesAmong(ids.filter((id) => /^[0-9a-f-]{36}$/.test(id)));
    for (const id of ids) {
      if (held.has(id) || states.running.has(id)) continue;
      const file = uploadPath(id);
      if (states.ended.has(id)) {
        await rm(file, { force: true });
        continue;
      }
      const info = await stat(file).catch(() => null);
      // An upload still being received has no import row yet: leave young files alone.
      if (info && (singleProcess || Date.now() - info.mtimeMs > config.staleAfterSeconds * 1000)) await rm(file, { force: true });
    }
  }
}

export type ImportPipeline = ReturnType<typeof createImportPipeline>;
