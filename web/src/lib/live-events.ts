import { currentAccessToken, get } from './api';
import type { ImportDetail } from './types';

const FINISHED = new Set(['done', 'failed']);
const IMPORT_EVENTS = new Set(['import.progress', 'import.completed', 'import.failed']);

/** Polling while the socket is not open (or the browser has none): fast enough for a progress bar. */
const POLL_MS = 400;
/** With the socket open, a slow poll only guards against a missed event. */
const SAFETY_POLL_MS = 3_000;
const RECONNECT_MS = 2_000;

interface LiveEvent {
  type: string;
  data?: { importId?: string };
}

let socket: WebSocket | null = null;
let open = false;
let holders = 0;
let reconnect: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<(event: LiveEvent) => void>();

function connect() {
  const token = currentAccessToken();
  if (!token || typeof WebSocket === 'undefined') return;
  const url = new URL('/api/v1/ws', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url, ['tradesense.v1', `bearer.${token}`]);
  socket = ws;
  ws.onmessage = (message) => {
    const event = JSON.parse(String(message.data)) as LiveEvent;
    if (event.type === 'ready') open = true;
    for (const listener of listeners) listener(event);
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    open = false;
    // An expired token closes the socket (4401); the next try takes the refreshed one.
    if (holders > 0) reconnect = setTimeout(connect, RECONNECT_MS);
  };
}

/**
 * Keeps the user's live-events socket (/api/v1/ws, docs/realtime.md) open until the returned
 * function is called; a screen holds it while it shows something live, so the socket is
 * ready before the events it waits for.
 */
export function holdLiveEvents(): () => void {
  holders++;
  if (holders === 1 && !socket) connect();
  return () => {
    holders--;
    if (holders > 0) return;
    clearTimeout(reconnect);
    const ws = socket;
    socket = null;
    open = false;
    ws?.close(1000);
  };
}

const CHANGE_EVENTS = new Set(['analytics.invalidated', 'trade.created', 'trade.updated', 'trade.deleted', 'journal.updated']);
/** Changes that arrive together (an import's trade and analytics events) cause one refetch. */
const CHANGE_SETTLE_MS = 300;

/**
 * Calls `onChange` (at most once per CHANGE_SETTLE_MS) whenever the user's data changed
 * anywhere — this tab, another tab, a script with an API key — while the socket is held; the
 * signed-in frame refetches what it shows. Returns the function that stops it.
 */
export function followLiveChanges(onChange: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const release = holdLiveEvents();
  const listener = (event: LiveEvent) => {
    if (!CHANGE_EVENTS.has(event.type) || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, CHANGE_SETTLE_MS);
  };
  listeners.add(listener);
  return () => {
    clearTimeout(timer);
    listeners.delete(listener);
    release();
  };
}

/**
 * Follows an import until it is done or failed, calling back with each new state: refetches
 * GET /imports/:id on each of the import's live events, polls while no socket is open, and
 * polls slowly as a safety net while one is.
 */
export function watchImport(id: string, onUpdate: (detail: ImportDetail) => void, onError: (error: unknown) => void): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let fetching: Promise<void> | null = null;
  let again = false;
  const release = holdLiveEvents();

  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    listeners.delete(onEvent);
    release();
  };

  const refresh = (): Promise<void> => {
    // One request at a time; an event that arrives meanwhile asks for one more afterwards.
    if (fetching) {
      again = true;
      return fetching;
    }
    fetching = (async () => {
      try {
        do {
          again = false;
          const detail = await get<ImportDetail>(`/imports/${id}`);
          if (stopped) return;
          onUpdate(detail);
          if (FINISHED.has(detail.status)) {
            stop();
            return;
          }
        } while (again && !stopped);
        clearTimeout(timer);
        timer = setTimeout(() => void refresh(), open ? SAFETY_POLL_MS : POLL_MS);
      } catch (error) {
        if (!stopped) onError(error);
      } finally {
        fetching = null;
      }
    })();
    return fetching;
  };

  function onEvent(event: LiveEvent) {
    if (IMPORT_EVENTS.has(event.type) && event.data?.importId === id) void refresh();
  }
  listeners.add(onEvent);
  void refresh();
  return stop;
}
