import { describe, expect, it } from 'vitest';
import {
  API_KEY_FORMAT,
  canonicalTimeZone,
  checkPasswordPolicy,
  newApiKey,
  newRefreshToken,
  normaliseCurrency,
  normaliseEmail,
  parsePasswordList,
  refreshTokenExpiry,
  storableIp,
} from '../../../src/modules/auth/auth.domain.js';
import { loadCommonPasswords } from '../../../src/modules/auth/auth.passwords.js';

const common = parsePasswordList('# a comment line\npassword123\ndragon\nqwertyuiop\n');
const email = 'jane.trader@example.test';

describe('password policy', () => {
  it('accepts a long uncommon password unrelated to the email', () => {
    expect(checkPasswordPolicy('Violet-Harbor-Lantern-42', email, common)).toBeUndefined();
  });

  it('rejects fewer than 10 characters as too_short, counting code points not UTF-16 units', () => {
    expect(checkPasswordPolicy('Short-1234'.slice(0, 9), email, common)).toBe('too_short');
    // Nine emoji are eighteen UTF-16 units but nine characters.
    expect(checkPasswordPolicy('😀'.repeat(9), email, common)).toBe('too_short');
    expect(checkPasswordPolicy('😀'.repeat(10), email, common)).toBeUndefined();
  });

  it('rejects more than 128 characters as too_long and accepts exactly 128', () => {
    expect(checkPasswordPolicy('x7#Kq'.repeat(26).slice(0, 129), email, common)).toBe('too_long');
    expect(checkPasswordPolicy('x7#Kq'.repeat(26).slice(0, 128), email, common)).toBeUndefined();
  });

  it('rejects the email, the local part, or a password containing either, in any case', () => {
    expect(checkPasswordPolicy('JANE.TRADER@EXAMPLE.TEST', email, common)).toBe('contains_email');
    expect(checkPasswordPolicy('my-jane.trader@example.test!', email, common)).toBe('contains_email');
    expect(checkPasswordPolicy('Jane.Trader', 'jane.trader@example.test', common)).toBe('contains_email');
    expect(checkPasswordPolicy('xx-jane.trader-2024', email, common)).toBe('contains_email');
  });

  it('does not forbid a very short local part as a substring', () => {
    expect(checkPasswordPolicy('Violet-Harbor-Lantern-42', 'vi@example.test', common)).toBeUndefined();
  });

  it('rejects list entries in any case, and a list entry followed only by digits or symbols', () => {
    expect(checkPasswordPolicy('QwertyUiop', email, common)).toBe('common_password');
    expect(checkPasswordPolicy('password123', email, common)).toBe('common_password');
    expect(checkPasswordPolicy('dragon2024!!', email, common)).toBe('common_password');
    expect(checkPasswordPolicy('dragonfly-sunset-42', email, common)).toBeUndefined();
  });

  it('ignores comment lines of the list file', () => {
    expect(common.has('# a comment line')).toBe(false);
    expect(common.size).toBe(3);
  });

  it('bundles a list with tens of thousands of entries including well-known ones', () => {
    const list = loadCommonPasswords();
    expect(list.size).toBeGreaterThan(40_000);
    expect(list.has('password123')).toBe(true);
    expect(list.has('1234567890')).toBe(true);
  });
});

describe('email', () => {
  it('lower-cases and trims', () => {
    expect(normaliseEmail('  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com');
  });

  it('keeps RFC atext characters such as quotes and equals signs', () => {
    expect(normaliseEmail("x'OR'1'='1@example.test")).toBe("x'or'1'='1@example.test");
  });

  it.each(['no-at-sign', '@example.com', 'a@b', 'a b@example.com', 'a..b@example.com', '.a@example.com', 'a@-x.com', `${'a'.repeat(65)}@example.com`])(
    'rejects %s',
    (raw) => {
      expect(normaliseEmail(raw)).toBeUndefined();
    },
  );
});

describe('timezone and currency', () => {
  it('canonicalises IANA names and rejects unknown zones and offsets', () => {
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(canonicalTimeZone('+01:00')).toBeUndefined();
    expect(canonicalTimeZone('')).toBeUndefined();
  });

  it('accepts ISO 4217 codes in any case and rejects unknown ones', () => {
    expect(normaliseCurrency('eur')).toBe('EUR');
    expect(normaliseCurrency('USD')).toBe('USD');
    expect(normaliseCurrency('ABC')).toBeUndefined();
    expect(normaliseCurrency('US')).toBeUndefined();
  });
});

describe('secrets', () => {
  it('makes refresh tokens of 256 bits in base64url, all different', () => {
    const tokens = new Set(Array.from({ length: 100 }, newRefreshToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('makes API keys ts_<8-char prefix>_<32-byte secret> that match the accepted format', () => {
    const { key, prefix } = newApiKey();
    expect(key).toMatch(API_KEY_FORMAT);
    expect(key.startsWith(`ts_${prefix}_`)).toBe(true);
    expect(Buffer.from(key.slice(12), 'base64url')).toHaveLength(32);
  });

  it('stores only real IP addresses', () => {
    expect(storableIp('203.0.113.9')).toBe('203.0.113.9');
    expect(storableIp('::1')).toBe('::1');
    expect(storableIp('not-an-ip')).toBeNull();
    expect(storableIp(undefined)).toBeNull();
  });
});

describe('refresh token expiry', () => {
  it('is the idle limit after last use, capped by the absolute expiry', () => {
    const lastUsedAt = new Date('2026-01-01T00:00:00Z');
    expect(refreshTokenExpiry({ lastUsedAt, expiresAt: new Date('2026-06-01T00:00:00Z') }, 30).toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(refreshTokenExpiry({ lastUsedAt, expiresAt: new Date('2026-01-10T00:00:00Z') }, 30).toISOString()).toBe('2026-01-10T00:00:00.000Z');
  });
});
