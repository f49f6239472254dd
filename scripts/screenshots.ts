/**
 * `npm run screenshots` — regenerates docs/screenshots/*.png: builds the web app, starts the API
 * on a fresh embedded database, signs up and imports the sample file through the UI in headless
 * Chromium, then photographs each main screen in light and dark.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { projectRoot } from '../src/lib/paths.js';
import { launchBrowser } from '../test/e2e/browser.js';
import { ensureWebBuilt, webSourceDir } from '../test/e2e/web-build.js';

const out = path.join(projectRoot, 'docs', 'screenshots');
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

async function main() {
  const distDir = await ensureWebBuilt();
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    LOG_PRETTY: 'false',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tradesense-shots-')),
    WEB_DIST_DIR: distDir,
    SHED_EVENT_LOOP_DELAY_MS: '0',
  });
  const app = await buildApp(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://localhost:${(app.server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  mkdirSync(out, { recursive: true });
  try {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme, deviceScaleFactor: 1 });
      const page = await context.newPage();
      page.on('dialog', (d) => void d.accept());
      const shot = (name: string) => page.screenshot({ path: path.join(out, `${name}-${colorScheme}.png`), fullPage: true });

      await page.goto(`${base}/signup`);
      await shot('signup');
      await page.getByLabel('Email').fill(`shots-${colorScheme}-${Date.now()}@example.com`);
      await page.getByLabel('Password').fill('Violet-Harbor-Lantern-42');
      await page.getByRole('button', { name: 'Create your account' }).click();
      await page.waitForURL(`${base}/import`);
      await nav(page, 'Dashboard').click();
      await page.getByRole('heading', { name: 'Welcome to TradeSense' }).waitFor();
      await shot('empty-dashboard');

      await nav(page, 'Import').click();
      await page.getByLabel('Broker file', { exact: true }).setInputFiles(path.join(webSourceDir, 'public', 'sample-trades.csv'));
      await page.locator('[data-detected-broker]').waitFor();
      await page.getByRole('button', { name: /^Import / }).click();
      await page.locator('[data-import-status="done"]').waitFor();
      await shot('import');

      await nav(page, 'Dashboard').click();
      await page.locator('.chart canvas').first().waitFor();
      await page.locator('.calendar .day:not([disabled])').first().click();
      await page.getByRole('heading', { name: /^Trades on / }).waitFor();
      await page.waitForTimeout(300);
      await shot('dashboard');

      await nav(page, 'Trades').click();
      await page.locator('[data-trade-id]').first().waitFor();
      await shot('trades');
      await page.locator('[data-trade-id]').first().click();
      await page.getByRole('heading', { name: 'Executions' }).waitFor();
      await shot('trade-detail');

      await page.goto(`${base}/journal?month=2024-03&date=2024-03-04`);
      await page.getByRole('heading', { name: /^Trades · / }).waitFor();
      await page.getByLabel('Entry (Markdown)').fill('Waited for the open range to settle; took the AAPL breakout on the retest.');
      await page.getByRole('button', { name: 'Save entry' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
      await shot('journal');

      await nav(page, 'Playbooks').click();
      await page.getByLabel('Name').first().fill('Opening range breakout');
      await page.getByLabel('Rules, one a line').fill('Wait for the first 5-minute range\nEnter on the retest\nStop below the range');
      await page.getByRole('button', { name: 'Create playbook' }).click();
      await page.getByRole('button', { name: 'Opening range breakout' }).click();
      await page.getByRole('cell', { name: /Enter on the retest/ }).or(page.getByRole('rowheader', { name: 'Enter on the retest' })).waitFor();
      await shot('playbooks');

      await nav(page, 'Settings').click();
      await page.getByRole('table', { name: 'Active sessions' }).waitFor();
      await shot('settings');
      await context.close();
    }
    console.log(`screenshots written to ${path.relative(projectRoot, out)}/`);
  } finally {
    await browser.close();
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
