/** The trades-list scenarios of the ledger benches (`bench/ledger.ts`, `bench/list.ts`), on one user's generated data. */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Config } from '../src/config/config.js';
import { createTokenService } from '../src/platform/auth/tokens.js';
import type { Db } from '../src/platform/db/database.js';

export interface ListScenario {
  scenario: string;
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
  return {
    headers: { authorization: `Bearer ${token}` },
    scenarios: [
      { scenario: 'trades list, first page (limit 50)', path: '/api/v1/trades?limit=50' },
      { scenario: `trades list, symbol + date range (SYM07, ${from} – ${to})`, path: `/api/v1/trades?symbol=SYM07&from=${from}&to=${to}&limit=50` },
      { scenario: 'trades list, sort=-netPnl', path: '/api/v1/trades?sort=-netPnl&limit=50' },
    ],
  };
}
