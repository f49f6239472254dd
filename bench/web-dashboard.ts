/**
 * Dashboard bench: `npx tsx bench/web-dashboard.ts [--trades 100000]` — time until a browser
 * shows every dashboard number with N trades loaded, on localhost.
 *
 * Builds the web app if stale, starts the API in this process on PostgreSQL (DATABASE_URL,
 * default postgres://postgres@127.0.0.1:5432/tradesense_bench, created when missing), signs a new user up through the UI in
 * headless Chromium, inserts N closed trades for it straight into PostgreSQL (and builds the
 * daily aggregates the trades module would have kept for them), then loads
 * /dashboard: a full page load (HTML, scripts, session refresh from the cookie, then summary,
 * equity curve, calendar and breakdown requests) until the six headline numbers, the equity
 * chart, the calendar and the breakdown table are on screen. First load (server cache cold),
 * then three reloads (cache warm); goal < 1 s. "On screen" is checked in the page on every
 * animation frame.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { launchBrowser } from '../test/e2e/browser.js';
import { ensureWebBuilt } from '../test/e2e/web-build.js';
import { insertClosedTrades } from './closed-trades.js';
import { BENCH_DATABASE_URL, ensureDatabase } from './lib.js';

const args = process.argv.slice(2);
const tradeCount = Number(args.includes('--trades') ? args[args.indexOf('--trades') + 1] : 100_000);
const databaseUrl = process.env.DATABASE_URL ?? BENCH_DATABASE_URL;
/** What the dashboard shows once every number is in: the six headline numbers, the equity chart, the month's P&L and the breakdown. */
const SHOWN = [
  ...['netPnl', 'winRate', 'profitFactor', 'expectancy', 'maxDrawdown', 'tradeCount'].map((s) => `[data-stat="${s}"]`),
  '.chart canvas',
  // The month's grid is drawn before its P&L arrives: wait for the numbers, not the grid.
  '.calendar[aria-busy="false"] .day',
  'table[data-breakdown] tbody tr',
];

/** The page's globals this file uses (the bench is compiled without the DOM's types). */
type InPage = { document: { querySelector(selector: string): { checkVisibility(): boolean } | null } };

/**
 * From navigation to the frame in which everything is visible. Checked on every animation frame
 * in the page: locator waits poll with a backoff (up to 500 ms between checks), which would add
 * hundreds of milliseconds of waiting to the measurement.
 */
async function timeDashboard(page: Page, url: string): Promise<number> {
  const began = performance.now();
  await page.goto(url);
  await page.waitForFunction(
    (selectors) => selectors.every((s) => (globalThis as unknown as InPage).document.querySelector(s)?.checkVisibility() === true),
    SHOWN,
    { polling: 'raf', timeout: 60_000 },
  );
  return performance.now() - began;
}

async function main() {
  ensureDatabase(databaseUrl);
  const distDir = await ensureWebBuilt();
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    LOG_PRETTY: 'false',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tradesense-bench-web-')),
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
    DATABASE_URL: databaseUrl,
    WEB_DIST_DIR: distDir,
    SHED_EVENT_LOOP_DELAY_MS: '0',
    RATE_LIMIT_AUTH: 'off',
    RATE_LIMIT_DEFAULT: 'off',
    RATE_LIMIT_ANALYTICS: 'off',
  });
  const app = await buildApp(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://localhost:${(app.server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const page = await browser.newPage();
    const email = `bench-web-${Date.now()}@example.com`;
    await page.goto(`${base}/signup`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('Violet-Harbor-Lantern-42');
    await page.getByRole('button', { name: 'Create your account' }).click();
    await page.waitForURL(`${base}/import`);
    const { rows } = await client.query<{ id: string }>('select id from users where email = $1', [email]);
    const userId = rows[0]!.id;
    const { rows: accounts } = await client.query<{ id: string }>(`insert into accounts (user_id, name) values ($1, 'Bench') returning id`, [userId]);
    const { insertMs } = await insertClosedTrades(client, {
      userId,
      accountId: accounts[0]!.id,
      count: tradeCount,
      start: Date.parse('2021-01-04T14:30:00Z'),
      spacingMs: 15 * 60_000,
      jitterMs: 0,
      maxExtraHoldSeconds: 10_000,
      seed: 7,
    });
    console.log(`inserted ${tradeCount} trades in ${Math.round(insertMs)} ms`);

    const cold = await timeDashboard(page, `${base}/dashboard`);
    const warm: number[] = [];
    for (let i = 0; i < 3; i++) warm.push(await timeDashboard(page, `${base}/dashboard`));
    const shown = await page.locator('[data-stat="tradeCount"]').getAttribute('data-value');
    console.log(`\nTradeSense dashboard bench — ${tradeCount} trades (dashboard shows ${shown}), PostgreSQL, ${new Date().toISOString()}, node ${process.version}`);
    console.log(`  first load, server cache cold:  ${Math.round(cold)} ms   (goal < 1000 ms: ${cold < 1000 ? 'met' : 'MISSED'})`);
    console.log(`  reloads, server cache warm:     ${warm.map((w) => Math.round(w)).join(' / ')} ms`);
  } finally {
    await client.end();
    await browser.close();
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
