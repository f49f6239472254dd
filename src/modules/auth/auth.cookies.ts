import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors/app-error.js';
import { sha256 } from './auth.domain.js';

/**
 * The browser's way to hold a refresh token: an httpOnly cookie scoped to /api/v1/auth, so
 * page scripts (and an XSS) never see it, plus a readable CSRF cookie that the page echoes in
 * `X-CSRF-Token`. The CSRF value is derived from the refresh token, so a cookie planted by
 * another site or subdomain cannot be paired with a token it does not know.
 */
export const REFRESH_COOKIE = 'ts_refresh';
export const CSRF_COOKIE = 'ts_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** Sent by a browser client on register/login to get the refresh token as a cookie instead of in the body. */
export const TRANSPORT_HEADER = 'x-token-transport';
const REFRESH_COOKIE_PATH = '/api/v1/auth';

export interface CookieOptions {
  secure: boolean;
  /** Origins besides the server's own that may use the cookie (CORS_ORIGINS, without `*`). */
  trustedOrigins: readonly string[];
}

export const csrfTokenFor = (refreshToken: string): string => Buffer.from(sha256(`csrf:${refreshToken}`), 'hex').toString('base64url');

export const wantsCookie = (request: FastifyRequest): boolean => request.headers[TRANSPORT_HEADER] === 'cookie';

export function setSessionCookies(reply: FastifyReply, options: CookieOptions, refreshToken: string, expiresAt: Date): void {
  const common = { secure: options.secure, sameSite: 'strict' as const, expires: expiresAt };
  reply.setCookie(REFRESH_COOKIE, refreshToken, { ...common, httpOnly: true, path: REFRESH_COOKIE_PATH });
  reply.setCookie(CSRF_COOKIE, csrfTokenFor(refreshToken), { ...common, httpOnly: false, path: '/' });
}

export function clearSessionCookies(reply: FastifyReply, options: CookieOptions): void {
  const common = { secure: options.secure, sameSite: 'strict' as const };
  reply.clearCookie(REFRESH_COOKIE, { ...common, httpOnly: true, path: REFRESH_COOKIE_PATH });
  reply.clearCookie(CSRF_COOKIE, { ...common, httpOnly: false, path: '/' });
}

const csrfFailed = (message: string) => new AppError('Forbidden', 'csrf_failed', message);

function sameBytes(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The refresh token in the cookie, after the CSRF checks: a cross-site Origin or
 * Sec-Fetch-Site is refused, and `X-CSRF-Token` must match the token's derived value.
 * Undefined when the request carries no refresh cookie.
 */
export function refreshTokenFromCookie(request: FastifyRequest, options: CookieOptions): string | undefined {
  const token = request.cookies[REFRESH_COOKIE];
  if (!token) return undefined;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `${request.protocol}://${request.host}` && !options.trustedOrigins.includes(origin)) {
    throw csrfFailed('This request comes from another site.');
  }
  if (request.headers['sec-fetch-site'] === 'cross-site') throw csrfFailed('This request comes from another site.');
  const header = request.headers[CSRF_HEADER];
  if (typeof header !== 'string' || !sameBytes(header, csrfTokenFor(token))) {
    throw csrfFailed(`Send the ${CSRF_COOKIE} cookie's value in the X-CSRF-Token header.`);
  }
  return token;
}
