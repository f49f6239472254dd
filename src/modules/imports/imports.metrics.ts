import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/**
 * `imports_running` / `imports_queued` (this process's pipeline, read at scrape time) and
 * `imports_total{status}` (imports this process finished, by outcome).
 */
export function createImportMetrics(registry: Registry) {
  let stats: () => { running: number; queued: number } = () => ({ running: 0, queued: 0 });
  new Gauge({ name: 'imports_running', help: 'Imports this process is parsing or writing', registers: [registry], collect() {
    this.set(stats().running);
  } });
  new Gauge({ name: 'imports_queued', help: 'Imports waiting in this process for a worker', registers: [registry], collect() {
    this.set(stats().queued);
  } });
  const finished = new Counter({ name: 'imports_total', help: 'Imports this process finished, by outcome', labelNames: ['status'] as const, registers: [registry] });
  finished.inc({ status: 'done' }, 0);
  finished.inc({ status: 'failed' }, 0);
  return {
    finished: (status: 'done' | 'failed') => finished.inc({ status }),
    track(source: () => { running: number; queued: number }) {
      stats = source;
    },
  };
}
