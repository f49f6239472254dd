/**
 * The WebSocket protocol of /api/v1/ws, pure: close codes, the subprotocols, client messages
 * and origin checks. docs/realtime.md explains them to client authors.
 */

/** Close codes a client can act on (4000–4999 are the application's own range). */
export const CLOSE = {
  /** The process is shutting down; reconnect (another process answers). */
  goingAway: 1001,
  /** A client message larger than WS_MAX_MESSAGE_BYTES (sent by the ws library itself). */
  messageTooBig: 1009,
  /** The client fell behind by more than WS_SEND_BUFFER_BYTES; reconnect and refetch. */
  slowConsumer: 4000,
  /** A client message that is not JSON or not a known type. */
  badMessage: 4400,
  /** The token is invalid, revoked or has expired (also while connected); the reason says which. */
  unauthorized: 4401,
  /** No `auth` message within WS_AUTH_TIMEOUT_MS of opening. */
  authTimeout: 4408,
  /** The user already has WS_MAX_SOCKETS_PER_USER sockets and streams on this process. */
  tooManySockets: 4429,
} as const;

/** The subprotocol the server speaks; a client offers it, and may offer `bearer.<token>` beside it. */
export const PROTOCOL = 'tradesense.v1';
const BEARER_PREFIX = 'bearer.';

/** Picks the subprotocol to answer with: never the token, only `tradesense.v1` when offered. */
export function selectProtocol(offered: Iterable<string>): string | false {
  for (const p of offered) if (p === PROTOCOL) return PROTOCOL;
  return false;
}

/** The access token carried in the Sec-WebSocket-Protocol header as `bearer.<token>`, if any. */
export function tokenFromProtocols(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const p = part.trim();
    if (p.startsWith(BEARER_PREFIX) && p.length > BEARER_PREFIX.length) return p.slice(BEARER_PREFIX.length);
  }
  return undefined;
}

export type ClientMessage = { type: 'auth'; token: string };

/** A client message, or null when it is not one the server understands. */
export function parseClientMessage(raw: string): ClientMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  if (m.type === 'auth' && typeof m.token === 'string' && m.token.length > 0) return { type: 'auth', token: m.token };
  return null;
}

/**
 * A browser page may open a socket only from an origin in the CORS allow-list (or the API's own
 * origin); clients that send no Origin header (servers, scripts) are not browsers and pass.
 * This stops another site from riding a user's credentials (cross-site WebSocket hijacking).
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowList: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowList.includes('*') || allowList.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Milliseconds until `expiresAt`, capped to what setTimeout can wait; null when it never expires. */
export function msUntil(expiresAt: Date | null, now: number): number | null {
  if (expiresAt === null) return null;
  return Math.min(Math.max(0, expiresAt.getTime() - now), 2_147_483_647);
}
