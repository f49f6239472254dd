import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

/** Pure rules of the auth module: no database, no Fastify. */

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
/** A local part shorter than this is too common a substring to forbid inside passwords. */
const EMAIL_PART_MIN_CONTAINED = 4;
/** A common password followed by digits or symbols ("dragon2024!") is as weak as the word itself. */
const COMMON_BASE_MIN_LENGTH = 4;

export type PasswordRule = 'too_short' | 'too_long' | 'contains_email' | 'common_password' | 'same_as_current';

export const PASSWORD_RULE_MESSAGES: Record<PasswordRule, string> = {
  too_short: `The password must have at least ${PASSWORD_MIN_LENGTH} characters.`,
  too_long: `The password must have at most ${PASSWORD_MAX_LENGTH} characters.`,
  contains_email: 'The password must not be or contain your email address.',
  common_password: 'This password is too common; choose another one.',
  same_as_current: 'The new password must differ from the current one.',
};

/** Parses the bundled list: one password a line, lines starting with "#" are comments. */
export function parsePasswordList(text: string): ReadonlySet<string> {
  const set = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    set.add(line.toLowerCase());
  }
  return set;
}

/** The first rule the password breaks, or undefined. Lengths count Unicode code points, not UTF-16 units. */
export function checkPasswordPolicy(password: string, email: string, common: ReadonlySet<string>): PasswordRule | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';

  const lower = password.toLowerCase();
  const normalisedEmail = email.trim().toLowerCase();
  const local = normalisedEmail.split('@')[0] ?? '';
  if (
    lower.includes(normalisedEmail) ||
    lower === local ||
    (local.length >= EMAIL_PART_MIN_CONTAINED && lower.includes(local))
  ) {
    return 'contains_email';
  }

  if (common.has(lower)) return 'common_password';
  const base = lower.replace(/[^\p{L}]+$/u, '');
  if (base !== lower && [...base].length >= COMMON_BASE_MIN_LENGTH && common.has(base)) return 'common_password';
  return undefined;
}

const EMAIL_MAX_LENGTH = 254;
const LOCAL_MAX_LENGTH = 64;
// RFC 5322 dot-atom local part (no quoted strings) and a DNS host name with a top-level domain.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Lower-cased, trimmed email, or undefined when it is not a deliverable-looking address. */
export function normaliseEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  if (email.length > EMAIL_MAX_LENGTH) return undefined;
  const at = email.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > LOCAL_MAX_LENGTH || !LOCAL_PART.test(local) || !DOMAIN.test(domain)) return undefined;
  return email;
}

/** The canonical IANA name ("america/new_york" → "America/New_York"), or undefined when Intl does not know it. */
export function canonicalTimeZone(raw: string): string | undefined {
  // Offsets such as "+01:00" are not IANA zones, and newer engines accept them.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(raw)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: raw }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** The upper-cased ISO 4217 code, or undefined for an unknown code. */
export function normaliseCurrency(raw: string): string | undefined {
  const code = raw.toUpperCase();
  return /^[A-Z]{3}$/.test(code) && CURRENCIES.has(code) ? code : undefined;
}

export const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/** 256 bits of randomness, base64url: the refresh token the client keeps; the server stores only its hash. */
export const newRefreshToken = () => randomBytes(32).toString('base64url');

export const API_KEY_PREFIX_LENGTH = 8;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `ts_<8 chars>_<43 chars>`: the prefix identifies the key in lists, the secret carries 256 bits. */
export function newApiKey(): { key: string; prefix: string } {
  const bytes = randomBytes(API_KEY_PREFIX_LENGTH);
  let prefix = '';
  // 256 % 36 leaves a small bias; the prefix is a label, not a secret.
  for (const byte of bytes) prefix += PREFIX_ALPHABET[byte % PREFIX_ALPHABET.length];
  return { key: `ts_${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

export const API_KEY_FORMAT = /^ts_[a-z0-9]{8}_[A-Za-z0-9_-]{43,}$/;

/** The IP worth storing in an inet column: a forwarded header behind a proxy may carry anything. */
export const storableIp = (ip: string | undefined) => (ip && isIP(ip) ? ip : null);

export const USER_AGENT_MAX_LENGTH = 512;
export const storableUserAgent = (ua: string | undefined) => (ua ? ua.slice(0, USER_AGENT_MAX_LENGTH) : null);

const DAY_MS = 86_400_000;

export interface SessionTimes {
  lastUsedAt: Date;
  expiresAt: Date;
}

/** When the session's current refresh token stops working: idle limit after last use, capped by the absolute limit. */
export function refreshTokenExpiry(session: SessionTimes, idleDays: number): Date {
  const idle = new Date(session.lastUsedAt.getTime() + idleDays * DAY_MS);
  return idle < session.expiresAt ? idle : session.expiresAt;
}

export const absoluteExpiry = (now: Date, absoluteDays: number) => new Date(now.getTime() + absoluteDays * DAY_MS);
export const idleCutoff = (now: Date, idleDays: number) => new Date(now.getTime() - idleDays * DAY_MS);

/** A keyset position: the row's created_at as the database wrote it (microseconds) and its id. */
