import { get } from './api';
import type { ImportDetail } from './types';

const FINISHED = new Set(['done', 'failed']);

/**
 * Follows an import until it is done or failed, calling back with each new state. Polls
 * GET /imports/:id now; a WebSocket subscription (/api/v1/ws) can replace this function
 * without touching the screen, which only sees the callbacks.
 */
export function watchImport(id: string, onUpdate: (detail: ImportDetail) => void, onError: (error: unknown) => void, intervalMs = 400): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    try {
      const detail = await get<ImportDetail>(`/imports/${id}`);
      if (stopped) return;
      onUpdate(detail);
      if (!FINISHED.has(detail.status)) timer = setTimeout(tick, intervalMs);
    } catch (error) {
      if (!stopped) onError(error);
    }
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
