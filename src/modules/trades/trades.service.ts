import { hash } from 'node:crypto';
import { Decimal, normalizeDecimalString, toDecimal } from '../../lib/decimal.js';
import { UuidSet } from '../../lib/uuid-set.js';
import { afterCommit } from '../../platform/db/data-changes.js';
import type { Cache } from '../../platform/cache/cache.js';
import { createUserDataVersions } from '../../platform/cache/user-data-versions.js';
import type { Tx } from '../../platform/db/database.js';
import { publishIds } from '../../platform/events/after-commit-events.js';
import type { EventPublisher } from '../../platform/events/event-bus.js';
import { noEvents } from '../../platform/events/event-bus.js';
import type { AppError } from '../../platform/errors/app-error.js';
import { badRequest, notFound } from '../../platform/errors/app-error.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { InvalidExecutionInputError, prepareExecution } from '../executions/executions.domain.js';
import type { ExecutionsRepository } from '../executions/executions.repository.js';
import { normalizeSymbol } from '../instruments/instruments.domain.js';
import type { DerivedTrade } from './trades.domain.js';
import { deriveTrades } from './trades.domain.js';
import type { AggregateKey, DerivedTradeRow, InstrumentRef, LedgerExecution, SortKey, TradeRow, TradeTagRow, TradesRepository } from './trades.repository.js';
import type { CreateManualTradeInput, ManualTradeResultView, SortField, TradeDetailView, TradeListInput, TradeView } from './trades.schemas.js';
import { SORT_FIELDS } from './trades.schemas.js';

export interface TradesServiceDeps {
  tradesRepository: TradesRepository;
  /** Manual trades and trade deletion write executions; executions and trades are one ledger. */
  executionsRepository: Pick<ExecutionsRepository, 'insertMany' | 'deleteByIds'>;
  accountsService: Pick<AccountsService, 'getAccount'>;
  /** trade.created/updated/deleted and analytics.invalidated, published after the rebuild's transaction commits. */
  events?: EventPublisher;
  /** Where list pages are cached (by user data version, platform/cache/user-data-versions.ts); without it every page is read from the database. */
  pageCache?: { cache: Pick<Cache, 'get' | 'set' | 'setIfAbsent'>; ttlSeconds: number };
  /** Stored executions per rebuild round; ROUND_EXECUTIONS unless a test needs another bound. */
  roundExecutions?: number;
  /** Collected aggregate places that make a rebuild refresh before its next round; AGGREGATE_PLACES_FLUSH unless a test needs another. */
  aggregatePlacesFlush?: number;
  /** Milliseconds a rebuild derives before letting the event loop turn; DERIVE_SLICE_MS unless a test needs another. */
  deriveSliceMs?: number;
}

/** The trades one transaction changed, announced together once it commits (ids outside the JavaScript heap: a large import creates hundreds of thousands). */
interface TradeChanges {
  created: UuidSet;
  updated: UuidSet;
  deleted: UuidSet;
}

/** Instruments rebuilt per round of statements: bounds the size of one statement's arrays. */
const REBUILD_CHUNK = 200;
/**
 * Stored executions loaded per rebuild round: a round holds all executions of its instruments in
 * memory (with their derived trades and fills), so this, not the instrument count, bounds the
 * rebuild's heap whatever the caller (an import, its undo, a bulk delete). 5,000 is what the
 * import's groups of new executions were; groups of 20,000 were measured worse on time, peak
 * RSS and event-loop delay (docs/performance.md), and an import into a new account still packs
 * into as many rounds as it did.
 */
const ROUND_EXECUTIONS = 5_000;
/**
 * How long a rebuild derives trades (and their rows and fingerprints) before letting the event
 * loop turn. A round of 5,000 executions is tens of milliseconds of JavaScript, more on a loaded
 * machine; every request and live event of the process waits behind each unbroken stretch (one
 * instrument's 2,000 executions took up to 42 ms in a 1,000,000-row import, the health probes'
 * p99 then 49 ms). Measured by the clock rather than counted, so a slower machine yields more
 * often rather than blocking longer.
 */
const DERIVE_SLICE_MS = 8;

/** Stretches of synchronous work of at most about `ms` each: `due` once one has run that long; `pause` lets the event loop turn and starts the next. */
class LoopSlices {
  private start = performance.now();
  constructor(private readonly ms: number) {}

  get due(): boolean {
    return performance.now() - this.start >= this.ms;
  }

  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.start = performance.now();
  }
}

const DEFAULT_SORT = '-openedAt';
/** Every cache key of the trades list starts with this. */
const LIST_KEY_PREFIX = 'tl:';
/**
 * The largest list page kept in the cache (characters of JSON; a page of 50 plain trades is
 * about 35,000): the in-process cache bounds its entries by count, so a few pages of 500 trades
 * with long notes must not take its memory.
 */
const MAX_CACHED_PAGE = 64 * 1024;

/** Collected aggregate places (AggregatePlaces.size) past which a rebuild refreshes the daily aggregates before going on: bounds its memory. */
const AGGREGATE_PLACES_FLUSH = 20_000;
const DAY_MS = 86_400_000;

/**
 * The places (account, symbol, local day) of the daily aggregates a rebuild touched, without
 * holding one entry per closed trade: per account, symbol and UTC date, the earliest and latest
 * close time. A UTC date overlaps at most two local days of any time zone, and its earliest and
 * latest close fall in the first and the last local day it has trades in, so the local days
 * of those two are exactly the local days of all its trades, whatever the user's time zone.
 */
export class AggregatePlaces {
  private readonly byDate = new Map<string, { min: number; max: number; first: AggregateKey; last: AggregateKey }>();
  private readonly unparsed: AggregateKey[] = [];

  get size(): number {
    return this.byDate.size + this.unparsed.length;
  }

  add(key: AggregateKey): void {
    const ms = Date.parse(key.closedAt);
    if (!Number.isFinite(ms)) {
      this.unparsed.push(key);
      return;
    }
    const id = `${key.accountId}|${Math.floor(ms / DAY_MS)}|${key.symbol}`;
    const seen = this.byDate.get(id);
    if (!seen) this.byDate.set(id, { min: ms, max: ms, first: key, last: key });
    else if (ms < seen.min) Object.assign(seen, { min: ms, first: key });
    else if (ms > seen.max) Object.assign(seen, { max: ms, last: key });
  }

  /** The collected places (each local day at least once), and a fresh start. */
  take(): AggregateKey[] {
    const keys = [...this.unparsed];
    for (const seen of this.byDate.values()) keys.push(seen.first, ...(seen.last === seen.first ? [] : [seen.last]));
    this.byDate.clear();
    this.unparsed.length = 0;
    return keys;
  }
}

const dec = (value: string) => normalizeDecimalString(value);
const decOrNull = (value: string | null) => (value === null ? null : normalizeDecimalString(value));

/** The fingerprint of a derived row's columns and fills (derived_hash): what a rebuild compares with the stored trade. */
function fingerprint(row: Omit<DerivedTradeRow, 'derived_hash'>, fills: DerivedTrade['fills']): string {
  // One update of the concatenation: the same digest as one update per part, without a call into the hash per fill.
  let text = JSON.stringify(row);
  for (const f of fills) text += `|${f.executionId},${f.quantity},${f.fees},${f.role}`;
  return hash('sha1', text, 'base64');
}

function toDerivedRow(trade: DerivedTrade, first: LedgerExecution): DerivedTradeRow {
  const row: Omit<DerivedTradeRow, 'derived_hash'> = {
    account_id: first.accountId,
    instrument_key: first.instrumentKey,
    symbol: first.symbol,
    asset_class: first.assetClass,
    side: trade.side,
    status: trade.status,
    opened_at: trade.openedAt.toISOString(),
    closed_at: trade.closedAt === null ? null : trade.closedAt.toISOString(),
    quantity: trade.quantity,
    open_quantity: trade.openQuantity,
    avg_entry: trade.avgEntry,
    avg_exit: trade.avgExit,
    gross_pnl: trade.grossPnl,
    fees: trade.fees,
    net_pnl: trade.netPnl,
    cost_basis: trade.costBasis,
    hold_seconds: trade.holdSeconds,
    multiplier: first.multiplier,
    currency: first.currency,
    first_execution_id: trade.firstExecutionId,
    execution_count: trade.executionCount,
  };
  // The fingerprint covers the row without itself; the property is added in place, not by a copy.
  const derived = row as DerivedTradeRow;
  derived.derived_hash = fingerprint(row, trade.fills);
  return derived;
}

/**
 * netPnl / risk, where risk is initialRisk if set, else |avgEntry − stopPrice| × quantity ×
 * multiplier if a stop is set; null without a (non-zero) risk.
 */
export function rMultiple(trade: Pick<TradeRow, 'netPnl' | 'initialRisk' | 'stopPrice' | 'avgEntry' | 'quantity' | 'multiplier'>): number | null {
  let risk: Decimal | null = null;
  if (trade.initialRisk !== null) risk = toDecimal(trade.initialRisk).abs();
  else if (trade.stopPrice !== null) {
    risk = toDecimal(trade.avgEntry).minus(toDecimal(trade.stopPrice)).abs().times(toDecimal(trade.quantity)).times(toDecimal(trade.multiplier));
  }
  if (risk === null || risk.isZero()) return null;
  const r = toDecimal(trade.netPnl).div(risk).toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toNumber();
  return Object.is(r, -0) ? 0 : r;
}

function toTradeView(row: TradeRow, tags: readonly TradeTagRow[]): TradeView {
  return {
    id: row.id,
    accountId: row.accountId,
    symbol: row.symbol,
    instrumentKey: row.instrumentKey,
    assetClass: row.assetClass,
    side: row.side,
    status: row.status,
    openedAt: row.openedAt.toISOString(),
    closedAt: row.closedAt === null ? null : row.closedAt.toISOString(),
    quantity: dec(row.quantity),
    openQuantity: dec(row.openQuantity),
    avgEntry: dec(row.avgEntry),
    avgExit: decOrNull(row.avgExit),
    grossPnl: dec(row.grossPnl),
    fees: dec(row.fees),
    netPnl: dec(row.netPnl),
    costBasis: dec(row.costBasis),
    holdSeconds: row.holdSeconds === null ? null : Number(row.holdSeconds),
    multiplier: dec(row.multiplier),
    currency: row.currency,
    executionCount: row.executionCount,
    notes: row.notes,
    tags: tags.map((t) => ({ id: t.id, name: t.name, kind: t.kind, color: t.color })),
    playbookId: row.playbookId,
    stopPrice: decOrNull(row.stopPrice),
    initialRisk: decOrNull(row.initialRisk),
    rMultiple: rMultiple(row),
    rating: row.rating,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function parseSort(sort: string | undefined): SortKey[] {
  const parts = (sort ?? DEFAULT_SORT).split(',');
  const keys: SortKey[] = [];
  for (const part of parts) {
    const descending = part.startsWith('-');
    const field = (descending ? part.slice(1) : part) as SortField;
    if (!(SORT_FIELDS as readonly string[]).includes(field)) throw badRequest('invalid_sort', `Cannot sort by "${field}".`, { allowed: SORT_FIELDS });
    if (keys.some((k) => k.field === field)) throw badRequest('invalid_sort', `"${field}" appears twice in sort.`, { sort });
    keys.push({ field, descending });
  }
  return keys;
}

const sortSignature = (keys: readonly SortKey[]) => keys.map((k) => `${k.descending ? '-' : ''}${k.field}`).join(',');

const invalidCursor = () => badRequest('invalid_cursor', 'The cursor is malformed or was made for another sort.');

function encodeCursor(signature: string, values: readonly (string | null)[]): string {
  return Buffer.from(JSON.stringify({ s: signature, v: values })).toString('base64url');
}

function decodeCursor(cursor: string, signature: string, count: number): (string | null)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const c = parsed as { s?: unknown; v?: unknown };
  if (!c || typeof c !== 'object' || c.s !== signature || !Array.isArray(c.v) || c.v.length !== count) throw invalidCursor();
  if (!c.v.every((v) => v === null || (typeof v === 'string' && v.length <= 64))) throw invalidCursor();
  const values = c.v as (string | null)[];
  if (values.at(-1) === null || !/^[0-9a-f-]{36}$/i.test(values.at(-1)!)) throw invalidCursor();
  return values;
}

/** The cursor values must cast to their column types; a forged one must not reach SQL as a 500. */
function checkCursorValues(keys: readonly SortKey[], values: readonly (string | null)[]): void {
  keys.forEach((key, i) => {
    const v = values[i];
    if (v === null || v === undefined) return;
    const ok =
      key.field === 'openedAt' || key.field === 'closedAt'
        ? !Number.isNaN(Date.parse(v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')))
        : key.field === 'symbol'
          ? true
          : key.field === 'holdSeconds'
            ? /^-?\d{1,18}$/.test(v)
            : /^-?\d+(\.\d+)?$/.test(v);
    if (!ok) throw invalidCursor();
  });
}

function invalidExecution(error: InvalidExecutionInputError, field: string): AppError {
  return badRequest(`invalid_${error.field === 'quantity' || error.field === 'price' ? error.field : 'instrument'}`, error.message, { field });
}

export function createTradesService({
  tradesRepository,
  executionsRepository,
  accountsService,
  events = noEvents,
  pageCache,
  roundExecutions = ROUND_EXECUTIONS,
  aggregatePlacesFlush = AGGREGATE_PLACES_FLUSH,
  deriveSliceMs = DERIVE_SLICE_MS,
}: TradesServiceDeps) {
  const changesOf = new WeakMap<Tx, Map<string, TradeChanges>>();
  const versions = pageCache && createUserDataVersions(pageCache.cache);

  /** Every rebuild of trades goes through here, so every way a trade changes is announced. */
  function recordChanges(userId: string, synced: { created: string[]; updated: string[]; deleted: string[] }, tx: Tx): void {
    let byUser = changesOf.get(tx);
    if (!byUser) {
      byUser = new Map();
      changesOf.set(tx, byUser);
      const users = byUser;
      afterCommit(tx, () => {
        for (const [user, changes] of users) {
          publishIds(events, user, 'trade.created', changes.created);
          publishIds(events, user, 'trade.updated', changes.updated);
          publishIds(events, user, 'trade.deleted', changes.deleted);
        }
      });
    }
    let changes = byUser.get(userId);
    if (!changes) {
      changes = { created: new UuidSet(), updated: new UuidSet(), deleted: new UuidSet() };
      byUser.set(userId, changes);
    }
    for (const id of synced.created) changes.created.add(id);
    for (const id of synced.updated) if (!changes.created.has(id)) changes.updated.add(id);
    for (const id of synced.deleted) {
      // Created and gone within one transaction: nobody saw it.
      if (!changes.created.delete(id)) changes.deleted.add(id);
      changes.updated.delete(id);
    }
  }

  const refKey = (ref: InstrumentRef) => `${ref.accountId}:${ref.instrumentKey}`;

  /**
   * Locks every instrument of `refs` (in one fixed order), rebuilds them in rounds, refreshes the
   * daily aggregates of every place the rounds touched (once at the end, or earlier when the
   * places grow past AGGREGATE_PLACES_FLUSH), then bumps the data generation once for all of them.
   * Rounds follow the instruments' (account, instrument key) order and hold at most
   * `roundExecutions` stored executions (counted once, after locking) and at most REBUILD_CHUNK
   * instruments. An instrument holding more executions than that is a
   * round of its own: its trades derive from all its executions at once.
   */
  async function rebuildInTx(userId: string, refs: readonly InstrumentRef[], tx: Tx): Promise<{ instruments: number; trades: number }> {
    const unique = new Map<string, InstrumentRef>();
    for (const ref of refs) unique.set(refKey(ref), { accountId: ref.accountId, instrumentKey: ref.instrumentKey });
    const sorted = [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, ref]) => ref);
    await tradesRepository.lockInstruments(sorted, tx);
    // One instrument is one round whatever it holds: an execution write's rebuild needs no count.
    const counts = sorted.length > 1 ? await tradesRepository.countExecutions(userId, sorted, tx) : [0];
    const rounds: InstrumentRef[][] = [];
    let round: InstrumentRef[] = [];
    let held = 0;
    for (const [i, ref] of sorted.entries()) {
      const count = counts[i]!;
      if (round.length > 0 && (held + count > roundExecutions || round.length === REBUILD_CHUNK)) {
        rounds.push(round);
        round = [];
        held = 0;
      }
      round.push(ref);
      held += count;
    }
    if (round.length > 0) rounds.push(round);
    let tradeCount = 0;
    // Same transaction: the daily aggregates never disagree with the trades they sum. Refreshing
    // them after every round recomputed the user's whole touched days each time (quadratic in a
    // large import); the places are collected instead, a few per (account, symbol, day).
    const places = new AggregatePlaces();
    // Over several rounds, new trades are inserted together, in time order, before the aggregates read them.
    const defer = rounds.length > 1;
    if (defer) await tradesRepository.holdBackNewTrades(tx);
    const refresh = async () => {
      if (defer) await tradesRepository.insertHeldBackTrades(tx);
      await tradesRepository.refreshDailyAggregates(userId, places.take(), tx);
    };
    for (const chunk of rounds) {
      tradeCount += await rebuildChunk(userId, chunk, places, tx, defer);
      if (places.size >= aggregatePlacesFlush) await refresh();
    }
    await refresh();
    await tradesRepository.bumpDataGeneration(userId, tx);
    return { instruments: unique.size, trades: tradeCount };
  }

  /**
   * Derives the trades of these instruments and writes only the difference from what is
   * stored: the stored trades' fingerprints (read while the trades are derived) say which
   * derived rows are new or changed; only those are written, with their fill links, and stale
   * trades are deleted (syncTrades). A handful of statements per round whatever the number of executions.
   * Adds to `touched` where the closed trades it changed sit in the daily aggregates.
   */
  async function rebuildChunk(userId: string, chunk: readonly InstrumentRef[], touched: AggregatePlaces, tx: Tx, defer: boolean): Promise<number> {
    const loaded = await tradesRepository.loadExecutions(userId, chunk, tx);
    // Read while the trades are derived: the database answers in parallel with the JavaScript below.
    const storedRead = tradesRepository.storedTrades(userId, chunk, tx);
    storedRead.catch(() => undefined);
    const groups = new Map<string, LedgerExecution[]>();
    for (const e of loaded) {
      const key = `${e.accountId}:${e.instrumentKey}`;
      const group = groups.get(key);
      if (group) group.push(e);
      else groups.set(key, [e]);
    }

    const rows: DerivedTradeRow[] = [];
    const tradeFills: DerivedTrade['fills'][] = [];
    const slices = new LoopSlices(deriveSliceMs);
    for (const group of groups.values()) {
      const byId = new Map(group.map((e) => [e.id, e]));
      for (const trade of deriveTrades(group)) {
        rows.push(toDerivedRow(trade, byId.get(trade.firstExecutionId)!));
        tradeFills.push(trade.fills);
        if (slices.due) await slices.pause();
      }
    }
    const stored = await storedRead;
    // Building the write's parameters is one more stretch: it starts on a turn of its own.
    await slices.pause();

    const synced = await tradesRepository.syncTrades(userId, rows, tradeFills, stored, tx, { defer });
    for (const key of synced.touched) touched.add(key);
    recordChanges(userId, synced, tx);
    return rows.length;
  }

  async function tradeDetail(userId: string, row: TradeRow, tx?: Tx): Promise<TradeDetailView> {
    // One client runs one query at a time: inside a transaction the three go in turn; outside
    // they may run side by side on pooled connections.
    const [tags, fills, ruleChecks] = tx
      ? [await tradesRepository.tagsOf(userId, [row.id], tx), await tradesRepository.fillsOf(userId, row.id, tx), await tradesRepository.ruleChecksOf(row.id, tx)]
      : await Promise.all([tradesRepository.tagsOf(userId, [row.id]), tradesRepository.fillsOf(userId, row.id), tradesRepository.ruleChecksOf(row.id)]);
    return {
      ...toTradeView(row, tags),
      executions: fills.map((f) => ({
        id: f.id,
        accountId: f.accountId,
        executedAt: f.executedAt.toISOString(),
        symbol: f.symbol,
        instrumentKey: f.instrumentKey,
        assetClass: f.assetClass,
        side: f.side,
        quantity: dec(f.quantity),
        price: dec(f.price),
        commission: dec(f.commission),
        fees: dec(f.fees),
        multiplier: dec(f.multiplier),
        currency: f.currency,
        brokerExecId: f.brokerExecId,
        underlying: f.underlying,
        expiry: f.expiry,
        strike: decOrNull(f.strike),
        optionRight: f.optionRight,
        importId: f.importId,
        createdAt: f.createdAt.toISOString(),
        share: { quantity: dec(f.shareQuantity), fees: dec(f.shareFees), role: f.shareRole },
      })),
      ruleChecks,
    };
  }

  const service = {
    /**
     * Re-derives the trades of each (account, instrumentKey) from its executions, inside `tx`
     * (or a transaction of its own), and bumps the user's data generation once. Any number of
     * instruments: they are rebuilt in rounds bounded by the executions they hold (rebuildInTx),
     * each round's executions loaded, derived and written before the next round's.
     */
    async rebuildInstruments(userId: string, refs: readonly InstrumentRef[], tx?: Tx): Promise<{ instruments: number; trades: number }> {
      if (tx) return rebuildInTx(userId, refs, tx);
      return tradesRepository.transaction((own) => rebuildInTx(userId, refs, own));
    },

    /** The trades each execution belongs to after the last rebuild (two for one that crossed zero). */
    async tradeIdsOfExecutions(userId: string, executionIds: readonly string[], tx?: Tx): Promise<Map<string, string[]>> {
      const rows = await tradesRepository.tradeIdsOfExecutions(userId, executionIds, tx);
      const out = new Map<string, string[]>(executionIds.map((id) => [id, []]));
      for (const r of rows) out.get(r.executionId)?.push(r.tradeId);
      return out;
    },

    async getTrade(userId: string, tradeId: string, tx?: Tx): Promise<TradeDetailView> {
      const row = await tradesRepository.findById(userId, tradeId, tx);
      if (!row) throw notFound('trade_not_found', 'Trade not found');
      return tradeDetail(userId, row, tx);
    },

    async listTrades(userId: string, query: TradeListInput): Promise<{ data: TradeView[]; page: { nextCursor: string | null; limit: number } }> {
      const limit = query.limit ?? 50;
      const sort = parseSort(query.sort);
      const signature = sortSignature(sort);
      let after: (string | null)[] | undefined;
      if (query.cursor) {
        after = decodeCursor(query.cursor, signature, sort.length + 1);
        checkCursorValues(sort, after);
      }
      if (query.minPnl !== undefined && query.maxPnl !== undefined && toDecimal(query.minPnl).gt(toDecimal(query.maxPnl))) {
        throw badRequest('invalid_range', 'minPnl is greater than maxPnl.', { minPnl: query.minPnl, maxPnl: query.maxPnl });
      }
      const rows = await tradesRepository.list(userId, {
        filters: {
          from: query.from,
          to: query.to,
          accountId: query.accountId,
          symbol: query.symbol === undefined ? undefined : normalizeSymbol(query.symbol),
          side: query.side,
          status: query.status,
          outcome: query.outcome,
          tag: query.tag,
          playbookId: query.playbookId,
          assetClass: query.assetClass,
          minPnl: query.minPnl,
          maxPnl: query.maxPnl,
        },
        sort,
        after,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = rows.length > limit && last ? encodeCursor(signature, last.keys) : null;
      const data = page.map((r) => r.trade);
      // Only a trade with a stop or an initial risk has an R multiple (the one decimal computation of the list).
      for (const trade of data) if (trade.stopPrice !== null || trade.initialRisk !== null) trade.rMultiple = rMultiple(trade);
      return { data, page: { nextCursor, limit } };
    },

    /**
     * The JSON of `listTrades`, from the cache when this page was read since the user's data last
     * changed: entries are keyed by the user's data version, which the app renews after
     * every committed write to the user's trading data or settings. Not cached when there is no
     * cache, when it cannot keep a version (Redis down) or when the page is large.
     */
    async listTradesJson(userId: string, query: TradeListInput): Promise<string> {
      const version = versions && (await versions.current(userId));
      if (!pageCache || version === undefined) return JSON.stringify(await service.listTrades(userId, query));
      const entries = Object.entries(query).sort(([a], [b]) => (a < b ? -1 : 1));
      const key = `${LIST_KEY_PREFIX}${userId}:${version}:${JSON.stringify(entries)}`;
      const hit = await pageCache.cache.get(key);
      if (hit !== undefined) return hit;
      const json = JSON.stringify(await service.listTrades(userId, query));
      if (json.length <= MAX_CACHED_PAGE) await pageCache.cache.set(key, json, pageCache.ttlSeconds);
      return json;
    },

    /** Records the fills as executions of one instrument, rebuilds it, answers the trades they belong to. */
    async createManualTrade(userId: string, input: CreateManualTradeInput): Promise<ManualTradeResultView> {
      return tradesRepository.transaction(async (tx) => {
        const account = await accountsService.getAccount(userId, input.accountId, tx);
        const prepared = input.fills.map((fill, i) => {
          try {
            return prepareExecution(account.id, account.currency, {
              executedAt: new Date(fill.executedAt),
              symbol: input.symbol,
              assetClass: input.assetClass,
              side: fill.side,
              quantity: fill.quantity,
              price: fill.price,
              commission: fill.commission,
              fees: fill.fees,
              multiplier: input.multiplier,
              currency: input.currency,
              underlying: input.underlying,
              expiry: input.expiry,
              strike: input.strike,
              optionRight: input.optionRight,
            });
          } catch (error) {
            if (error instanceof InvalidExecutionInputError) {
              throw invalidExecution(error, ['quantity', 'price'].includes(error.field) ? `fills.${i}.${error.field}` : error.field);
            }
            throw error;
          }
        });
        const inserted = await executionsRepository.insertMany(userId, prepared, tx);
        await rebuildInTx(userId, [{ accountId: account.id, instrumentKey: prepared[0]!.instrumentKey }], tx);
        const executionIds = inserted.map((e) => e.id);
        const links = await tradesRepository.tradeIdsOfExecutions(userId, executionIds, tx);
        const tradeIds = [...new Set(links.map((l) => l.tradeId))];
        const rows = await tradesRepository.findByIds(userId, tradeIds, tx);
        const trades = [];
        for (const row of rows) trades.push(await tradeDetail(userId, row, tx));
        return { trades, executionIds };
      });
    },

    /**
     * Deletes the trade's executions and rebuilds its instrument. An execution that crossed
     * zero also opened the next trade: it is deleted too, so that trade is re-derived without it.
     */
    async deleteTrade(userId: string, tradeId: string): Promise<void> {
      await tradesRepository.transaction(async (tx) => {
        const row = await tradesRepository.findById(userId, tradeId, tx);
        if (!row) throw notFound('trade_not_found', 'Trade not found');
        const fills = await tradesRepository.fillsOf(userId, tradeId, tx);
        const deleted = await executionsRepository.deleteByIds(userId, fills.map((f) => f.id), tx);
        await rebuildInTx(userId, [{ accountId: row.accountId, instrumentKey: row.instrumentKey }, ...deleted], tx);
      });
    },
  };
  return service;
}

export type TradesService = ReturnType<typeof createTradesService>;
