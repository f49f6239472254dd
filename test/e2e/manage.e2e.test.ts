import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/app.js';
import type { Registered } from '../modules/auth/auth-helpers.js';
import { register } from '../modules/auth/auth-helpers.js';
import { importFile } from '../modules/imports/import-helpers.js';
import { useWebApp } from './web-app.js';
import { webSourceDir } from './web-build.js';

/**
 * The Playbooks and tags screen and the Settings screen in headless Chromium: what a user does
 * there, what they see, and what the API then answers for the same user.
 */
const web = useWebApp();

const asTestUser = (user: Registered): TestUser => ({ id: user.id, email: user.email, token: user.accessToken, headers: user.headers });

/** A registered user with the sample file imported (12 trades). */
async function traderWithTrades(): Promise<Registered> {
  const user = await register(web.t);
  const done = await importFile(web.t, asTestUser(user), {}, readFileSync(path.join(webSourceDir, 'public', 'sample-trades.csv')));
  expect(done.status).toBe('done');
  return user;
}

async function api(user: Registered, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  const res = await web.t.app.inject({ method, url: `/api/v1${url}`, headers: user.headers, ...(payload ? { payload } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.statusCode === 204 ? undefined : res.json();
}

async function signIn(user: Registered): Promise<{ context: BrowserContext; page: Page }> {
  const context = await web.browser.newContext();
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${web.base}/signin`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return { context, page };
}

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

describe('Playbooks and tags screen', () => {
  it('creates a playbook with rules and shows its stats; creates, shows and deletes tags', { timeout: 120_000 }, async () => {
    const user = await traderWithTrades();
    const { context, page } = await signIn(user);
    await nav(page, 'Playbooks').click();
    await page.getByText('A playbook is a setup you trade on purpose').waitFor();

    // A playbook with two rules, from the form.
    const form = page.getByRole('form', { name: 'New playbook' });
    await form.getByLabel('Name').fill('Opening range breakout');
    await form.getByLabel('Description').fill('First 30 minutes');
    await form.getByLabel('Rules, one a line').fill('Wait for the range\n\nStop under the range low\n');
    await form.getByRole('button', { name: 'Create playbook' }).click();
    const name = page.getByRole('button', { name: 'Opening range breakout' });
    await name.waitFor();
    const playbooks = (await api(user, 'GET', '/playbooks')).data as { id: string; name: string; description: string; rules: { id: string; text: string }[] }[];
    expect(playbooks).toHaveLength(1);
    const playbook = playbooks[0]!;
    expect(playbook).toMatchObject({ name: 'Opening range breakout', description: 'First 30 minutes' });
    expect(playbook.rules.map((r) => r.text)).toEqual(['Wait for the range', 'Stop under the range low']);

    // Two trades follow it (one breaks the second rule); the screen shows the API's stats.
    const trades = (await api(user, 'GET', '/trades?limit=2&sort=closedAt')).data as { id: string }[];
    const [wait, stop] = playbook.rules.map((r) => r.id);
    await api(user, 'PATCH', `/trades/${trades[0]!.id}`, { playbookId: playbook.id, ruleChecks: [{ ruleId: wait, followed: true }, { ruleId: stop, followed: true }] });
    await api(user, 'PATCH', `/trades/${trades[1]!.id}`, { playbookId: playbook.id, ruleChecks: [{ ruleId: wait, followed: true }, { ruleId: stop, followed: false }] });
    const stats = await api(user, 'GET', `/playbooks/${playbook.id}/stats`);
    expect(stats.summary.tradeCount).toBe(2);
    await name.click();
    expect(await name.getAttribute('aria-expanded')).toBe('true');
    const shown = page.locator(`[data-playbook-stats="${playbook.id}"]`);
    await expect.poll(() => shown.getAttribute('data-trade-count')).toBe('2');
    expect(await shown.getAttribute('data-net-pnl')).toBe(stats.summary.netPnl);
    expect(await shown.textContent()).toContain('2 trades');
    const stopRow = page.locator(`tr[data-rule-id="${stop}"]`);
    expect(await stopRow.getByRole('rowheader').textContent()).toBe('Stop under the range low');
    const cells = await stopRow.locator('td').allTextContents();
    expect(cells[0]).toMatch(/^1 \/ /);
    expect(cells[1]).toMatch(/^1 \/ /);
    const stopStats = (stats.rules as { ruleId: string; followed: { tradeCount: number }; broken: { tradeCount: number } }[]).find((r) => r.ruleId === stop)!;
    expect([stopStats.followed.tradeCount, stopStats.broken.tradeCount]).toEqual([1, 1]);

    // Tags: create one of kind mistake; tagging a trade shows its count and P&L on the screen.
    const tagForm = page.getByRole('form', { name: 'New tag' });
    await tagForm.getByLabel('Name').fill('chased');
    await tagForm.getByLabel('Kind').selectOption('mistake');
    await tagForm.getByRole('button', { name: 'Create tag' }).click();
    await page.getByRole('rowheader', { name: 'chased' }).waitFor();
    const tags = (await api(user, 'GET', '/tags')).data as { id: string; name: string; kind: string }[];
    const chased = tags.find((tag) => tag.name === 'chased')!;
    expect(chased.kind).toBe('mistake');
    const row = page.locator(`tr[data-tag-id="${chased.id}"]`);
    expect(await row.locator('td').first().textContent()).toBe('mistake');
    expect(await row.locator('td').nth(1).textContent()).toBe('0');

    await api(user, 'PATCH', `/trades/${trades[1]!.id}`, { tagIds: [chased.id] });
    const byTag = (await api(user, 'GET', '/analytics/breakdown?by=tag')).groups as { key: string; tradeCount: number; netPnl: string }[];
    const group = byTag.find((g) => g.key === chased.id)!;
    expect(group.tradeCount).toBe(1);
    await page.reload();
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe('1');
    expect(await row.locator('td[data-value]').getAttribute('data-value')).toBe(group.netPnl);

    // Delete (after the confirm dialog): gone from the screen and from the API.
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    expect(((await api(user, 'GET', '/tags')).data as { id: string }[]).map((tag) => tag.id)).not.toContain(chased.id);
    await context.close();
  });
});

describe('Settings screen', () => {
  it('changes time zone and breakeven tolerance and the dashboard follows', { timeout: 120_000 }, async () => {
    const user = await traderWithTrades();
    const before = await api(user, 'GET', '/analytics/summary');
    const { context, page } = await signIn(user);
    await nav(page, 'Settings').click();
    const timezone = page.getByLabel('Time zone (days, calendar and hours follow it)');
    await expect.poll(() => timezone.inputValue()).toBe('UTC');
    await timezone.fill('America/New_York');
    // Wide enough that some of the sample's winners count as breakeven.
    await page.getByLabel('Breakeven tolerance (a trade within ± this is breakeven)').fill('100');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();

    const me = await api(user, 'GET', '/auth/me');
    expect(me.timezone).toBe('America/New_York');
    expect(Number(me.breakevenTolerance)).toBe(100);
    const after = await api(user, 'GET', '/analytics/summary');
    expect(after.breakeven).toBeGreaterThan(before.breakeven);
    expect(after.winRate).not.toBe(before.winRate);

    await nav(page, 'Dashboard').click();
    await expect.poll(() => page.locator('[data-stat="winRate"]').getAttribute('data-value')).toBe(String(after.winRate));

    // A bad time zone is refused with the API's message and changes nothing.
    await nav(page, 'Settings').click();
    await timezone.fill('Mars/Olympus_Mons');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('alert').waitFor();
    expect((await api(user, 'GET', '/auth/me')).timezone).toBe('America/New_York');

    await page.reload();
    await expect.poll(() => timezone.inputValue()).toBe('America/New_York');
    await context.close();
  });

  it('lists sessions and revokes another one; creates an API key shown once, then revokes it', { timeout: 120_000 }, async () => {
    const user = await register(web.t);
    // A second session: the same user signed in from another device.
    const other = await web.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: user.password },
      headers: { 'user-agent': 'E2E other device' },
    });
    expect(other.statusCode, other.body).toBe(200);
    const { context, page } = await signIn(user);
    await nav(page, 'Settings').click();

    const sessions = page.getByRole('table', { name: 'Active sessions' });
    const otherRow = sessions.getByRole('row').filter({ hasText: 'E2E other device' });
    await otherRow.waitFor();
    await sessions.getByText('This session').waitFor();
    const listed = (await api(user, 'GET', '/auth/sessions')).data as { userAgent: string | null }[];
    expect(await sessions.locator('tbody tr').count()).toBe(listed.length);
    await otherRow.getByRole('button', { name: 'Revoke' }).click();
    await otherRow.waitFor({ state: 'detached' });
    expect(((await api(user, 'GET', '/auth/sessions')).data as { userAgent: string | null }[]).map((s) => s.userAgent)).not.toContain('E2E other device');
    const reused = await web.t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: other.json().refreshToken } });
    expect(reused.statusCode).toBe(401);

    // An API key: its secret is shown once, works as a bearer token, and stops working when revoked.
    await page.getByLabel('Key name').fill('nightly export');
    await page.getByLabel('Scope').selectOption('read');
    await page.getByRole('button', { name: 'Create key' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'not shown again' });
    const secret = (await notice.locator('code').textContent())!;
    expect(secret).toMatch(/^ts_/);
    const keys = page.getByRole('table', { name: 'API keys' });
    const keyRow = keys.getByRole('row').filter({ hasText: 'nightly export' });
    await keyRow.waitFor();
    const [key] = (await api(user, 'GET', '/auth/api-keys')).data as { id: string; prefix: string; scope: string }[];
    expect(key!.scope).toBe('read');
    expect(secret.startsWith(key!.prefix)).toBe(true);
    expect(await keyRow.locator('code').textContent()).toBe(`${key!.prefix}…`);
    const withKey = () => web.t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${secret}` } });
    expect((await withKey()).statusCode).toBe(200);

    await page.reload();
    await keyRow.waitFor();
    expect(await page.locator('body').textContent()).not.toContain(secret);

    await keyRow.getByRole('button', { name: 'Revoke' }).click();
    await keyRow.waitFor({ state: 'detached' });
    expect((await api(user, 'GET', '/auth/api-keys')).data).toEqual([]);
    expect((await withKey()).statusCode).toBe(401);
    await context.close();
  });
});
