import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('loadConfig', () => {
  it('gives embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8000);
    expect(config.database.url).toBeUndefined();
    expect(config.cache.redisUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/data$/);
    expect(config.http.bodyLimitBytes).toBe(1_048_576);
    expect(config.database.poolMax).toBeGreaterThanOrEqual(10);
    expect(config.database.pgliteSharedBuffersMb).toBe(16);
    expect(config.database.pgliteWasmTierUp).toBe(false);
  });

  it('reads the embedded database settings', () => {
    const config = loadConfig({ PGLITE_SHARED_BUFFERS_MB: '128', PGLITE_WASM_TIER_UP: 'true' });
    expect(config.database.pgliteSharedBuffersMb).toBe(128);
    expect(config.database.pgliteWasmTierUp).toBe(true);
  });

  it.each([
    ['PORT', 'eighty', /PORT must be a whole number/],
    ['PORT', '70000', /PORT must be between 0 and 65535/],
    ['DATABASE_URL', 'mysql://localhost/x', /DATABASE_URL must use postgres: or postgresql:/],
    ['REDIS_URL', 'not a url', /REDIS_URL must be a URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['JWT_SECRET', 'short', /JWT_SECRET must be at least 32 bytes/],
    ['CORS_ORIGINS', 'app.example.com', /CORS_ORIGINS entries must be origins/],
    ['METRICS_ENABLED', 'maybe', /METRICS_ENABLED must be true or false/],
    ['DB_POOL_MAX', '0', /DB_POOL_MAX must be between 1 and 1000/],
    ['PGLITE_SHARED_BUFFERS_MB', '0', /PGLITE_SHARED_BUFFERS_MB must be between 1 and 1024/],
    ['PGLITE_WASM_TIER_UP', 'fast', /PGLITE_WASM_TIER_UP must be true or false/],
  ])('stops on an invalid %s, naming it', (name, value, message) => {
    let thrown: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe(name);
    expect((thrown as ConfigError).message).toMatch(message);
  });

  it('checks fields against each other', () => {
    expect(() => loadConfig({ REFRESH_TOKEN_IDLE_DAYS: '100', REFRESH_TOKEN_ABSOLUTE_DAYS: '90' })).toThrow(/REFRESH_TOKEN_IDLE_DAYS must not exceed/);
    expect(() => loadConfig({ ADMIN_EMAIL: 'a@b.c' })).toThrow(/ADMIN_PASSWORD must be set together/);
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y' })).toThrow(/JWT_SECRET is required in production/);
  });

  it('reads comma-separated CORS origins', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example.com, http://localhost:5173' }).http.corsOrigins).toEqual([
      'https://a.example.com',
      'http://localhost:5173',
    ]);
  });
});
