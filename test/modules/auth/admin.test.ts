import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPromoteAdmin } from '../../../src/cli/promote-admin.js';
import { users } from '../../../src/db/schema/index.js';
import type { TestApp } from '../../helpers/app.js';
import { buildApp } from '../../../src/app.js';
import { buildTestApp, createUser, expectEnvelope, testConfig } from '../../helpers/app.js';
import { PASSWORD, bearer, login, newEmail, register } from './auth-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const listUsers = (headers: Record<string, string>, query = '') => t.app.inject({ method: 'GET', url: `/api/v1/admin/users${query}`, headers });

describe('GET /admin/users', () => {
  it('answers 403 forbidden to a user', async () => {
    const u = await register(t);
    const res = await listUsers(u.headers);
    expect(res.statusCode).toBe(403);
    expectEnvelope(res.json(), 'forbidden');
  });

  it('answers 401 when anonymous', async () => {
    expect((await listUsers({})).statusCode).toBe(401);
  });

  it('lists users newest first with id, email, role and createdAt to an admin, paging with a cursor', async () => {
    const admin = await createUser(t, { role: 'admin' });
    const a = await register(t);
    const b = await register(t);
    const res = await listUsers(admin.headers, '?limit=2');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.page.limit).toBe(2);
    expect(body.data).toHaveLength(2);
    expect(Object.keys(body.data[0]).sort()).toEqual(['createdAt', 'email', 'id', 'role']);
    const times = body.data.map((u: { createdAt: string }) => u.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    // Walk the pages until both new users were seen: nothing skipped, nothing twice.
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: { data: { id: string }[]; page: { nextCursor: string | null } } = (await listUsers(admin.headers, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      for (const u of page.data) {
        expect(seen.has(u.id)).toBe(false);
        seen.add(u.id);
      }
      cursor = seen.has(a.id) && seen.has(b.id) ? null : page.page.nextCursor;
    } while (cursor);
    expect(seen.has(a.id) && seen.has(b.id)).toBe(true);
  });

  it('answers 400 for a limit over 500', async () => {
    const admin = await createUser(t, { role: 'admin' });
    const res = await listUsers(admin.headers, '?limit=501');
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'validation_failed');
  });
});

/** A second app on the test's database, as another process starting with these settings would be. */
async function bootApp(env: Record<string, string>): Promise<TestApp> {
  const config = testConfig(env);
  const app = await buildApp(config, { database: t.database });
  await app.ready();
  return { app, config, database: t.database, close: () => app.close() };
}

describe('ADMIN_EMAIL bootstrap', () => {
  it('creates the configured user as admin at start-up, able to sign in and use admin routes', async () => {
    const email = newEmail('boot-admin');
    const booted = await bootApp({ ADMIN_EMAIL: email, ADMIN_PASSWORD: PASSWORD });
    try {
      const res = await login(booted, email, PASSWORD);
      expect(res.statusCode).toBe(200);
      expect(res.json().user.role).toBe('admin');
      expect((await booted.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: bearer(res.json().accessToken) })).statusCode).toBe(200);
    } finally {
      await booted.close();
    }
  });

  it('promotes an existing user without touching the password', async () => {
    const u = await register(t);
    const booted = await bootApp({ ADMIN_EMAIL: u.email.toUpperCase(), ADMIN_PASSWORD: 'Another-Strong-Pass-99' });
    try {
      const res = await login(booted, u.email, u.password);
      expect(res.statusCode).toBe(200);
      expect(res.json().user.role).toBe('admin');
    } finally {
      await booted.close();
    }
  });

  it('refuses to start with an admin password that breaks the policy', async () => {
    await expect(bootApp({ ADMIN_EMAIL: newEmail('weak-admin'), ADMIN_PASSWORD: 'password123' })).rejects.toThrow(/common_password/);
  });
});

describe('npm run admin:promote', () => {
  it('promotes a known user (exit 0), says so, and exits 1 for an unknown email, 2 without one', async () => {
    const u = await register(t);
    const lines: string[] = [];
    const options = {
      loadConfigFn: () => t.config,
      // The test's database, kept open: the CLI closes what it opened.
      openDatabaseFn: async () => ({ ...t.database, close: async () => undefined }),
      out: { log: (m: string) => lines.push(`log: ${m}`), error: (m: string) => lines.push(`error: ${m}`) },
    };
    expect(await runPromoteAdmin([u.email.toUpperCase()], options)).toBe(0);
    expect(lines.at(-1)).toBe(`log: Promoted ${u.email} (${u.id}) to admin.`);
    const [row] = await t.database.db.select({ role: users.role }).from(users).where(eq(users.id, u.id));
    expect(row!.role).toBe('admin');

    expect(await runPromoteAdmin([u.email], options)).toBe(0);
    expect(lines.at(-1)).toMatch(/already an admin; nothing changed/);
    expect(await runPromoteAdmin([newEmail('nobody')], options)).toBe(1);
    expect(lines.at(-1)).toMatch(/^error: No user has the email/);
    expect(await runPromoteAdmin([], options)).toBe(2);
  });

  it('runs as a command: exits non-zero for an unknown email', async () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/promote-admin.ts', newEmail('nobody')], {
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'promote-')) },
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/No user has the email/);
  }, 120_000);
});
