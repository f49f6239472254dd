import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './users.js';

export const ASSET_CLASSES = ['stock', 'option', 'future', 'forex', 'crypto'] as const;
export type AssetClass = (typeof ASSET_CLASSES)[number];

export const accounts = pgTable(
  'accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    broker: text('broker').notNull().default('manual'),
    /** The broker's own account number, used to route multi-account import files. */
    brokerAccountId: text('broker_account_id'),
    currency: text('currency').notNull().default('USD'),
    timezone: text('timezone'),
    startingBalance: numeric('starting_balance'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('accounts_user_idx').on(t.userId, t.createdAt),
    uniqueIndex('accounts_broker_account_key')
      .on(t.userId, t.broker, t.brokerAccountId)
      .where(sql`${t.brokerAccountId} is not null`),
  ],
);

export const executions = pgTable(
  'executions',
  {
    /** Time-ordered (UUIDv7, see migration 0006): a large import appends to the id indexes instead of scattering over them. */
    id: uuid('id').primaryKey().default(sql`uuid_v7()`),
    /** Global insertion order: the tie-breaker for executions at the same instant (input order). */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
    /** The owner of `accountId` (checked per statement, not by a foreign key: migration 0011, see `accountId`). */
    userId: uuid('user_id').notNull(),
    /**
     * No foreign key (migration 0011): a statement-level trigger checks, once per inserting statement, that every
     * account written exists and belongs to the row's user, and locks it as a foreign-key check would (key share);
     * deleting accounts deletes their executions and trades by a statement-level trigger (users cascade to accounts).
     */
    accountId: uuid('account_id').notNull(),
    /** What trades group by: the symbol, or for options underlying+expiry+strike+right. */
    instrumentKey: text('instrument_key').notNull(),
    executedAt: timestamp('executed_at', { withTimezone: true, precision: 6 }).notNull(),
    symbol: text('symbol').notNull(),
    assetClass: text('asset_class', { enum: ASSET_CLASSES }).notNull(),
    side: text('side', { enum: ['buy', 'sell'] }).notNull(),
    quantity: numeric('quantity').notNull(),
    price: numeric('price').notNull(),
    commission: numeric('commission').notNull().default('0'),
    fees: numeric('fees').notNull().default('0'),
    multiplier: numeric('multiplier').notNull(),
    currency: text('currency').notNull().default('USD'),
    /** COLLATE "C" since migration 0014 (Drizzle does not model collations), as contentHash. */
    brokerExecId: text('broker_exec_id'),
    underlying: text('underlying'),
    expiry: date('expiry'),
    strike: numeric('strike'),
    optionRight: text('option_right', { enum: ['call', 'put'] }),
    importId: uuid('import_id'),
    /** Dedupe key for executions without a broker id (content hash + occurrence within one file); COLLATE "C" (migration 0014): compared for equality only, in byte order. */
    contentHash: text('content_hash'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('executions_instrument_idx').on(t.accountId, t.instrumentKey, t.executedAt, t.seq),
    index('executions_user_time_idx').on(t.userId, t.executedAt, t.id),
    index('executions_import_idx').on(t.importId).where(sql`${t.importId} is not null`),
    uniqueIndex('executions_broker_exec_key')
      .on(t.accountId, t.brokerExecId)
      .where(sql`${t.brokerExecId} is not null`),
    uniqueIndex('executions_content_hash_key')
      .on(t.accountId, t.contentHash)
      .where(sql`${t.contentHash} is not null`),
    check('executions_quantity_positive', sql`${t.quantity} > 0`),
    check('executions_multiplier_positive', sql`${t.multiplier} > 0`),
  ],
);

export const playbooks = pgTable(
  'playbooks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('playbooks_user_name_key').on(t.userId, sql`lower(${t.name})`)],
);

export const playbookRules = pgTable(
  'playbook_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    playbookId: uuid('playbook_id')
      .notNull()
      .references(() => playbooks.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    text: text('text').notNull(),
  },
  (t) => [index('playbook_rules_playbook_idx').on(t.playbookId, t.position)],
);

/** Derived from executions; annotation columns survive rebuilds because rows are upserted by first execution. */
export const trades = pgTable(
  'trades',
  {
    /** Time-ordered like executions.id: the rebuild makes it (uuidV7, src/lib/ids.ts, the same layout as this default). */
    id: uuid('id').primaryKey().default(sql`uuid_v7()`),
    /** Checked with `accountId` per statement, as executions' (migration 0011). */
    userId: uuid('user_id').notNull(),
    accountId: uuid('account_id').notNull(),
    instrumentKey: text('instrument_key').notNull(),
    symbol: text('symbol').notNull(),
    assetClass: text('asset_class', { enum: ASSET_CLASSES }).notNull(),
    side: text('side', { enum: ['long', 'short'] }).notNull(),
    status: text('status', { enum: ['open', 'closed'] }).notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true, precision: 6 }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true, precision: 6 }),
    quantity: numeric('quantity').notNull(),
    openQuantity: numeric('open_quantity').notNull(),
    avgEntry: numeric('avg_entry').notNull(),
    avgExit: numeric('avg_exit'),
    grossPnl: numeric('gross_pnl').notNull(),
    fees: numeric('fees').notNull(),
    netPnl: numeric('net_pnl').notNull(),
    costBasis: numeric('cost_basis').notNull(),
    holdSeconds: bigint('hold_seconds', { mode: 'number' }),
    multiplier: numeric('multiplier').notNull(),
    currency: text('currency').notNull(),
    firstExecutionId: uuid('first_execution_id').notNull(),
    executionCount: integer('execution_count').notNull(),
    /**
     * Fingerprint of the derived columns and the fill links as the last rebuild wrote them: a
     * rebuild rewrites only the trades whose fingerprint changed. Null before the first rebuild
     * that set it (such a trade is rewritten once).
     */
    derivedHash: text('derived_hash'),
    notes: text('notes').notNull().default(''),
    playbookId: uuid('playbook_id').references(() => playbooks.id, { onDelete: 'set null' }),
    stopPrice: numeric('stop_price'),
    initialRisk: numeric('initial_risk'),
    rating: smallint('rating'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('trades_first_execution_key').on(t.firstExecutionId),
    index('trades_user_closed_idx').on(t.userId, t.closedAt, t.id),
    // Closed trades in analytics order (close time, id), covering the summary's columns (Drizzle has no INCLUDE, so they
    // are trailing key columns): the summary streams from an index-only scan, with no sort and no heap visits.
    index('trades_user_closed_cover_idx')
      .on(t.userId, t.closedAt, t.id, t.netPnl, t.grossPnl, t.fees, t.holdSeconds, t.initialRisk, t.stopPrice, t.avgEntry, t.quantity, t.multiplier)
      .where(sql`${t.status} = 'closed'`),
    // The closed trades that have an R (docs/metrics.md): the summary's R sums read only these.
    index('trades_user_closed_risk_idx')
      .on(t.userId, t.closedAt)
      .where(sql`${t.status} = 'closed' and (${t.initialRisk} is not null or ${t.stopPrice} is not null)`),
    index('trades_user_opened_idx').on(t.userId, t.openedAt, t.id),
    // The trades list sorted by -netPnl reads a page backwards off this index instead of sorting all the user's trades.
    index('trades_user_net_pnl_idx').on(t.userId, t.netPnl, t.id),
    index('trades_user_symbol_idx').on(t.userId, t.symbol, t.openedAt),
    // The activity time the date filters use (closedAt, or openedAt while open): a range of it is an index range, and
    // ANALYZE keeps statistics on the expression, so the planner knows how many trades a date range holds.
    index('trades_user_activity_idx').on(t.userId, sql`coalesce(${t.closedAt}, ${t.openedAt})`),
    index('trades_instrument_idx').on(t.accountId, t.instrumentKey),
    check('trades_rating_range', sql`${t.rating} between 1 and 5`),
  ],
);

/**
 * Which part of which execution belongs to a trade (a fill crossing zero belongs to two).
 * No foreign keys: their per-row checks cost more than the rest of a large rebuild. Only the
 * trade rebuild writes links, for trades it has just written and executions it has just read
 * under the instruments' locks; deleting trades or executions deletes their links through
 * statement-level triggers (migration 0006), one set-based delete per statement.
 */
export const tradeExecutions = pgTable(
  'trade_executions',
  {
    tradeId: uuid('trade_id').notNull(),
    executionId: uuid('execution_id').notNull(),
    quantity: numeric('quantity').notNull(),
    fees: numeric('fees').notNull(),
    role: text('role', { enum: ['open', 'close'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tradeId, t.executionId] }), index('trade_executions_execution_idx').on(t.executionId)],
);

export const tags = pgTable(
  'tags',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['setup', 'mistake', 'custom'] }).notNull().default('custom'),
    color: text('color'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('tags_user_name_key').on(t.userId, sql`lower(${t.name})`)],
);

export const tradeTags = pgTable(
  'trade_tags',
  {
    tradeId: uuid('trade_id')
      .notNull()
      .references(() => trades.id, { onDelete: 'cascade' }),
    tagId: uuid('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.tradeId, t.tagId] }), index('trade_tags_tag_idx').on(t.tagId)],
);

export const tradeRuleChecks = pgTable(
  'trade_rule_checks',
  {
    tradeId: uuid('trade_id')
      .notNull()
      .references(() => trades.id, { onDelete: 'cascade' }),
    ruleId: uuid('rule_id')
      .notNull()
      .references(() => playbookRules.id, { onDelete: 'cascade' }),
    followed: boolean('followed').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tradeId, t.ruleId] })],
);

export const journalEntries = pgTable(
  'journal_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    content: text('content').notNull().default(''),
    mood: smallint('mood'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('journal_entries_user_day_key').on(t.userId, t.day), check('journal_mood_range', sql`${t.mood} between 1 and 5`)],
);

/** The sums of a group of closed trades of one day, shared by daily_aggregates and daily_sequences (fresh builders per table). */
const daySums = () => ({
  tradeCount: integer('trade_count').notNull(),
  wins: integer('wins').notNull(),
  losses: integer('losses').notNull(),
  breakeven: integer('breakeven').notNull(),
  netPnl: numeric('net_pnl').notNull(),
  grossPnl: numeric('gross_pnl').notNull(),
  fees: numeric('fees').notNull(),
  grossProfit: numeric('gross_profit').notNull(),
  grossLoss: numeric('gross_loss').notNull(),
  /** Σ net P&L², exact: with the count and the sum it gives the sample stdev of P&L. */
  netPnlSquares: numeric('net_pnl_squares').notNull(),
  largestWin: numeric('largest_win'),
  largestLoss: numeric('largest_loss'),
  holdCount: integer('hold_count').notNull(),
  holdSeconds: bigint('hold_seconds', { mode: 'number' }).notNull(),
  holdCountWin: integer('hold_count_win').notNull(),
  holdSecondsWin: bigint('hold_seconds_win', { mode: 'number' }).notNull(),
  holdCountLoss: integer('hold_count_loss').notNull(),
  holdSecondsLoss: bigint('hold_seconds_loss', { mode: 'number' }).notNull(),
});

/**
 * Closed trades summed per (account, symbol, day in the user's time zone), kept by the trades
 * module in the same transaction as every trade write (docs/metrics.md, "Daily aggregates").
 * Outcome counts and sums use the user's breakeven tolerance; days use the user's time zone.
 */
export const dailyAggregates = pgTable(
  'daily_aggregates',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** No foreign key (as executions and trades since 0011): deleting accounts deletes their rows (`accounts_delete_ledger`, 0012). */
    accountId: uuid('account_id').notNull(),
    symbol: text('symbol').notNull(),
    day: date('day').notNull(),
    ...daySums(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.accountId, t.symbol, t.day] }), index('daily_aggregates_user_day_idx').on(t.userId, t.day)],
);

/**
 * The sums and the summary of the trade sequence of one day's closed trades (of a user, or of one
 * of the user's accounts or symbols), so that consecutive days combine exactly into the
 * order-dependent summary metrics (drawdown with its dates, longest time under water, longest
 * runs) without reading the trades (docs/metrics.md, "Daily aggregates"). With k = 1…n the
 * day's trades in order and s_k the P&L sum of the first k: min/max drawdown positions are k,
 * the ladder holds every k whose s_k ≥ max(0, s_1 … s_k−1) (the trades that are at the running
 * peak when the day starts at its peak), with s_k and the close time. Close times are epoch
 * microseconds (the summary sends them as text; no conversion per request).
 */
const daySequence = () => ({
  /** The day's sums, as in daily_aggregates summed over the day's rows (a whole-day summary reads one row per day). */
  ...daySums(),
  firstUs: bigint('first_us', { mode: 'number' }).notNull(),
  lastUs: bigint('last_us', { mode: 'number' }).notNull(),
  /** min s_k, the first k reaching it and that trade's close time. */
  minPrefix: numeric('min_prefix').notNull(),
  minK: integer('min_k').notNull(),
  minUs: bigint('min_us', { mode: 'number' }).notNull(),
  /** max over k of max(0, s_1 … s_k) − s_k (the drawdown inside the day), the first k reaching it and its close time. */
  maxDrawdown: numeric('max_drawdown').notNull(),
  drawdownK: integer('drawdown_k').notNull(),
  drawdownUs: bigint('drawdown_us', { mode: 'number' }).notNull(),
  ladderK: integer('ladder_k').array().notNull(),
  ladderPnl: numeric('ladder_pnl').array().notNull(),
  ladderUs: bigint('ladder_us', { mode: 'number' }).array().notNull(),
  /** Outcome (1 win, −1 loss, 0 breakeven) of the first and last trade, and the length of the run each starts/ends (0 for breakeven). */
  leadOutcome: smallint('lead_outcome').notNull(),
  leadRun: integer('lead_run').notNull(),
  trailOutcome: smallint('trail_outcome').notNull(),
  trailRun: integer('trail_run').notNull(),
  maxWinRun: integer('max_win_run').notNull(),
  maxLossRun: integer('max_loss_run').notNull(),
  /**
   * The columns above that the summary merges, as text written with the row (`daySequences`), so a
   * summary over many days concatenates these instead of formatting numbers and arrays per
   * request. `segment`: trade_count, net_pnl, first, last, min_prefix, min_k, min time,
   * max_drawdown, drawdown_k, drawdown time, lead/trail outcome and run, max win/loss run,
   * separated by ';', times in epoch milliseconds (the microseconds floored). `segmentLadder`: the
   * ladder's k, s_k and times as three comma-separated lists separated by ';' (a summary sends it
   * only for days with trades at the running peak).
   */
  segment: text('segment').notNull(),
  segmentLadder: text('segment_ladder').notNull(),
});

/** Per user and day in the user's time zone, all accounts and symbols together: the day's sequence (`daySequence`). */
export const dailySequences = pgTable(
  'daily_sequences',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    ...daySequence(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);

/** Per user, account and local day: the sequence of that account's trades of the day (an account-filtered summary reads these). */
export const dailyAccountSequences = pgTable(
  'daily_account_sequences',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** No foreign key, as in daily_aggregates. */
    accountId: uuid('account_id').notNull(),
    day: date('day').notNull(),
    ...daySequence(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.accountId, t.day] })],
);

/** Per user, symbol and local day: the sequence of that symbol's trades of the day, all accounts (a symbol-filtered summary reads these). */
export const dailySymbolSequences = pgTable(
  'daily_symbol_sequences',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    symbol: text('symbol').notNull(),
    day: date('day').notNull(),
    ...daySequence(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.symbol, t.day] })],
);

/**
 * The settings a user's daily aggregates were computed with. Analytics reads the aggregates only
 * while these equal the user's current time zone and tolerance; otherwise it reads the trades.
 */
export const dailyAggregateStates = pgTable('daily_aggregate_states', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  timezone: text('timezone').notNull(),
  breakevenTolerance: numeric('breakeven_tolerance').notNull(),
  builtAt: timestamp('built_at', { withTimezone: true }).notNull().defaultNow(),
  /**
   * Whether daily_sequences are complete for this user: true from a full rebuild or for a user
   * whose first trade write came after they existed; false for users migrated before them,
   * until `rebuildDailyAggregates` runs (analytics reads the trades for the sequence meanwhile).
   */
  sequencesBuilt: boolean('sequences_built').notNull().default(false),
  /**
   * Whether daily_account_sequences and daily_symbol_sequences are complete for this user: as
   * sequences_built, for the users that existed before these tables (migration
   * 0009_daily_slice_sequences), until `rebuildDailyAggregates` runs.
   */
  slicesBuilt: boolean('slices_built').notNull().default(false),
});
