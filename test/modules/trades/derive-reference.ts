/**
 * The decimal.js implementation of deriveTrades as it was before the fixed-point rewrite, kept
 * verbatim as an oracle: the property tests compare the fast implementation with it, and
 * bench/derive.ts times both. Not used by the application.
 */
import type { Decimal } from '../../../src/lib/decimal.js';
import { ZERO, maxDecimal, roundTo, toDecimal, toDecimalString } from '../../../src/lib/decimal.js';
import type { DerivedTrade, ExecutionInput } from '../../../src/modules/trades/trades.domain.js';
import { AVERAGE_PRICE_DECIMALS, FEE_SPLIT_DECIMALS, InvalidExecutionError } from '../../../src/modules/trades/trades.domain.js';

interface ParsedExecution {
  id: string;
  seq: number;
  time: number;
  /** +1 buy, −1 sell */
  direction: 1 | -1;
  quantity: Decimal;
  price: Decimal;
  cost: Decimal;
  multiplier: Decimal;
}

interface Lot {
  quantity: Decimal;
  price: Decimal;
  multiplier: Decimal;
}

interface TradeState {
  firstExecutionId: string;
  /** +1 long, −1 short */
  direction: 1 | -1;
  openedAt: Date;
  closedAt: Date | null;
  /** Absolute open quantity. */
  position: Decimal;
  maxPosition: Decimal;
  /** FIFO queue of open lots; `head` skips consumed lots without shifting the array. */
  lots: Lot[];
  head: number;
  entryQuantity: Decimal;
  entryNotional: Decimal;
  exitQuantity: Decimal;
  exitNotional: Decimal;
  grossPnl: Decimal;
  fees: Decimal;
  fills: { executionId: string; quantity: Decimal; fees: Decimal; role: 'open' | 'close' }[];
}

function parseExecution(e: ExecutionInput): ParsedExecution {
  const time = e.executedAt instanceof Date ? e.executedAt.getTime() : Number.NaN;
  if (!Number.isFinite(time)) throw new InvalidExecutionError(e.id, 'executedAt is not a valid date');
  if (e.side !== 'buy' && e.side !== 'sell') throw new InvalidExecutionError(e.id, `side must be buy or sell, got "${String(e.side)}"`);
  const parse = (value: string, what: string): Decimal => {
    try {
      return toDecimal(value, what);
    } catch (error) {
      throw new InvalidExecutionError(e.id, (error as Error).message);
    }
  };
  const quantity = parse(e.quantity, 'quantity');
  if (!quantity.gt(0)) throw new InvalidExecutionError(e.id, 'quantity must be > 0');
  const multiplier = parse(e.multiplier, 'multiplier');
  if (!multiplier.gt(0)) throw new InvalidExecutionError(e.id, 'multiplier must be > 0');
  return {
    id: e.id,
    seq: e.seq,
    time,
    direction: e.side === 'buy' ? 1 : -1,
    quantity,
    price: parse(e.price, 'price'),
    cost: parse(e.commission, 'commission').plus(parse(e.fees, 'fees')),
    multiplier,
  };
}

function compareExecutions(a: ParsedExecution, b: ParsedExecution): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.seq !== b.seq) return a.seq - b.seq;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function openTrade(e: ParsedExecution): TradeState {
  return {
    firstExecutionId: e.id,
    direction: e.direction,
    openedAt: new Date(e.time),
    closedAt: null,
    position: ZERO,
    maxPosition: ZERO,
    lots: [],
    head: 0,
    entryQuantity: ZERO,
    entryNotional: ZERO,
    exitQuantity: ZERO,
    exitNotional: ZERO,
    grossPnl: ZERO,
    fees: ZERO,
    fills: [],
  };
}

function addOpeningFill(trade: TradeState, e: ParsedExecution, quantity: Decimal, fees: Decimal): void {
  trade.lots.push({ quantity, price: e.price, multiplier: e.multiplier });
  trade.position = trade.position.plus(quantity);
  trade.maxPosition = maxDecimal(trade.maxPosition, trade.position);
  trade.entryQuantity = trade.entryQuantity.plus(quantity);
  trade.entryNotional = trade.entryNotional.plus(e.price.times(quantity));
  trade.fees = trade.fees.plus(fees);
  trade.fills.push({ executionId: e.id, quantity, fees, role: 'open' });
}

/** `quantity` never exceeds the trade's open position. */
function addClosingFill(trade: TradeState, e: ParsedExecution, quantity: Decimal, fees: Decimal): void {
  let remaining = quantity;
  let pnl = ZERO;
  while (remaining.gt(0)) {
    const lot = trade.lots[trade.head];
    if (!lot) throw new Error('invariant: closing quantity exceeds the open lots');
    const matched = lot.quantity.lte(remaining) ? lot.quantity : remaining;
    // Each side at its own multiplier, so realised P&L always equals the cash that moved.
    const exitValue = e.price.times(matched).times(e.multiplier);
    const entryValue = lot.price.times(matched).times(lot.multiplier);
    pnl = pnl.plus(exitValue.minus(entryValue));
    remaining = remaining.minus(matched);
    if (matched.eq(lot.quantity)) {
      trade.head += 1;
    } else {
      trade.lots[trade.head] = { ...lot, quantity: lot.quantity.minus(matched) };
    }
  }
  trade.grossPnl = trade.grossPnl.plus(trade.direction === 1 ? pnl : pnl.negated());
  trade.position = trade.position.minus(quantity);
  trade.exitQuantity = trade.exitQuantity.plus(quantity);
  trade.exitNotional = trade.exitNotional.plus(e.price.times(quantity));
  trade.fees = trade.fees.plus(fees);
  trade.fills.push({ executionId: e.id, quantity, fees, role: 'close' });
  if (trade.position.isZero()) trade.closedAt = new Date(e.time);
}

function toDerivedTrade(t: TradeState): DerivedTrade {
  const closed = t.closedAt !== null;
  let costBasis = ZERO;
  for (let i = t.head; i < t.lots.length; i++) {
    const lot = t.lots[i]!;
    costBasis = costBasis.plus(lot.price.times(lot.quantity).times(lot.multiplier));
  }
  return {
    firstExecutionId: t.firstExecutionId,
    side: t.direction === 1 ? 'long' : 'short',
    status: closed ? 'closed' : 'open',
    openedAt: t.openedAt,
    closedAt: t.closedAt,
    quantity: toDecimalString(t.maxPosition),
    openQuantity: toDecimalString(t.position),
    avgEntry: toDecimalString(roundTo(t.entryNotional.div(t.entryQuantity), AVERAGE_PRICE_DECIMALS)),
    avgExit: t.exitQuantity.isZero() ? null : toDecimalString(roundTo(t.exitNotional.div(t.exitQuantity), AVERAGE_PRICE_DECIMALS)),
    grossPnl: toDecimalString(t.grossPnl),
    fees: toDecimalString(t.fees),
    netPnl: toDecimalString(t.grossPnl.minus(t.fees)),
    costBasis: toDecimalString(costBasis),
    holdSeconds: t.closedAt === null ? null : Math.floor((t.closedAt.getTime() - t.openedAt.getTime()) / 1000),
    executionCount: t.fills.length,
    fills: t.fills.map((f) => ({
      executionId: f.executionId,
      quantity: toDecimalString(f.quantity),
      fees: toDecimalString(f.fees),
      role: f.role,
    })),
  };
}

/**
 * Groups the executions of ONE (account, instrument) into round-trip trades. Input may come in
 * any order; the result depends only on the set of executions (sorted by executedAt, seq, id)
 * and is ordered by openedAt. Throws InvalidExecutionError for an execution it cannot use.
 */
export function deriveTradesReference(executions: readonly ExecutionInput[]): DerivedTrade[] {
  const sorted = executions.map(parseExecution).sort(compareExecutions);
  const trades: TradeState[] = [];
  let current: TradeState | null = null;

  for (const e of sorted) {
    if (current === null) {
      current = openTrade(e);
      trades.push(current);
      addOpeningFill(current, e, e.quantity, e.cost);
    } else if (e.direction === current.direction) {
      addOpeningFill(current, e, e.quantity, e.cost);
    } else if (e.quantity.lte(current.position)) {
      addClosingFill(current, e, e.quantity, e.cost);
    } else {
      // Crosses zero: close the old trade, open the opposite one with the rest.
      const closeQuantity = current.position;
      const openQuantity = e.quantity.minus(closeQuantity);
      const closeFees = roundTo(e.cost.times(closeQuantity).div(e.quantity), FEE_SPLIT_DECIMALS);
      const openFees = e.cost.minus(closeFees);
      addClosingFill(current, e, closeQuantity, closeFees);
      current = openTrade(e);
      trades.push(current);
      addOpeningFill(current, e, openQuantity, openFees);
    }
    if (current.closedAt !== null) current = null;
  }
  return trades.map(toDerivedTrade);
}
