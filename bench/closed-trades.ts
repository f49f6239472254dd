import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import * as schema from '../src/db/schema/index.js';
import { rebuildDailyAggregates } from '../src/modules/trades/trades.repository.js';

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMZN', 'META', 'GOOG', 'SPY', 'QQQ', 'ES', 'NQ', 'CL'];
const CHUNK = 20_000;

export interface ClosedTradesOptions {
  userId: string;
  accountId: string;
  count: number;
  /** The first trade's open time (ms); trade k opens `k × spacingMs` later, plus its jitter. */
  start: number;
  spacingMs: number;
  /** Up to this much added at random to each open time; 0 for none. */
  jitterMs: number;
  /** Hold times are 30 s up to this many seconds more. */
  maxExtraHoldSeconds: number;
  /** Seed of the generator, so a bench inserts the same trades on every run. */
  seed: number;
}

/**
 * Inserts `count` closed stock trades (12 symbols in turn, 60% long) straight into PostgreSQL, one
 * `unnest` insert per 20,000, then builds the user's daily aggregates as the trades module would
 * have kept them, and analyzes the tables. Answers how long the inserts and the aggregates took.
 */
export async function insertClosedTrades(client: pg.Client, options: ClosedTradesOptions): Promise<{ insertMs: number; aggregatesMs: number }> {
  let state = options.seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const began = performance.now();
  for (let offset = 0; offset < options.count; offset += CHUNK) {
    const cols: string[][] = Array.from({ length: 10 }, () => []);
    const hold: number[] = [];
    for (let k = offset; k < Math.min(options.count, offset + CHUNK); k++) {
      const open = options.start + k * options.spacingMs + (options.jitterMs > 0 ? Math.floor(random() * options.jitterMs) : 0);
      const seconds = 30 + Math.floor(random() * options.maxExtraHoldSeconds);
      const entry = 50 + Math.floor(random() * 20_000) / 100;
      const exit = Math.round((entry + (random() - 0.47) * 4) * 100) / 100;
      const qty = 1 + Math.floor(random() * 200);
      const long = random() < 0.6;
      const gross = Math.round((long ? exit - entry : entry - exit) * qty * 100) / 100;
      const fees = Math.round(qty * 0.5) / 100;
      const net = Math.round((gross - fees) * 100) / 100;
      const row = [SYMBOLS[k % SYMBOLS.length]!, long ? 'long' : 'short', new Date(open).toISOString(), new Date(open + seconds * 1000).toISOString(), entry.toFixed(2), exit.toFixed(2), String(qty), gross.toFixed(2), fees.toFixed(2), net.toFixed(2)];
      row.forEach((v, i) => cols[i]!.push(v));
      hold.push(seconds);
    }
    await client.query(
      `insert into trades (user_id, account_id, instrument_key, symbol, asset_class, side, status, opened_at, closed_at, quantity, open_quantity,
         avg_entry, avg_exit, gross_pnl, fees, net_pnl, cost_basis, hold_seconds, multiplier, currency, first_execution_id, execution_count)
       select $1, $2, s, s, 'stock', sd, 'closed', o, c, q, 0, e, x, g, f, n, 0, h, 1, 'USD', gen_random_uuid(), 2
       from unnest($3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[], $11::numeric[], $12::numeric[], $13::bigint[])
         as u(s, sd, o, c, e, x, q, g, f, n, h)`,
      [options.userId, options.accountId, ...cols, hold],
    );
  }
  const inserted = performance.now();
  // The trades went in behind the trades module's back: build the aggregates it would have kept.
  await drizzle({ client, schema }).transaction((tx) => rebuildDailyAggregates(tx, options.userId));
  const built = performance.now();
  // Steady state: autovacuum would soon do the same after this many inserts; the visibility map lets the summary's index-only scan skip the heap.
  await client.query('vacuum (analyze) trades, daily_aggregates, daily_sequences, daily_account_sequences, daily_symbol_sequences');
  return { insertMs: inserted - began, aggregatesMs: built - inserted };
}
