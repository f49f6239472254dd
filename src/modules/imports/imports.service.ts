import { createReadStream } from 'node:fs';
import Value from 'typebox/value';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors/app-error.js';
import { normalizeDecimalString } from '../../lib/decimal.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { PreparedExecution } from '../executions/executions.domain.js';
import type { TradesService } from '../trades/trades.service.js';
import { PREVIEW_EXECUTIONS, decodeImportCursor, encodeImportCursor } from './imports.domain.js';
import type { ImportFailure } from './imports.domain.js';
import type { ImportPipeline, ImportsConfig } from './imports.pipeline.js';
import { prepareParsed } from './imports.staging.js';
import type { FormAccount } from './imports.staging.js';
import { RUNNING_STATUSES } from './imports.repository.js';
import type { ImportRow, ImportsRepository } from './imports.repository.js';
import { ImportForm } from './imports.schemas.js';
import type {
  ImportAcceptedView,
  ImportDetailView,
  ImportFormInput,
  ImportFormatsView,
  ImportListInput,
  ImportPreviewView,
  ImportSummaryView,
  PreviewExecutionView,
} from './imports.schemas.js';
import type { ReceivedUpload } from './imports.upload.js';
import { MalformedCsvError, UnknownFormatError, parseExecutions } from './parsing/parse-stream.js';
import { readCsvRecords } from './parsing/csv.js';
import { BROKERS, DETECTION_ROWS, detectBroker, getBroker } from './parsing/registry.js';
import { isBlankRow } from './parsing/row.js';
import type { BrokerAdapter, RowError } from './parsing/types.js';
import { assertTimeZone } from './parsing/values.js';

export interface ImportsServiceDeps {
  importsRepository: ImportsRepository;
  accountsService: Pick<AccountsService, 'getAccount'>;
  tradesService: Pick<TradesService, 'rebuildInstruments'>;
  /** The user's own time zone, the default for files when the account has none. */
  userTimezone: (userId: string) => Promise<string>;
  pipeline: Pick<ImportPipeline, 'enqueue'>;
  config: Pick<ImportsConfig, 'maxRunningPerUser'>;
}

const importNotFound = () => notFound('import_not_found', 'Import not found');

const tooManyImports = (max: number) =>
  new AppError('TooManyRequests', 'too_many_imports', `You already have ${max} import(s) queued or running; wait for one to finish.`, { maxRunning: max, retryAfterSeconds: 10 }, { 'retry-after': '10' });

const formats = (): ImportFormatsView['data'] => BROKERS.map((b) => ({ id: b.id, name: b.name, description: b.description, expectedColumns: [...b.expectedColumns] }));

function unknownFormat(error: UnknownFormatError): AppError {
  return new AppError('Unprocessable', 'unknown_format', `${error.message}. The first row has: ${error.headersFound.join(', ') || '(nothing)'}.`, {
    headersFound: error.headersFound,
    supported: formats().map(({ id, name, expectedColumns }) => ({ id, name, expectedColumns })),
  });
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

function toSummary(row: ImportRow, now: Date): ImportSummaryView {
  const end = row.finishedAt ?? (row.startedAt ? now : null);
  return {
    id: row.id,
    status: row.status,
    accountId: row.accountId,
    brokerRequested: row.brokerRequested,
    broker: row.broker,
    timezone: row.timezone,
    onInvalid: row.onInvalid,
    fileName: row.fileName,
    progress: { rowsRead: row.rowsRead, bytesRead: Math.min(row.bytesRead, row.fileBytes), totalBytes: row.fileBytes },
    counts: {
      rows: row.rowsRead,
      executions: row.executionsParsed,
      executionsAdded: row.executionsAdded,
      duplicatesSkipped: row.duplicatesSkipped,
      invalidRows: row.invalidRows,
      ignoredRows: row.ignoredRows,
      accountsCreated: row.accountsCreated,
    },
    failure: (row.failure as ImportFailure | null) ?? null,
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    durationMs: row.startedAt && end ? Math.max(0, end.getTime() - row.startedAt.getTime()) : null,
  };
}

function toPreviewExecution(line: number, accountRef: string | null, p: PreparedExecution): PreviewExecutionView {
  return {
    line,
    accountRef,
    executedAt: p.executedAt.toISOString(),
    symbol: p.symbol,
    instrumentKey: p.instrumentKey,
    assetClass: p.assetClass,
    side: p.side,
    quantity: normalizeDecimalString(p.quantity),
    price: normalizeDecimalString(p.price),
    commission: normalizeDecimalString(p.commission),
    fees: normalizeDecimalString(p.fees),
    multiplier: normalizeDecimalString(p.multiplier),
    currency: p.currency === '' ? null : p.currency,
    brokerExecId: p.brokerExecId,
    underlying: p.underlying,
    expiry: p.expiry,
    strike: p.strike === null ? null : normalizeDecimalString(p.strike),
    optionRight: p.optionRight,
  };
}

interface ResolvedForm {
  account: FormAccount | null;
  broker: string;
  timezone: string;
  onInvalid: 'reject' | 'skip';
}

export function createImportsService({ importsRepository, accountsService, tradesService, userTimezone, pipeline, config }: ImportsServiceDeps) {
  /** The form's fields checked (400), its account owned (404), the time zone resolved and known (400). */
  async function resolveForm(userId: string, fields: Record<string, string>): Promise<ResolvedForm> {
    if (!Value.Check(ImportForm, fields)) {
      throw badRequest('validation_failed', 'The import form is invalid.', {
        fields: [...Value.Errors(ImportForm, fields)].map((e) => ({ in: 'body', field: e.instancePath.replace(/^\//, '') || 'body', message: e.message })),
      });
    }
    const form = fields as ImportFormInput;
    const account = form.accountId ? await accountsService.getAccount(userId, form.accountId) : null;
    const timezone = form.timezone ?? account?.timezone ?? (await userTimezone(userId));
    try {
      assertTimeZone(timezone);
    } catch {
      throw badRequest('invalid_timezone', `"${timezone}" is not an IANA time zone.`, { timezone });
    }
    return { account: account && { id: account.id, currency: account.currency, brokerAccountId: account.brokerAccountId }, broker: form.broker ?? 'auto', timezone, onInvalid: form.onInvalid ?? 'reject' };
  }

  /**
   * The adapter for the file: the one the form names, or detection over its first rows (422 when
   * none recognises it). Null when the file is not readable CSV: the caller decides what that means.
   */
  async function chooseFormat(upload: ReceivedUpload, broker: string): Promise<BrokerAdapter | null> {
    if (broker !== 'auto') return getBroker(broker)!;
    const sample: string[][] = [];
    const records = readCsvRecords(createReadStream(upload.path, { highWaterMark: 64 * 1024 }));
    try {
      for await (const record of records) {
        if (!isBlankRow(record.cells)) sample.push(record.cells);
        if (sample.length >= DETECTION_ROWS) break;
      }
    } catch (error) {
      if (error instanceof MalformedCsvError) return null;
      throw error;
    }
    const detected = detectBroker(sample);
    if (!detected) throw unknownFormat(new UnknownFormatError((sample[0] ?? []).map((c) => c.trim()).filter((c) => c !== '')));
    return detected.adapter;
  }

  return {
    formats(): ImportFormatsView {
      return { data: formats() };
    },

    /** Queued and running imports of all users (every process), for the admin status. */
    countActive: () => importsRepository.countActive(),

    /** Cheap early refusal before an upload is received (the insert re-checks atomically). */
    async assertCanStart(userId: string): Promise<void> {
      if ((await importsRepository.countRunning(userId)) >= config.maxRunningPerUser) throw tooManyImports(config.maxRunningPerUser);
    },

    /** Checks the form and the file's format, records the import as queued and hands it to the pipeline. */
    async startImport(userId: string, upload: ReceivedUpload): Promise<ImportAcceptedView> {
      try {
        const form = await resolveForm(userId, upload.fields);
        // Unreadable CSV is not refused here: the import records it as its failure.
        const adapter = await chooseFormat(upload, form.broker);
        const row = await importsRepository.insertIfUnderLimit(
          userId,
          {
            id: upload.id,
            accountId: form.account?.id ?? null,
            brokerRequested: form.broker,
            broker: adapter?.id ?? null,
            timezone: form.timezone,
            onInvalid: form.onInvalid,
            fileName: upload.fileName,
            fileBytes: upload.bytes,
            fileSha256: upload.sha256,
          },
          config.maxRunningPerUser,
        );
        if (!row) throw tooManyImports(config.maxRunningPerUser);
        pipeline.enqueue({ id: row.id, userId, file: upload.path });
        return { id: row.id, status: row.status };
      } catch (error) {
        await upload.discard();
        throw error;
      }
    },

    /** The first executions of the file as they would be stored, and the row errors among the rows read; writes nothing. */
    async preview(userId: string, upload: ReceivedUpload): Promise<ImportPreviewView> {
      try {
        const form = await resolveForm(userId, upload.fields);
        const adapter = await chooseFormat(upload, form.broker);
        const executions: PreviewExecutionView[] = [];
        const errors: RowError[] = [];
        let linesRead = 0;
        let complete = true;
        try {
          if (!adapter) throw new MalformedCsvError('the first rows cannot be read as CSV', null);
          const results = parseExecutions(createReadStream(upload.path, { highWaterMark: 64 * 1024 }), {
            broker: adapter.id,
            timezone: form.timezone,
          });
          for await (const result of results) {
            linesRead = Math.max(linesRead, result.ok === true ? result.execution.line : result.ok === false ? result.error.line : (result.line ?? 0));
            if (result.ok === false) errors.push(result.error);
            else if (result.ok === true) {
              const prepared = prepareParsed(result.execution, form.account);
              if (prepared.ok) executions.push(toPreviewExecution(result.execution.line, prepared.accountRef, prepared.prepared));
              else errors.push(prepared.error);
              if (executions.length >= PREVIEW_EXECUTIONS) {
                complete = false;
                break;
              }
            }
          }
        } catch (error) {
          if (error instanceof MalformedCsvError) throw badRequest('malformed_csv', `The file is not valid CSV: ${error.message}`, { line: error.line });
          throw error;
        }
        return { format: { id: adapter.id, name: adapter.name, detected: form.broker === 'auto' }, timezone: form.timezone, executions, errors, linesRead, complete };
      } finally {
        await upload.discard();
      }
    },

    async getImport(userId: string, id: string, now = new Date()): Promise<ImportDetailView> {
      const row = await importsRepository.findById(userId, id);
      if (!row) throw importNotFound();
      return { ...toSummary(row, now), errors: (row.rowErrors as RowError[]) ?? [] };
    },

    async listImports(userId: string, query: ImportListInput, now = new Date()): Promise<{ data: ImportSummaryView[]; page: { nextCursor: string | null; limit: number } }> {
      const limit = query.limit ?? 50;
      let after;
      if (query.cursor) {
        after = decodeImportCursor(query.cursor);
        if (!after) throw badRequest('invalid_cursor', 'The cursor is malformed or belongs to another list.');
      }
      const rows = await importsRepository.list(userId, { after, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = rows.length > limit && last ? encodeImportCursor({ createdAt: last.createdAtKey, id: last.id }) : null;
      return { data: page.map((r) => toSummary(r, now)), page: { nextCursor, limit } };
    },

    /**
     * Undoes an import: deletes exactly the executions it added and rebuilds the trades of their
     * instruments, in one transaction; then the import record goes too. Accounts it created stay.
     */
    async deleteImport(userId: string, id: string): Promise<void> {
      await importsRepository.transaction(async (tx) => {
        const row = await importsRepository.lockById(userId, id, tx);
        if (!row) throw importNotFound();
        if ((RUNNING_STATUSES as readonly string[]).includes(row.status)) {
          throw conflict('import_running', 'The import is still running; delete it once it is done or failed.', { status: row.status });
        }
        const touched = await importsRepository.deleteExecutionsOf(userId, id, tx);
        if (touched.length > 0) await tradesService.rebuildInstruments(userId, touched, tx);
        await importsRepository.delete(userId, id, tx);
      });
    },
  };

}

export type ImportsService = ReturnType<typeof createImportsService>;
