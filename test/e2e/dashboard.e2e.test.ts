import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newEmail, PASSWORD } from '../modules/auth/auth-helpers.js';
import { useWebApp } from './web-app.js';
import { webSourceDir } from './web-build.js';

/**
 * The whole product as a user meets it: the API process serving the built web app, driven by
 * headless Chromium. Values on screen are compared with what the API answers for the same user.
 */
const web = useWebApp();

async function apiAs(email: string) {
  const login = await web.t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD } });
  expect(login.statusCode, login.body).toBe(200);
  const authorization = `Bearer ${login.json().accessToken}`;
  return async (url: string) => {
    const res = await web.t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { authorization } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
}

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
const statValue = (page: Page, name: string) => page.locator(`[data-stat="${name}"]`).getAttribute('data-value');

describe('the web app, end to end', () => {
  it('sign up → import → dashboard numbers → tag and note a trade → tag breakdown → reload keeps the session → undo → sign out', { timeout: 180_000 }, async () => {
    const context = await web.browser.newContext();
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    // The import screen follows its import over the live-events socket: record the import events that arrive on it.
    const importEvents: string[] = [];
    page.on('websocket', (socket) => {
      if (!socket.url().endsWith('/api/v1/ws')) return;
      socket.on('framereceived', ({ payload }) => {
        const event = JSON.parse(String(payload)) as { type: string };
        if (event.type.startsWith('import.')) importEvents.push(event.type);
      });
    });
    const email = newEmail('e2e');

    // Sign up: a new user lands on the import screen.
    await page.goto(`${web.base}/signup`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create your account' }).click();
    await page.waitForURL(`${web.base}/import`);
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'ts_refresh')).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/api/v1/auth' });

    // Import: detected format and preview first, then the committed import runs to done.
    await page.getByLabel('Broker file', { exact: true }).setInputFiles(path.join(webSourceDir, 'public', 'sample-trades.csv'));
    await expect.poll(() => page.locator('[data-detected-broker]').getAttribute('data-detected-broker')).toBe('tradesense');
    await page.getByRole('button', { name: 'Import sample-trades.csv' }).click();
    await page.locator('[data-import-status="done"]').waitFor();
    await expect.poll(() => importEvents).toContain('import.completed');

    // Dashboard: every headline number is the one the API computes.
    const api = await apiAs(email);
    const summary = await api('/analytics/summary');
    expect(summary.tradeCount).toBe(12);
    await nav(page, 'Dashboard').click();
    await page.locator('[data-stat="tradeCount"]').waitFor();
    expect(await statValue(page, 'netPnl')).toBe(summary.netPnl);
    expect(await statValue(page, 'tradeCount')).toBe(String(summary.tradeCount));
    expect(await statValue(page, 'winRate')).toBe(String(summary.winRate));
    expect(await statValue(page, 'profitFactor')).toBe(String(summary.profitFactor));
    expect(await statValue(page, 'expectancy')).toBe(summary.expectancy);
    expect(await statValue(page, 'maxDrawdown')).toBe(summary.maxDrawdown.amount);
    await page.locator('.chart canvas').first().waitFor();

    // Live: a trade recorded elsewhere (a script with its own session) shows without a reload.
    const elsewhere = await web.t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD } });
    const authorization = `Bearer ${elsewhere.json().accessToken}`;
    const accounts = await web.t.app.inject({ method: 'GET', url: '/api/v1/accounts', headers: { authorization } });
    const recorded = await web.t.app.inject({
      method: 'POST',
      url: '/api/v1/trades',
      headers: { authorization },
      payload: {
        accountId: accounts.json().data[0].id,
        symbol: 'LIVE',
        assetClass: 'stock',
        fills: [
          { executedAt: '2025-03-03T15:00:00Z', side: 'buy', quantity: '10', price: '100' },
          { executedAt: '2025-03-03T16:00:00Z', side: 'sell', quantity: '10', price: '101' },
        ],
      },
    });
    expect(recorded.statusCode, recorded.body).toBe(201);
    await expect.poll(() => statValue(page, 'tradeCount'), { timeout: 10_000 }).toBe(String(summary.tradeCount + 1));
    const removed = await web.t.app.inject({ method: 'DELETE', url: `/api/v1/trades/${recorded.json().trades[0].id}`, headers: { authorization } });
    expect(removed.statusCode, removed.body).toBe(204);
    await expect.poll(() => statValue(page, 'tradeCount'), { timeout: 10_000 }).toBe(String(summary.tradeCount));

    // Open a trade from the list, tag it and write a note.
    await nav(page, 'Trades').click();
    const firstRow = page.locator('[data-trade-id]').first();
    const tradeId = await firstRow.getAttribute('data-trade-id');
    await firstRow.click();
    await page.waitForURL(`${web.base}/trades/${tradeId}`);
    await page.getByLabel('New tag').fill('breakout');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await expect.poll(() => page.getByRole('checkbox', { name: 'breakout' }).isChecked()).toBe(true);
    await page.getByLabel('Notes (Markdown)').fill('Waited for the **retest**.');
    // The note's Markdown is shown as it will read: bold as bold, never as HTML.
    const bold = page.getByRole('region', { name: 'Notes preview' }).locator('strong');
    await bold.waitFor();
    expect(await bold.textContent()).toBe('retest');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const trade = await api(`/trades/${tradeId}`);
    expect(trade.notes).toBe('Waited for the **retest**.');
    expect(trade.tags.map((tag: { name: string }) => tag.name)).toEqual(['breakout']);

    // The tag shows in the breakdown by tag, with the trade's P&L.
    await nav(page, 'Dashboard').click();
    await page.getByRole('tab', { name: 'Tag' }).click();
    const tagRow = page.locator('table[data-breakdown="tag"] tbody tr').filter({ has: page.getByRole('rowheader', { name: 'breakout' }) });
    await tagRow.waitFor();
    expect(await tagRow.locator('td').first().textContent()).toBe('1');

    // A reload loses the in-memory access token; the httpOnly cookie restores the session.
    await page.reload();
    await page.locator('[data-stat="tradeCount"]').waitFor();
    expect(page.url()).toBe(`${web.base}/dashboard`);

    // Undo the import: its trades are gone and the dashboard teaches how to import again.
    await nav(page, 'Import').click();
    await page.getByRole('button', { name: 'Undo import' }).click();
    await expect.poll(async () => (await api('/analytics/summary')).tradeCount).toBe(0);
    await nav(page, 'Dashboard').click();
    await page.getByRole('heading', { name: 'Welcome to TradeSense' }).waitFor();

    // Sign out ends the session: a reload stays signed out.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${web.base}/signin`);
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect((await context.cookies()).find((c) => c.name === 'ts_refresh')).toBeUndefined();
    await context.close();
  });

  it('keeps the session when several tabs load at once (refreshes are serialised across tabs)', { timeout: 120_000 }, async () => {
    const context = await web.browser.newContext();
    const first = await context.newPage();
    await first.goto(`${web.base}/signup`);
    await first.getByLabel('Email').fill(newEmail('tabs'));
    await first.getByLabel('Password').fill(PASSWORD);
    await first.getByRole('button', { name: 'Create your account' }).click();
    await first.waitForURL(`${web.base}/import`);
    // Each new tab starts without an access token, so each one refreshes with the same cookie at once.
    const tabs = [first, await context.newPage(), await context.newPage()];
    await Promise.all(tabs.map((tab) => tab.goto(`${web.base}/dashboard`)));
    for (const tab of tabs) await tab.getByRole('heading', { name: 'Welcome to TradeSense' }).waitFor();
    await first.reload();
    await first.getByRole('heading', { name: 'Welcome to TradeSense' }).waitFor();
    expect(tabs.map((tab) => new URL(tab.url()).pathname)).toEqual(['/dashboard', '/dashboard', '/dashboard']);
    await context.close();
  });

  it("writes today's journal entry in Markdown with a mood, shown as it reads and kept by the API", { timeout: 120_000 }, async () => {
    const context = await web.browser.newContext();
    const page = await context.newPage();
    const email = newEmail('journal');
    await page.goto(`${web.base}/signup`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create your account' }).click();
    await page.waitForURL(`${web.base}/import`);

    await nav(page, 'Journal').click();
    await page.getByLabel('Entry (Markdown)').fill('A **calm** day:\n- waited for the open\n- one trade');
    await page.getByLabel('Mood').selectOption('4');
    const preview = page.getByRole('region', { name: 'Entry preview' });
    await preview.locator('strong').waitFor();
    expect(await preview.locator('strong').textContent()).toBe('calm');
    expect(await preview.locator('li').allTextContents()).toEqual(['waited for the open', 'one trade']);
    await page.getByRole('button', { name: 'Save entry' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();

    const api = await apiAs(email);
    const shown = (await page.getByRole('heading', { name: /^Journal for / }).textContent())!.replace('Journal for ', '');
    const day = await api(`/journal/${shown}`);
    expect(day).toMatchObject({ hasEntry: true, content: 'A **calm** day:\n- waited for the open\n- one trade', mood: 4 });
    await context.close();
  });
});
