import { badRequest, conflict, notFound } from '../../platform/errors/app-error.js';
import { normalizeDecimalString } from '../../lib/decimal.js';
import { decodeCursor, encodeCursor, isInstant, isSafeInteger } from '../../platform/http/cursor.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { normalizeSymbol } from '../instruments/instruments.domain.js';
import type { TradesService } from '../trades/trades.service.js';
import { InvalidExecutionInputError, prepareExecution } from './executions.domain.js';
import type { ExecutionRow, ExecutionsRepository } from './executions.repository.js';
import type { CreateExecutionInput, ExecutionDetailView, ExecutionListInput, ExecutionView } from './executions.schemas.js';

export interface ExecutionsServiceDeps {
  executionsRepository: ExecutionsRepository;
  accountsService: Pick<AccountsService, 'getAccount'>;
  tradesService: Pick<TradesService, 'rebuildInstruments' | 'tradeIdsOfExecutions'>;
}

const decOrNull = (value: string | null) => (value === null ? null : normalizeDecimalString(value));

export function toExecutionView(row: ExecutionRow): ExecutionView {
  return {
    id: row.id,
    accountId: row.accountId,
    executedAt: row.executedAt.toISOString(),
    symbol: row.symbol,
    instrumentKey: row.instrumentKey,
    assetClass: row.assetClass,
    side: row.side,
    quantity: normalizeDecimalString(row.quantity),
    price: normalizeDecimalString(row.price),
    commission: normalizeDecimalString(row.commission),
    fees: normalizeDecimalString(row.fees),
    multiplier: normalizeDecimalString(row.multiplier),
    currency: row.currency,
    brokerExecId: row.brokerExecId,
    underlying: row.underlying,
    expiry: row.expiry,
    strike: decOrNull(row.strike),
    optionRight: row.optionRight,
    importId: row.importId,
    createdAt: row.createdAt.toISOString(),
  };
}

const executionNotFound = () => notFound('execution_not_found', 'Execution not found');
const cursorOf = ([executedAt, seq]: [string, number]) => ({ executedAt, seq });

export function createExecutionsService({ executionsRepository, accountsService, tradesService }: ExecutionsServiceDeps) {
  return {
    /** Records one execution and rebuilds the trades of its instrument in the same transaction. */
    async createExecution(userId: string, input: CreateExecutionInput): Promise<ExecutionDetailView> {
      return executionsRepository.transaction(async (tx) => {
        const account = await accountsService.getAccount(userId, input.accountId, tx);
        let prepared;
        try {
          prepared = prepareExecution(account.id, account.currency, { ...input, executedAt: new Date(input.executedAt) });
        } catch (error) {
          if (error instanceof InvalidExecutionInputError) {
            const code = error.field === 'quantity' || error.field === 'price' ? `invalid_${error.field}` : 'invalid_instrument';
            throw badRequest(code, error.message, { field: error.field });
          }
          throw error;
        }
        const [row] = await executionsRepository.insertMany(userId, [prepared], tx);
        if (!row) {
          throw conflict('duplicate_execution', 'The account already has an execution with this brokerExecId.', {
            accountId: account.id,
            brokerExecId: prepared.brokerExecId,
          });
        }
        await tradesService.rebuildInstruments(userId, [{ accountId: row.accountId, instrumentKey: row.instrumentKey }], tx);
        const tradeIds = (await tradesService.tradeIdsOfExecutions(userId, [row.id], tx)).get(row.id) ?? [];
        return { ...toExecutionView(row), tradeIds };
      });
    },

    async getExecution(userId: string, id: string): Promise<ExecutionDetailView> {
      const row = await executionsRepository.findById(userId, id);
      if (!row) throw executionNotFound();
      const tradeIds = (await tradesService.tradeIdsOfExecutions(userId, [row.id])).get(row.id) ?? [];
      return { ...toExecutionView(row), tradeIds };
    },

    async listExecutions(userId: string, query: ExecutionListInput): Promise<{ data: ExecutionView[]; page: { nextCursor: string | null; limit: number } }> {
      const limit = query.limit ?? 50;
      const after = query.cursor ? cursorOf(decodeCursor<[string, number]>(query.cursor, isInstant, isSafeInteger)) : undefined;
      const timezone = await executionsRepository.userTimezone(userId);
      const rows = await executionsRepository.list(userId, {
        filters: {
          accountId: query.accountId,
          symbol: query.symbol === undefined ? undefined : normalizeSymbol(query.symbol),
          from: query.from,
          to: query.to,
          importId: query.importId,
          side: query.side,
        },
        timezone,
        after,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = rows.length > limit && last ? encodeCursor([last.executedAtKey, last.seq]) : null;
      return { data: page.map(toExecutionView), page: { nextCursor, limit } };
    },

    /** Deletes one execution and rebuilds its instrument's trades in the same transaction. */
    async deleteExecution(userId: string, id: string): Promise<void> {
      await executionsRepository.transaction(async (tx) => {
        const deleted = await executionsRepository.deleteByIds(userId, [id], tx);
        if (deleted.length === 0) throw executionNotFound();
        await tradesService.rebuildInstruments(userId, deleted, tx);
      });
    },
  };
}

export type ExecutionsService = ReturnType<typeof createExecutionsService>;
