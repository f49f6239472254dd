import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import type { UserEvent } from '../../../src/platform/events/event-bus.js';
import type { App } from '../../../src/app.js';

/** Long enough for a loaded machine; a wait that runs out fails the test with what arrived. */
const WAIT_MS = 15_000;

export interface LiveMessage extends Omit<UserEvent, 'type'> {
  type: UserEvent['type'] | 'ready';
}

export interface Client {
  socket: WebSocket;
  messages: LiveMessage[];
  /** Resolves with the first message (already received or still to come) that matches. */
  next(match: (m: LiveMessage) => boolean, what?: string): Promise<LiveMessage>;
  closed: Promise<{ code: number; reason: string }>;
}

/** Starts the app listening on a free port of 127.0.0.1; answers its http:// base URL. */
export async function listen(app: App): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Waits for `check` to find something; fails early once `ended()` says nothing more will come. */
function waitUntil<T>(check: () => T | undefined, register: (wake: () => void) => () => void, what: string, describe: () => string, ended: () => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const found = check();
    if (found !== undefined) return resolve(found);
    if (ended()) return reject(new Error(`no ${what}; got ${describe()}`));
    const timer = setTimeout(() => {
      unregister();
      reject(new Error(`no ${what} within ${WAIT_MS} ms; got ${describe()}`));
    }, WAIT_MS);
    const unregister = register(() => {
      const value = check();
      if (value === undefined && !ended()) return;
      clearTimeout(timer);
      unregister();
      if (value === undefined) reject(new Error(`no ${what}; got ${describe()}`));
      else resolve(value);
    });
  });
}

/** Opens a WebSocket to /api/v1/ws; `token` goes in the subprotocol header unless `firstMessage`. */
export function connect(baseUrl: string, options: { token?: string; firstMessage?: boolean; protocols?: string[]; origin?: string } = {}): Client {
  const protocols = options.protocols ?? ['tradesense.v1', ...(options.token && !options.firstMessage ? [`bearer.${options.token}`] : [])];
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/ws`, protocols, options.origin ? { origin: options.origin } : {});
  const messages: LiveMessage[] = [];
  const listeners = new Set<() => void>();
  socket.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as LiveMessage);
    for (const wake of [...listeners]) wake();
  });
  if (options.token && options.firstMessage) socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token: options.token })));
  let closedWith = 'open';
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => {
      closedWith = `closed ${code} ${reason.toString()}`;
      for (const wake of [...listeners]) wake();
      resolve({ code, reason: reason.toString() });
    }),
  );
  socket.on('error', () => undefined);
  return {
    socket,
    messages,
    closed,
    next(match, what = 'matching message') {
      return waitUntil(
        () => messages.find(match),
        (wake) => {
          listeners.add(wake);
          return () => listeners.delete(wake);
        },
        what,
        () => `${JSON.stringify(messages.map((m) => m.type))}, socket ${closedWith}`,
        () => closedWith !== 'open',
      );
    },
  };
}

/** The HTTP status of a refused upgrade. */
export function refusedWith(client: Client): Promise<number> {
  return new Promise((resolve, reject) => {
    client.socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    client.socket.once('open', () => reject(new Error('the upgrade was accepted')));
  });
}

export interface SseStream {
  status: number;
  events: { event: string; data: LiveMessage }[];
  next(match: (e: { event: string; data: LiveMessage }) => boolean, what?: string): Promise<{ event: string; data: LiveMessage }>;
  close(): void;
}

/** Opens GET /api/v1/events and parses the stream as it arrives. */
export async function openSse(baseUrl: string, token: string | null): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}/api/v1/events`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: abort.signal });
  const events: { event: string; data: LiveMessage }[] = [];
  const listeners = new Set<() => void>();
  if (res.status === 200 && res.body) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) as LiveMessage });
            for (const wake of [...listeners]) wake();
          }
        }
      } catch {
        // aborted by close()
      }
    })();
  } else {
    await res.body?.cancel();
  }
  return {
    status: res.status,
    events,
    next(match, what = 'matching event') {
      return waitUntil(
        () => events.find(match),
        (wake) => {
          listeners.add(wake);
          return () => listeners.delete(wake);
        },
        what,
        () => JSON.stringify(events.map((e) => e.event)),
        () => false,
      );
    },
    close: () => abort.abort(),
  };
}
