import { AppError, badRequest, conflict, notFound } from '../../platform/errors/app-error.js';
import type { Executor } from '../../platform/db/database.js';
import { afterCommit } from '../../platform/db/data-changes.js';
import { isUniqueViolation } from '../../platform/db/pg-errors.js';
import { publishIds } from '../../platform/events/after-commit-events.js';
import type { EventPublisher } from '../../platform/events/event-bus.js';
import { noEvents } from '../../platform/events/event-bus.js';
import { decodeCursor, encodeCursor, isInstant, isUuid } from '../../platform/http/cursor.js';
import { normalizeDecimalString } from '../../lib/decimal.js';
import type { AccountRow, AccountValues, AccountsRepository } from './accounts.repository.js';
import type { AccountListInput, AccountView, CreateAccountInput, UpdateAccountInput } from './accounts.schemas.js';

export interface AccountsServiceDeps {
  accountsRepository: AccountsRepository;
  /** trade.deleted for the trades an account takes with it. */
  events?: EventPublisher;
  /** Brings the user's per-day trade sequences up to date after the account's trades went with it (trades module). */
  repairDailySequences?: (userId: string, tx: Executor) => Promise<void>;
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function isKnownCurrency(code: string): boolean {
  return CURRENCIES.has(code);
}

export function isValidTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function checkCurrency(code: string): string {
  if (!isKnownCurrency(code)) throw badRequest('invalid_currency', `"${code}" is not an ISO 4217 currency code.`, { currency: code });
  return code;
}

function checkTimezone(name: string | null): string | null {
  if (name === null) return null;
  if (!isValidTimezone(name)) throw badRequest('invalid_timezone', `"${name}" is not an IANA time zone.`, { timezone: name });
  return name;
}

const toView = (row: AccountRow): AccountView => ({
  id: row.id,
  name: row.name,
  broker: row.broker,
  brokerAccountId: row.brokerAccountId,
  currency: row.currency,
  timezone: row.timezone,
  startingBalance: row.startingBalance === null ? null : normalizeDecimalString(row.startingBalance),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const accountNotFound = () => notFound('account_not_found', 'Account not found');
const duplicateBrokerAccount = (broker: string, brokerAccountId: string | null) =>
  conflict('duplicate_broker_account', 'Another account already has this broker account id.', { broker, brokerAccountId });

const cursorOf = ([createdAt, id]: [string, string]) => ({ createdAt, id });

export function createAccountsService({ accountsRepository, events = noEvents, repairDailySequences }: AccountsServiceDeps) {
  return {
    async createAccount(userId: string, input: CreateAccountInput): Promise<AccountView> {
      const values: AccountValues = {
        name: input.name.trim(),
        broker: (input.broker ?? 'manual').trim(),
        brokerAccountId: input.brokerAccountId?.trim() ?? null,
        currency: checkCurrency(input.currency ?? 'USD'),
        timezone: checkTimezone(input.timezone ?? null),
        startingBalance: input.startingBalance === undefined || input.startingBalance === null ? null : normalizeDecimalString(input.startingBalance),
      };
      try {
        return await accountsRepository.transaction(async (tx) => {
          const row = await accountsRepository.insert(userId, values, tx);
          await accountsRepository.bumpDataGeneration(userId, tx);
          return toView(row);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw duplicateBrokerAccount(values.broker, values.brokerAccountId);
        throw error;
      }
    },

    async listAccounts(userId: string, query: AccountListInput): Promise<{ data: AccountView[]; page: { nextCursor: string | null; limit: number } }> {
      const limit = query.limit ?? 50;
      const after = query.cursor ? cursorOf(decodeCursor<[string, string]>(query.cursor, isInstant, isUuid)) : undefined;
      const rows = await accountsRepository.list(userId, { after, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = rows.length > limit && last ? encodeCursor([last.createdAtKey, last.id]) : null;
      return { data: page.map(toView), page: { nextCursor, limit } };
    },

    async getAccount(userId: string, id: string, tx?: Executor): Promise<AccountView> {
      const row = await accountsRepository.findById(userId, id, tx);
      if (!row) throw accountNotFound();
      return toView(row);
    },

    async updateAccount(userId: string, id: string, input: UpdateAccountInput): Promise<AccountView> {
      const values: Partial<AccountValues> = {};
      if (input.name !== undefined) values.name = input.name.trim();
      if (input.broker !== undefined) values.broker = input.broker.trim();
      if (input.brokerAccountId !== undefined) values.brokerAccountId = input.brokerAccountId?.trim() ?? null;
      if (input.currency !== undefined) values.currency = checkCurrency(input.currency);
      if (input.timezone !== undefined) values.timezone = checkTimezone(input.timezone);
      if (input.startingBalance !== undefined) values.startingBalance = input.startingBalance === null ? null : normalizeDecimalString(input.startingBalance);
      try {
        return await accountsRepository.transaction(async (tx) => {
          const row = await accountsRepository.update(userId, id, values, tx);
          if (!row) throw accountNotFound();
          await accountsRepository.bumpDataGeneration(userId, tx);
          return toView(row);
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          const current = await accountsRepository.findById(userId, id);
          throw duplicateBrokerAccount(values.broker ?? current?.broker ?? '', values.brokerAccountId ?? current?.brokerAccountId ?? null);
        }
        throw error;
      }
    },

    /**
     * An account with executions is deleted only with `confirm`; its executions, trades and
     * their annotations go with it in the same transaction.
     */
    async deleteAccount(userId: string, id: string, options: { confirm?: boolean } = {}): Promise<void> {
      await accountsRepository.transaction(async (tx) => {
        const row = await accountsRepository.lockById(userId, id, tx);
        if (!row) throw accountNotFound();
        await accountsRepository.lockOwner(userId, tx);
        const executionCount = await accountsRepository.countExecutions(userId, id, tx);
        if (executionCount > 0 && !options.confirm) {
          throw new AppError(
            'Conflict',
            'account_has_executions',
            `The account has ${executionCount} execution(s); pass ?confirm=true to delete it with its executions and trades.`,
            { executionCount },
          );
        }
        const tradeIds = await accountsRepository.tradeIds(userId, id, tx);
        await accountsRepository.delete(userId, id, tx);
        if (tradeIds.length > 0 && repairDailySequences) await repairDailySequences(userId, tx);
        await accountsRepository.bumpDataGeneration(userId, tx);
        afterCommit(tx, () => publishIds(events, userId, 'trade.deleted', tradeIds));
      });
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
