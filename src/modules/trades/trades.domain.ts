/**
 * Derivation of round-trip trades from the executions of one (account, instrument).
 * Pure: no I/O, no clock. The rules are written for people in docs/trades.md.
 */
import { decimalScale, divRoundHalfEven, formatUnits, isPositiveDecimal, pow10, toUnits } from '../../lib/fixed-point.js';

export interface ExecutionInput {
  /** Execution id (uuid). */
  id: string;
  /** Insertion order: the tie-breaker for equal executedAt, so the broker's/input order is kept. */
  seq: number;
  executedAt: Date;
  side: 'buy' | 'sell';
  /** > 0 */
  quantity: string;
  price: string;
  /** A cost (a negative value is a rebate). */
  commission: string;
  /** Other fees; a cost. */
  fees: string;
  multiplier: string;
}

export interface TradeFill {
  executionId: string;
  quantity: string;
  fees: string;
  role: 'open' | 'close';
}

export interface DerivedTrade {
  /** The execution (part) that opened the trade: its identity across rebuilds. */
  firstExecutionId: string;
  side: 'long' | 'short';
  status: 'open' | 'closed';
  openedAt: Date;
  closedAt: Date | null;
  /** The maximum absolute position reached. */
  quantity: string;
  /** Absolute position still open; '0' when closed. */
  openQuantity: string;
  /** Quantity-weighted average price of all opening fills, 10 decimal places. */
  avgEntry: string;
  /** Quantity-weighted average price of all closing fills, 10 decimal places; null if none. */
  avgExit: string | null;
  /** Realised so far, FIFO against open lots, each fill at its own multiplier. */
  grossPnl: string;
  /** Σ fee shares (commission + fees) of this trade's fills. */
  fees: string;
  /** grossPnl − fees */
  netPnl: string;
  /** Σ entry price × qty × multiplier of the still-open lots (positive; '0' when closed). */
  costBasis: string;
  /** closedAt − openedAt in whole seconds (truncated) for closed trades; null for open ones. */
  holdSeconds: number | null;
  /** Number of fills. */
  executionCount: number;
  /** In time order. */
  fills: TradeFill[];
}

/** Thrown for an execution that cannot be part of a trade (quantity or multiplier not > 0, bad number or date). */
export class InvalidExecutionError extends Error {
  override readonly name = 'InvalidExecutionError';
  constructor(
    readonly executionId: string,
    message: string,
  ) {
    super(`execution ${executionId}: ${message}`);
  }
}

/** Averages are shown to 10 decimal places; P&L never uses them. */
export const AVERAGE_PRICE_DECIMALS = 10;
/** The closing share of a split fill's fees is rounded to this many places; the opening share takes the rest. */
export const FEE_SPLIT_DECIMALS = 10;

/*
 * Arithmetic is exact fixed-point on BigInt (src/lib/fixed-point.ts): every quantity of one
 * derivation is held at the largest quantity scale of its input, every price at the largest
 * price scale, and so on, so sums need no rescaling and products carry the sum of scales. The
 * only divisions are the averages and the closing fee share, each rounded half-even exactly
 * once. The result equals the decimal.js formulation (test/modules/trades/derive-reference.ts)
 * string for string.
 */

interface ParsedExecution {
  id: string;
  seq: number;
  time: number;
  /** +1 buy, −1 sell */
  direction: 1 | -1;
  /** At the quantity scale. */
  quantity: bigint;
  /** At the price scale. */
  price: bigint;
  /** price × multiplier, at price scale + multiplier scale. */
  value: bigint;
  /** commission + fees, at the fee scale. */
  cost: bigint;
}

/** The common scales of one derivation: the largest of each field over its executions. */
interface Scales {
  quantity: number;
  price: number;
  multiplier: number;
  /** Fees and fee shares: at least FEE_SPLIT_DECIMALS so a split share is exact. */
  fee: number;
}

interface TradeState {
  firstExecutionId: string;
  /** +1 long, −1 short */
  direction: 1 | -1;
  openedAt: number;
  closedAt: number | null;
  /** Absolute open quantity. */
  position: bigint;
  maxPosition: bigint;
  entryQuantity: bigint;
  /** Σ price × quantity, at price + quantity scale. */
  entryNotional: bigint;
  exitQuantity: bigint;
  exitNotional: bigint;
  /** At quantity + price + multiplier scale. */
  grossPnl: bigint;
  fees: bigint;
  fills: TradeFill[];
  /** Cost basis of the still-open lots, set when the derivation ends with this trade open. */
  costBasis: bigint;
}

function decimalField(e: ExecutionInput, value: string, what: string): number {
  try {
    return decimalScale(value, what);
  } catch (error) {
    throw new InvalidExecutionError(e.id, (error as Error).message);
  }
}

/** Checks every execution in input order (the first bad one throws) and answers the common scales. */
function checkExecutions(executions: readonly ExecutionInput[]): Scales {
  const scales: Scales = { quantity: 0, price: 0, multiplier: 0, fee: FEE_SPLIT_DECIMALS };
  for (const e of executions) {
    const time = e.executedAt instanceof Date ? e.executedAt.getTime() : Number.NaN;
    if (!Number.isFinite(time)) throw new InvalidExecutionError(e.id, 'executedAt is not a valid date');
    if (e.side !== 'buy' && e.side !== 'sell') throw new InvalidExecutionError(e.id, `side must be buy or sell, got "${String(e.side)}"`);
    const quantity = decimalField(e, e.quantity, 'quantity');
    if (!isPositiveDecimal(e.quantity)) throw new InvalidExecutionError(e.id, 'quantity must be > 0');
    const multiplier = decimalField(e, e.multiplier, 'multiplier');
    if (!isPositiveDecimal(e.multiplier)) throw new InvalidExecutionError(e.id, 'multiplier must be > 0');
    const price = decimalField(e, e.price, 'price');
    const commission = decimalField(e, e.commission, 'commission');
    const fees = decimalField(e, e.fees, 'fees');
    if (quantity > scales.quantity) scales.quantity = quantity;
    if (multiplier > scales.multiplier) scales.multiplier = multiplier;
    if (price > scales.price) scales.price = price;
    if (commission > scales.fee) scales.fee = commission;
    if (fees > scales.fee) scales.fee = fees;
  }
  return scales;
}

/** Parsed one at a time in the loop, so no parsed copy of the whole input outlives a young-generation GC. */
function parseExecution(e: ExecutionInput, scales: Scales): ParsedExecution {
  const price = toUnits(e.price, scales.price);
  return {
    id: e.id,
    seq: e.seq,
    time: e.executedAt.getTime(),
    direction: e.side === 'buy' ? 1 : -1,
    quantity: toUnits(e.quantity, scales.quantity),
    price,
    value: price * toUnits(e.multiplier, scales.multiplier),
    cost: toUnits(e.commission, scales.fee) + toUnits(e.fees, scales.fee),
  };
}

/** Input positions in derivation order: executedAt, then seq, then id. Input already in that order (as the database loads it) is not re-sorted. */
function derivationOrder(executions: readonly ExecutionInput[]): number[] {
  const n = executions.length;
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = executions[i]!.executedAt.getTime();
  const compare = (a: number, b: number): number => {
    if (times[a] !== times[b]) return times[a]! - times[b]!;
    const x = executions[a]!;
    const y = executions[b]!;
    if (x.seq !== y.seq) return x.seq - y.seq;
    return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
  };
  const order = new Array<number>(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (sorted && i > 0 && compare(i - 1, i) > 0) sorted = false;
  }
  return sorted ? order : order.sort(compare);
}

function openTrade(e: ParsedExecution): TradeState {
  return {
    firstExecutionId: e.id,
    direction: e.direction,
    openedAt: e.time,
    closedAt: null,
    position: 0n,
    maxPosition: 0n,
    entryQuantity: 0n,
    entryNotional: 0n,
    exitQuantity: 0n,
    exitNotional: 0n,
    grossPnl: 0n,
    fees: 0n,
    fills: [],
    costBasis: 0n,
  };
}

/** numerator / denominator rounded half-even to `places` decimal places, as units at that scale. */
function roundedQuotient(numerator: bigint, denominator: bigint, places: number): bigint {
  return divRoundHalfEven(numerator * pow10(places), denominator);
}

function toDerivedTrade(t: TradeState, scales: Scales): DerivedTrade {
  const pnlScale = scales.quantity + scales.price + scales.multiplier;
  const netScale = Math.max(pnlScale, scales.fee);
  const net = t.grossPnl * pow10(netScale - pnlScale) - t.fees * pow10(netScale - scales.fee);
  // avg = notional / quantity = (N / 10^(p+q)) / (Q / 10^q) = N / (Q × 10^p)
  const priceUnit = pow10(scales.price);
  return {
    firstExecutionId: t.firstExecutionId,
    side: t.direction === 1 ? 'long' : 'short',
    status: t.closedAt !== null ? 'closed' : 'open',
    openedAt: new Date(t.openedAt),
    closedAt: t.closedAt === null ? null : new Date(t.closedAt),
    quantity: formatUnits(t.maxPosition, scales.quantity),
    openQuantity: formatUnits(t.position, scales.quantity),
    avgEntry: formatUnits(roundedQuotient(t.entryNotional, t.entryQuantity * priceUnit, AVERAGE_PRICE_DECIMALS), AVERAGE_PRICE_DECIMALS),
    avgExit:
      t.exitQuantity === 0n
        ? null
        : formatUnits(roundedQuotient(t.exitNotional, t.exitQuantity * priceUnit, AVERAGE_PRICE_DECIMALS), AVERAGE_PRICE_DECIMALS),
    grossPnl: formatUnits(t.grossPnl, pnlScale),
    fees: formatUnits(t.fees, scales.fee),
    netPnl: formatUnits(net, netScale),
    costBasis: formatUnits(t.costBasis, pnlScale),
    holdSeconds: t.closedAt === null ? null : Math.floor((t.closedAt - t.openedAt) / 1000),
    executionCount: t.fills.length,
    fills: t.fills,
  };
}

/**
 * Groups the executions of ONE (account, instrument) into round-trip trades. Input may come in
 * any order; the result depends only on the set of executions (sorted by executedAt, seq, id)
 * and is ordered by openedAt. Throws InvalidExecutionError for an execution it cannot use.
 */
export function deriveTrades(executions: readonly ExecutionInput[]): DerivedTrade[] {
  const scales = checkExecutions(executions);
  const order = derivationOrder(executions);

  // FIFO queue of the current trade's open lots: quantity (quantity scale) and price × multiplier (value scale).
  const lotQuantity: bigint[] = [];
  const lotValue: bigint[] = [];
  let head = 0;
  const feeRounding = pow10(scales.fee - FEE_SPLIT_DECIMALS);
  const trades: TradeState[] = [];
  let current: TradeState | null = null;

  const open = (t: TradeState, e: ParsedExecution, quantity: bigint, fees: bigint) => {
    lotQuantity.push(quantity);
    lotValue.push(e.value);
    t.position += quantity;
    if (t.position > t.maxPosition) t.maxPosition = t.position;
    t.entryQuantity += quantity;
    t.entryNotional += e.price * quantity;
    t.fees += fees;
    t.fills.push({ executionId: e.id, quantity: formatUnits(quantity, scales.quantity), fees: formatUnits(fees, scales.fee), role: 'open' });
  };

  /** `quantity` never exceeds the trade's open position. */
  const close = (t: TradeState, e: ParsedExecution, quantity: bigint, fees: bigint) => {
    let remaining = quantity;
    // Σ matched × (exit value − entry value): each side at its own multiplier, so realised P&L equals the cash that moved.
    let pnl = 0n;
    while (remaining > 0n) {
      if (head >= lotQuantity.length) throw new Error('invariant: closing quantity exceeds the open lots');
      const lot = lotQuantity[head]!;
      if (lot <= remaining) {
        pnl += lot * (e.value - lotValue[head]!);
        remaining -= lot;
        head += 1;
      } else {
        pnl += remaining * (e.value - lotValue[head]!);
        lotQuantity[head] = lot - remaining;
        remaining = 0n;
      }
    }
    t.grossPnl += t.direction === 1 ? pnl : -pnl;
    t.position -= quantity;
    t.exitQuantity += quantity;
    t.exitNotional += e.price * quantity;
    t.fees += fees;
    t.fills.push({ executionId: e.id, quantity: formatUnits(quantity, scales.quantity), fees: formatUnits(fees, scales.fee), role: 'close' });
    if (t.position === 0n) t.closedAt = e.time;
  };

  const start = (e: ParsedExecution): TradeState => {
    lotQuantity.length = 0;
    lotValue.length = 0;
    head = 0;
    const t = openTrade(e);
    trades.push(t);
    return t;
  };

  for (const index of order) {
    const e = parseExecution(executions[index]!, scales);
    if (current === null) {
      current = start(e);
      open(current, e, e.quantity, e.cost);
    } else if (e.direction === current.direction) {
      open(current, e, e.quantity, e.cost);
    } else if (e.quantity <= current.position) {
      close(current, e, e.quantity, e.cost);
    } else {
      // Crosses zero: close the old trade, open the opposite one with the rest. The closing
      // share is cost × closing / quantity rounded to FEE_SPLIT_DECIMALS; the opening share the rest.
      const closeQuantity = current.position;
      const closeFees = divRoundHalfEven(e.cost * closeQuantity, e.quantity * feeRounding) * feeRounding;
      close(current, e, closeQuantity, closeFees);
      current = start(e);
      open(current, e, e.quantity - closeQuantity, e.cost - closeFees);
    }
    if (current.closedAt !== null) current = null;
  }
  if (current !== null) {
    let costBasis = 0n;
    for (let i = head; i < lotQuantity.length; i++) costBasis += lotQuantity[i]! * lotValue[i]!;
    current.costBasis = costBasis;
  }
  return trades.map((t) => toDerivedTrade(t, scales));
}
