import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { inject } from 'vitest';
import type { App, AppDeps } from '../../src/app.js';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/config.js';
import type { Database } from '../../src/platform/db/database.js';
import { openDatabase } from '../../src/platform/db/database.js';
import { users, sessions } from '../../src/db/schema/index.js';
import { installContractCheck } from './contract.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

/** Environment for a test app: the embedded defaults, or PostgreSQL/Redis when CI sets their URLs. */
/**
 * Every test request comes from 127.0.0.1, and with Redis every test app and test process counts
 * them in the same counters: limits no test reaches (the limiter has its own tests with low ones).
 */
export const TEST_RATE_LIMITS = { RATE_LIMIT_AUTH: '100000/60', RATE_LIMIT_DEFAULT: '100000/60', RATE_LIMIT_IMPORTS: '100000/60' };

export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOG_PRETTY: 'false',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tradesense-data-')),
    JWT_SECRET: TEST_JWT_SECRET,
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    DB_POOL_MAX: '5',
    ...TEST_RATE_LIMITS,
    // A loaded CI machine must not shed the test suite's requests.
    SHED_EVENT_LOOP_DELAY_MS: '0',
    ...overrides,
  });
}

export const usingPostgres = () => Boolean(process.env.DATABASE_URL);
export const usingRedis = () => Boolean(process.env.REDIS_URL);

/** Opens the test database: a private in-memory PGlite from the migrated dump, or the shared PostgreSQL. */
export async function openTestDatabase(config: Config): Promise<Database> {
  if (config.database.url) return openDatabase(config);
  const dump = readFileSync(inject('pgliteDump'));
  return openDatabase(config, { pgliteDataDir: 'memory://', pgliteLoadDataDir: new Blob([dump]) });
}

export interface TestApp {
  app: App;
  config: Config;
  database: Database;
  close(): Promise<void>;
}

export interface TestAppOptions extends Omit<AppDeps, 'database'> {
  /** Extra routes for platform tests, registered before the app is ready. */
  routes?: (app: App) => void;
}

/**
 * The app on the test database, with the contract check on: `close()` fails the file if any
 * response sent a status or body its route's schema does not declare.
 */
export async function buildTestApp(overrides: Record<string, string | undefined> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const { routes, ...deps } = options;
  const config = testConfig(overrides);
  const database = await openTestDatabase(config);
  const app = await buildApp(config, { ...deps, database });
  const violations = installContractCheck(app);
  routes?.(app);
  await app.ready();
  return {
    app,
    config,
    database,
    async close() {
      await app.close();
      await database.close();
      if (violations.length > 0) throw new Error(`Responses that break their route's declared schema:\n${[...new Set(violations)].join('\n')}`);
    },
  };
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
  headers: { authorization: string };
}

/**
 * A fresh user with a session and an access token, made straight in the database so that
 * tests of other modules do not depend on the auth routes. Each test makes its own users,
 * so files run in parallel against one database without cleaning tables.
 */
export async function createUser(t: TestApp, options: { role?: 'user' | 'admin'; timezone?: string } = {}): Promise<TestUser> {
  const email = `user-${randomUUID()}@example.test`;
  const [user] = await t.database.db
    .insert(users)
    .values({ email, passwordHash: 'not-a-real-hash', role: options.role ?? 'user', timezone: options.timezone ?? 'UTC' })
    .returning({ id: users.id });
  const [session] = await t.database.db
    .insert(sessions)
    .values({ userId: user!.id, expiresAt: new Date(Date.now() + 86_400_000) })
    .returning({ id: sessions.id });
  const { token } = await t.app.tokens.signAccess({ userId: user!.id, role: options.role ?? 'user', sessionId: session!.id });
  return { id: user!.id, email, token, headers: { authorization: `Bearer ${token}` } };
}

/** `app.inject` with a user's credentials and the JSON body parsed. */
export async function call(t: TestApp, user: TestUser | null, options: InjectOptions): Promise<LightMyRequestResponse> {
  const headers = { ...(options.headers ?? {}), ...(user ? user.headers : {}) };
  return t.app.inject({ ...options, headers });
}

export function expectEnvelope(body: unknown, code?: string) {
  const b = body as Record<string, unknown>;
  if (b.success !== false || typeof b.request_id !== 'string' || typeof b.timestamp !== 'string' || typeof b.message !== 'string') {
    throw new Error(`not an error envelope: ${JSON.stringify(body)}`);
  }
  if (code !== undefined && b.code !== code) throw new Error(`expected code ${code}, got ${String(b.code)}: ${JSON.stringify(body)}`);
}
