/** The trades-list scenarios of the ledger benches (`bench/ledger.ts`, `bench/list.ts`), on one user's generated data. */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Config } from '../src/config/config.js';
import type { TradeListInput } from '../src/modules/trades/trades.schemas.js';
import type { TradesService } from '../src/modules/trades/trades.service.js';
import { createTokenService } from '../src/platform/auth/tokens.js';
import type { Db } from '../src/platform/db/database.js';
import type { Row } from './lib.js';

export interface ListScenario {
  scenario: string;
  query: TradeListInput;
  path: string;
}

/** A bearer header for the user, and the list pages: first page, SYM07 in the middle half of its history, sort=-netPnl. */
export async function listScenarios(db: Db, config: Config, userId: string): Promise<{ headers: Record<string, string>; scenarios: ListScenario[] }> {
  // The filtered list asks for the middle half of SYM07's activity, so the page is full (the generated history spans weeks, not years).
  const span = await db.execute(sql`
    select (extract(epoch from min(opened_at)) * 1000)::float8 as lo, (extract(epoch from max(opened_at)) * 1000)::float8 as hi
    from trades where user_id = ${userId} and symbol = 'SYM07'`);
  const { lo: loMs, hi: hiMs } = (span as unknown as { rows: { lo: number; hi: number }[] }).rows[0]!;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const from = day(loMs + (hiMs - loMs) / 4);
  const to = day(loMs + ((hiMs - loMs) * 3) / 4);
  const { token } = await createTokenService(config).signAccess({ userId, role: 'user', sessionId: randomUUID() });
  const scenario = (name: string, query: TradeListInput): ListScenario => ({
    scenario: name,
    query,
    path: `/api/v1/trades?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`,
  });
  return {
    headers: { authorization: `Bearer ${token}` },
    scenarios: [
      scenario('trades list, first page (limit 50)', { limit: 50 }),
      scenario(`trades list, symbol + date range (SYM07, ${from} – ${to})`, { symbol: 'SYM07', from, to, limit: 50 }),
      scenario('trades list, sort=-netPnl', { sort: '-netPnl', limit: 50 }),
    ],
  };
}

/**
 * The query path alone, in this process and without a page cache: `listTrades` (statement,
 * round trip, rows to the API's objects) called one at a time, `runs` times after a warm-up.
 */
export async function measureQueryPath(tradesService: Pick<TradesService, 'listTrades'>, userId: string, scenarios: readonly ListScenario[], runs: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const { scenario, query } of scenarios) {
    for (let i = 0; i < 20; i++) await tradesService.listTrades(userId, query);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await tradesService.listTrades(userId, query);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 10) / 10;
    rows.push({ scenario: `${scenario}, query path in-process (${runs} calls, one at a time)`, p50: at(0.5), p95: at(0.95), p99: at(0.99), note: 'p97.5 column: p95' });
  }
  return rows;
}
