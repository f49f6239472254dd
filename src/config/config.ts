import path from 'node:path';
import { projectRoot } from '../lib/paths.js';

/**
 * Typed configuration, read once at start. This is the only module that reads `process.env`;
 * everything else receives the `Config` object.
 */

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

function optional(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = str(env, name, fallback);
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return raw;
}

function list(env: Env, name: string): string[] {
  const raw = optional(env, name);
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export const RATE_LIMIT_CLASSES = ['auth', 'default', 'analytics', 'imports', 'exports', 'admin'] as const;
export type RateLimitClass = (typeof RATE_LIMIT_CLASSES)[number];

const RATE_LIMIT_DEFAULTS: Record<RateLimitClass, string> = {
  auth: '20/60',
  default: '600/60',
  analytics: '300/60',
  imports: '20/3600',
  exports: '30/60',
  admin: '60/60',
};

/** `RATE_LIMIT_<CLASS>=max/windowSeconds`, e.g. RATE_LIMIT_DEFAULT=600/60; `off` disables the class. */
function rateLimits(env: Env) {
  const out = {} as Record<RateLimitClass, { max: number; windowSeconds: number } | null>;
  for (const cls of RATE_LIMIT_CLASSES) {
    const name = `RATE_LIMIT_${cls.toUpperCase()}`;
    const raw = str(env, name, RATE_LIMIT_DEFAULTS[cls]).trim();
    if (raw === 'off') {
      out[cls] = null;
      continue;
    }
    const match = /^(\d+)\/(\d+)$/.exec(raw);
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new ConfigError(name, `must be "max/windowSeconds" (e.g. 600/60) or off, got "${raw}"`);
    out[cls] = { max: Number(match[1]), windowSeconds: Number(match[2]) };
  }
  return out;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const NODE_ENVS = ['development', 'production', 'test'] as const;

export function loadConfig(env: Env = process.env) {
  const nodeEnv = oneOf(env, 'NODE_ENV', 'development', NODE_ENVS);
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const jwtSecret = optional(env, 'JWT_SECRET');
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 bytes long');
  }
  if (nodeEnv === 'production' && databaseUrl !== undefined && jwtSecret === undefined) {
    // Several processes sharing one database must share the signing key; a per-process
    // generated key would make tokens from one process fail on the next.
    throw new ConfigError('JWT_SECRET', 'is required in production when DATABASE_URL is set');
  }
  const adminEmail = optional(env, 'ADMIN_EMAIL');
  const adminPassword = optional(env, 'ADMIN_PASSWORD');
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    throw new ConfigError(adminEmail === undefined ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD', 'must be set together with its pair');
  }
  const corsOrigins = list(env, 'CORS_ORIGINS');
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/]+$/.test(origin)) {
      throw new ConfigError('CORS_ORIGINS', `entries must be origins like https://app.example.com, got "${origin}"`);
    }
  }
  const refreshIdleDays = int(env, 'REFRESH_TOKEN_IDLE_DAYS', 30, 1, 365);
  const refreshAbsoluteDays = int(env, 'REFRESH_TOKEN_ABSOLUTE_DAYS', 90, 1, 3650);
  if (refreshIdleDays > refreshAbsoluteDays) {
    throw new ConfigError('REFRESH_TOKEN_IDLE_DAYS', 'must not exceed REFRESH_TOKEN_ABSOLUTE_DAYS');
  }

  return {
    nodeEnv,
    host: str(env, 'HOST', '0.0.0.0'),
    port: int(env, 'PORT', 8000, 0, 65535),
    logLevel: oneOf(env, 'LOG_LEVEL', nodeEnv === 'test' ? 'silent' : 'info', LOG_LEVELS),
    /** Pretty logs only when a person is watching; JSON otherwise. */
    logPretty: bool(env, 'LOG_PRETTY', process.stdout.isTTY === true),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    dataDir: path.resolve(str(env, 'DATA_DIR', './data')),
    database: {
      url: databaseUrl,
      readUrl: url(env, 'DATABASE_READ_URL', ['postgres:', 'postgresql:']),
      poolMax: int(env, 'DB_POOL_MAX', 20, 1, 1000),
      idleTimeoutMs: int(env, 'DB_POOL_IDLE_TIMEOUT_MS', 30_000, 0, 3_600_000),
      connectionTimeoutMs: int(env, 'DB_CONNECTION_TIMEOUT_MS', 5_000, 100, 120_000),
      statementTimeoutMs: int(env, 'DB_STATEMENT_TIMEOUT_MS', 15_000, 0, 3_600_000),
      /** The embedded database's buffer cache; PGlite clears it at every start, so its size is start-up time. */
      pgliteSharedBuffersMb: int(env, 'PGLITE_SHARED_BUFFERS_MB', 16, 1, 1024),
      /** Let V8 recompile PGlite's hot WebAssembly with its optimizing compiler: faster large queries, a slower start. */
      pgliteWasmTierUp: bool(env, 'PGLITE_WASM_TIER_UP', false),
    },
    cache: {
      redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
      ttlSeconds: int(env, 'CACHE_TTL_SECONDS', 300, 1, 86_400),
      maxEntries: int(env, 'CACHE_MAX_ENTRIES', 10_000, 10, 10_000_000),
      keyPrefix: str(env, 'CACHE_KEY_PREFIX', 'ts:'),
    },
    http: {
      corsOrigins,
      bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 1_073_741_824),
      requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', 30_000, 0, 600_000),
      shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
      compressThresholdBytes: int(env, 'COMPRESS_THRESHOLD_BYTES', 1024, 0, 1_048_576),
    },
    auth: {
      jwtSecret,
      issuer: str(env, 'JWT_ISSUER', 'tradesense'),
      audience: str(env, 'JWT_AUDIENCE', 'tradesense-api'),
      accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
      refreshIdleDays,
      refreshAbsoluteDays,
      maxSessionsPerUser: int(env, 'MAX_SESSIONS_PER_USER', 20, 1, 1000),
      loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 5, 1, 1000),
      loginWindowSeconds: int(env, 'LOGIN_WINDOW_SECONDS', 900, 1, 86_400),
      adminEmail,
      adminPassword,
      /** Security events older than this are removed by the admin maintenance action `purge_security_events`. */
      securityEventRetentionDays: int(env, 'SECURITY_EVENT_RETENTION_DAYS', 90, 1, 36_500),
      /** Browser refresh-token and CSRF cookies carry `Secure` (browsers accept it on http://localhost too). */
      cookieSecure: bool(env, 'COOKIE_SECURE', true),
    },
    web: {
      /** The built web app (`npm run build:web`), served at `/` when its index.html exists. */
      distDir: path.resolve(str(env, 'WEB_DIST_DIR', path.join(projectRoot, 'dist', 'web'))),
    },
    imports: {
      /** Uploads are streamed to files here while they wait for and go through processing. */
      dir: path.join(path.resolve(str(env, 'DATA_DIR', './data')), 'imports'),
      maxFileBytes: int(env, 'IMPORT_MAX_FILE_BYTES', 104_857_600, 1024, Number.MAX_SAFE_INTEGER),
      maxRows: int(env, 'IMPORT_MAX_ROWS', 2_000_000, 1, 1_000_000_000),
      maxRunningPerUser: int(env, 'IMPORT_MAX_RUNNING_PER_USER', 2, 1, 1000),
      /** Imports one process parses and writes at the same time; the others wait as `queued`. */
      workers: int(env, 'IMPORT_WORKERS', 2, 1, 64),
      /** statement_timeout inside an import's write transaction (0 = none); DB_STATEMENT_TIMEOUT_MS is meant for requests. */
      writeTimeoutMs: int(env, 'IMPORT_WRITE_TIMEOUT_MS', 600_000, 0, 86_400_000),
      /** A running import whose worker has not reported for this long is failed by recovery (another process may own it). */
      staleAfterSeconds: int(env, 'IMPORT_STALE_AFTER_SECONDS', 60, 5, 86_400),
    },
    /** Live updates over WebSocket and Server-Sent Events (docs/realtime.md); limits are per process. */
    realtime: {
      maxSocketsPerUser: int(env, 'WS_MAX_SOCKETS_PER_USER', 10, 1, 100_000),
      maxMessageBytes: int(env, 'WS_MAX_MESSAGE_BYTES', 4096, 1024, 1_048_576),
      heartbeatSeconds: int(env, 'WS_HEARTBEAT_SECONDS', 30, 1, 3600),
      sendBufferBytes: int(env, 'WS_SEND_BUFFER_BYTES', 1_048_576, 1024, 1_073_741_824),
      authTimeoutMs: int(env, 'WS_AUTH_TIMEOUT_MS', 5000, 100, 60_000),
    },
    metricsEnabled: bool(env, 'METRICS_ENABLED', true),
    /** OpenTelemetry tracing: on only when an OTLP/HTTP endpoint is given; the OTel packages are not even loaded otherwise. */
    tracing: {
      otlpEndpoint: url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']),
      serviceName: str(env, 'OTEL_SERVICE_NAME', 'tradesense'),
    },
    rateLimits: rateLimits(env),
    /** Above any of these the server answers 503 instead of falling over; 0 turns a limit off. */
    loadShedding: {
      maxEventLoopDelayMs: int(env, 'SHED_EVENT_LOOP_DELAY_MS', 1000, 0, 60_000),
      maxHeapUsedBytes: int(env, 'SHED_HEAP_USED_BYTES', 0, 0, Number.MAX_SAFE_INTEGER),
      maxRssBytes: int(env, 'SHED_RSS_BYTES', 0, 0, Number.MAX_SAFE_INTEGER),
    },
  };
}

export type Config = ReturnType<typeof loadConfig>;
