/**
 * Turns an execution as a person or an import gives it into the row TradeSense stores: the
 * instrument resolved (key, multiplier, option fields), decimals normalised. Pure.
 */
import { decimalSign, normalizeDecimalString } from '../../lib/decimal.js';
import type { AssetClass, OptionRight } from '../instruments/instruments.domain.js';
import { InvalidInstrumentError, resolveInstrument } from '../instruments/instruments.domain.js';

export interface ExecutionFields {
  executedAt: Date;
  symbol: string;
  assetClass: AssetClass;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  commission?: string | null;
  fees?: string | null;
  multiplier?: string | null;
  currency?: string | null;
  brokerExecId?: string | null;
  underlying?: string | null;
  expiry?: string | null;
  strike?: string | null;
  optionRight?: OptionRight | null;
}

export interface PreparedExecution {
  accountId: string;
  instrumentKey: string;
  executedAt: Date;
  symbol: string;
  assetClass: AssetClass;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  commission: string;
  fees: string;
  multiplier: string;
  currency: string;
  brokerExecId: string | null;
  underlying: string | null;
  expiry: string | null;
  strike: string | null;
  optionRight: OptionRight | null;
}

/** An execution TradeSense cannot store; `field` names the offending input. */
export class InvalidExecutionInputError extends Error {
  override readonly name = 'InvalidExecutionInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function decimalField(value: string, field: string): string {
  try {
    return normalizeDecimalString(value, field);
  } catch (error) {
    throw new InvalidExecutionInputError(field, (error as Error).message);
  }
}

export function prepareExecution(accountId: string, accountCurrency: string, input: ExecutionFields): PreparedExecution {
  const quantity = decimalField(input.quantity, 'quantity');
  if (decimalSign(quantity) <= 0) throw new InvalidExecutionInputError('quantity', 'quantity must be greater than 0');
  const price = decimalField(input.price, 'price');
  if (decimalSign(price) < 0) throw new InvalidExecutionInputError('price', 'price must not be negative');
  if (Number.isNaN(input.executedAt.getTime())) throw new InvalidExecutionInputError('executedAt', 'executedAt is not a valid instant');
  let instrument;
  try {
    instrument = resolveInstrument({
      symbol: input.symbol,
      assetClass: input.assetClass,
      multiplier: input.multiplier,
      underlying: input.underlying,
      expiry: input.expiry,
      strike: input.strike,
      optionRight: input.optionRight,
    });
  } catch (error) {
    if (error instanceof InvalidInstrumentError) throw new InvalidExecutionInputError(error.field, error.message);
    throw error;
  }
  return {
    accountId,
    instrumentKey: instrument.instrumentKey,
    executedAt: input.executedAt,
    symbol: instrument.symbol,
    assetClass: instrument.assetClass,
    side: input.side,
    quantity,
    price,
    commission: decimalField(input.commission ?? '0', 'commission'),
    fees: decimalField(input.fees ?? '0', 'fees'),
    multiplier: instrument.multiplier,
    currency: input.currency ?? accountCurrency,
    brokerExecId: input.brokerExecId ?? null,
    underlying: instrument.underlying,
    expiry: instrument.expiry,
    strike: instrument.strike,
    optionRight: instrument.optionRight,
  };
}
