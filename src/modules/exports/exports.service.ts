import type { AccountsService } from '../accounts/accounts.service.js';
import { toExecutionView } from '../executions/executions.service.js';
import { normalizeSymbol } from '../instruments/instruments.domain.js';
import type { TradesService } from '../trades/trades.service.js';
import type { TradeView } from '../trades/trades.schemas.js';
import { EXECUTION_COLUMNS, TRADE_COLUMNS, csvLine, executionCells, tradeCells } from './exports.domain.js';
import type { ExportExecutionRow, ExportsRepository } from './exports.repository.js';
import type { ExecutionExportInput, TradeExportInput } from './exports.schemas.js';

export interface ExportsServiceDeps {
  exportsRepository: ExportsRepository;
  tradesService: Pick<TradesService, 'listTrades'>;
  accountsService: Pick<AccountsService, 'getAccount'>;
  userTimezone: (userId: string) => Promise<string>;
  /** Rows per database round trip; memory holds one batch at a time. */
  batchSize?: number;
}

export type ExportFormat = 'csv' | 'json';

/**
 * Exports are async iterables of text chunks, one per batch of rows, pulled as the client reads
 * (backpressure): never the whole result in memory. Everything that can be refused (an account
 * that is not yours, a bad sort) is checked, and the first batch read, before the first byte.
 */
export function createExportsService({ exportsRepository, tradesService, accountsService, userTimezone, batchSize = 500 }: ExportsServiceDeps) {
  async function* chunks<T>(first: T[], more: () => Promise<T[] | null>, format: ExportFormat, header: string, line: (item: T) => string, json: (item: T) => unknown) {
    yield format === 'csv' ? header : '[';
    let written = 0;
    let batch: T[] | null = first;
    while (batch && batch.length > 0) {
      let out = '';
      for (const item of batch) {
        out += format === 'csv' ? line(item) : `${written === 0 ? '' : ','}${JSON.stringify(json(item))}`;
        written++;
      }
      yield out;
      batch = await more();
    }
    if (format === 'json') yield ']';
  }

  return {
    async executions(userId: string, query: ExecutionExportInput, format: ExportFormat): Promise<AsyncIterable<string>> {
      if (query.accountId) await accountsService.getAccount(userId, query.accountId);
      const timezone = await userTimezone(userId);
      const filters = { ...query, symbol: query.symbol === undefined ? undefined : normalizeSymbol(query.symbol) };
      const page = (after?: { executedAt: string; seq: number }) => exportsRepository.executionsPage(userId, { filters, timezone, after, limit: batchSize });
      let last: ExportExecutionRow[] = await page();
      const more = async () => {
        const tail = last.at(-1);
        if (last.length < batchSize || !tail) return null;
        last = await page({ executedAt: tail.executedAtKey, seq: tail.seq });
        return last;
      };
      return chunks(
        last,
        more,
        format,
        csvLine(EXECUTION_COLUMNS),
        (row) => csvLine(executionCells(toExecutionView(row), row.brokerAccountId)),
        (row) => toExecutionView(row),
      );
    },

    async trades(userId: string, query: TradeExportInput, format: ExportFormat): Promise<AsyncIterable<string>> {
      if (query.accountId) await accountsService.getAccount(userId, query.accountId);
      let result = await tradesService.listTrades(userId, { ...query, limit: batchSize });
      const more = async (): Promise<TradeView[] | null> => {
        if (!result.page.nextCursor) return null;
        result = await tradesService.listTrades(userId, { ...query, limit: batchSize, cursor: result.page.nextCursor });
        return result.data;
      };
      return chunks(result.data, more, format, csvLine(TRADE_COLUMNS), (t) => csvLine(tradeCells(t)), (t) => t);
    },
  };
}

export type ExportsService = ReturnType<typeof createExportsService>;
