import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Config } from '../../config/config.js';
import { unauthorized } from '../errors/app-error.js';

export type Role = 'user' | 'admin';

export interface AccessClaims {
  userId: string;
  role: Role;
  sessionId: string;
}

export interface VerifiedAccess extends AccessClaims {
  expiresAt: Date;
}

export interface TokenService {
  signAccess(claims: AccessClaims): Promise<{ token: string; expiresIn: number }>;
  /** Synchronous: one HMAC, no I/O. Throws the 401 AppError. */
  verifyAccess(token: string): VerifiedAccess;
}

const ALGORITHM = 'HS256';

const invalidToken = () => unauthorized('invalid_token', 'The access token is invalid.');
const tokenExpired = () => unauthorized('token_expired', 'The access token has expired; refresh it.');

/** At most this many verified access tokens are remembered (≈ 2–3 MB). */
const VERIFIED_TOKENS_KEPT = 10_000;

function decodeSegment(segment: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidToken();
  return value as Record<string, unknown>;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Verifies a compact HS256 JWS and its claims synchronously. jose's `jwtVerify` goes through
 * async WebCrypto and converts the key on every call (≈ 60–95 µs a token here); one HMAC over
 * the signing input with the key object imported once costs a few µs. The checks are jose's:
 * the algorithm is pinned (the header must say HS256, `crit` is refused, so `alg: none` and
 * `b64: false` never pass), the signature is compared in constant time, then issuer, audience,
 * `exp` (expired when `exp <= now`), `nbf` and the required `sub`, `exp`, `iat`.
 */
export function verifyHs256(
  token: string,
  key: KeyObject,
  { issuer, audience, now }: { issuer: string; audience: string; now: number },
): Record<string, unknown> {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || token.indexOf('.', second + 1) !== -1 || !BASE64URL.test(token.slice(second + 1))) throw invalidToken();
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = decodeSegment(token.slice(0, first));
    if (header.alg !== ALGORITHM || header.crit !== undefined) throw invalidToken();
    const expected = createHmac('sha256', key).update(token.slice(0, second)).digest();
    const signature = Buffer.from(token.slice(second + 1), 'base64url');
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw invalidToken();
    payload = decodeSegment(token.slice(first + 1, second));
  } catch {
    throw invalidToken();
  }
  const { iss, aud, exp, nbf, iat, sub } = payload;
  if (typeof sub !== 'string' || typeof exp !== 'number' || typeof iat !== 'number') throw invalidToken();
  if (iss !== issuer) throw invalidToken();
  if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience)))) throw invalidToken();
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now)) throw invalidToken();
  if (exp <= now) throw tokenExpired();
  return payload;
}

/**
 * The signing secret: JWT_SECRET, else one generated on first start and kept in DATA_DIR, so
 * tokens survive a restart of the embedded setup without any configuration.
 */
function loadSecret(config: Config): Buffer {
  if (config.auth.jwtSecret) return Buffer.from(config.auth.jwtSecret, 'utf8');
  const file = path.join(config.dataDir, 'jwt-secret');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48);
  writeFileSync(file, secret.toString('base64url'), { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

export function createTokenService(config: Config, clock: () => Date = () => new Date()): TokenService {
  // Imported once: signing (jose) and verifying (node:crypto HMAC) both use this key object.
  const key: KeyObject = createSecretKey(loadSecret(config));
  const { issuer, audience, accessTokenTtlSeconds } = config.auth;
  // Tokens already verified, by their exact text: the same bytes under the same key always give
  // the same claims, so a client's next request skips the HMAC and the JSON decoding (≈ 8 µs);
  // the expiry is still checked on every call. The oldest entry goes when the map is full.
  const verified = new Map<string, { access: VerifiedAccess; exp: number }>();

  return {
    async signAccess({ userId, role, sessionId }) {
      const now = Math.floor(clock().getTime() / 1000);
      const token = await new SignJWT({ role, sid: sessionId })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(now + accessTokenTtlSeconds)
        .sign(key);
      return { token, expiresIn: accessTokenTtlSeconds };
    },
    verifyAccess(token) {
      const now = Math.floor(clock().getTime() / 1000);
      const known = verified.get(token);
      if (known) {
        if (known.exp > now) return known.access;
        verified.delete(token);
        throw tokenExpired();
      }
      const payload = verifyHs256(token, key, { issuer, audience, now });
      const role = payload.role;
      if (typeof payload.sid !== 'string' || (role !== 'user' && role !== 'admin')) throw invalidToken();
      const exp = payload.exp as number;
      const access: VerifiedAccess = Object.freeze({ userId: payload.sub as string, role, sessionId: payload.sid, expiresAt: new Date(exp * 1000) });
      if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
      verified.set(token, { access, exp });
      return access;
    },
  };
}
