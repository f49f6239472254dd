/**
 * The one way the app talks to the API. The access token lives only in memory; the refresh
 * token is the httpOnly `ts_refresh` cookie the API sets (this code never sees it), and the
 * readable `ts_csrf` cookie is echoed in X-CSRF-Token when refreshing.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface User {
  id: string;
  email: string;
  displayName: string | null;
  timezone: string;
  baseCurrency: string;
  breakevenTolerance: string;
  role: 'user' | 'admin';
  createdAt: string;
}

interface AuthResult {
  user: User;
  accessToken: string;
  expiresIn: number;
}

let accessToken: string | null = null;
let refreshing: Promise<User | null> | null = null;
const listeners = new Set<(user: User | null) => void>();

/** Called when the session starts or ends (sign-in, refresh failure, sign-out). */
export function onSessionChange(listener: (user: User | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The access token of the session, for the live-events socket (it never leaves memory otherwise). */
export function currentAccessToken(): string | null {
  return accessToken;
}

function setSession(result: AuthResult | null): User | null {
  accessToken = result?.accessToken ?? null;
  const user = result?.user ?? null;
  for (const l of listeners) l(user);
  return user;
}

function csrfToken(): string | null {
  const match = /(?:^|;\s*)ts_csrf=([^;]+)/.exec(document.cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

async function toError(res: Response): Promise<ApiError> {
  const requestId = res.headers.get('x-request-id');
  try {
    const body = (await res.json()) as { code?: string; message?: string; details?: Record<string, unknown>; request_id?: string };
    return new ApiError(res.status, body.code ?? 'error', body.message ?? res.statusText, body.request_id ?? requestId, body.details ?? {});
  } catch {
    return new ApiError(res.status, 'error', `${res.status} ${res.statusText}`, requestId);
  }
}

/**
 * Trades the refresh cookie for a new access token. One refresh at a time, also across tabs
 * (Web Locks): a refresh token works once, and two tabs spending the same cookie would look
 * like token theft and end the session. The CSRF cookie is read inside the lock, so a tab
 * that waited uses the cookie the other tab's refresh just set.
 */
export function refreshSession(): Promise<User | null> {
  if (refreshing) return refreshing;
  const run = async (): Promise<User | null> => {
    const csrf = csrfToken();
    if (!csrf) return setSession(null);
    const res = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: '{}',
    });
    if (!res.ok) return setSession(null);
    return setSession((await res.json()) as AuthResult);
  };
  refreshing = (async () => {
    try {
      return 'locks' in navigator ? await navigator.locks.request('tradesense-refresh', run) : await run();
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export async function signIn(kind: 'login' | 'register', body: { email: string; password: string }): Promise<User> {
  const res = await fetch(`/api/v1/auth/${kind}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-token-transport': 'cookie' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await toError(res);
  return setSession((await res.json()) as AuthResult)!;
}

export async function signOut(): Promise<void> {
  const headers: Record<string, string> = {};
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  const csrf = csrfToken();
  if (csrf) headers['x-csrf-token'] = csrf;
  try {
    await fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin', headers });
  } finally {
    setSession(null);
  }
}

type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** A JSON (or multipart, when body is FormData) request with the access token; refreshes once on 401. */
export async function api<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = {};
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`/api/v1${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  if (res.status === 401 && !retried) {
    if (await refreshSession()) return api<T>(method, path, body, true);
  }
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', withQuery(path, query));
