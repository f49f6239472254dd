import { mkdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { PGlite } from '@electric-sql/pglite';
import type { Config } from '../../config/config.js';

export interface PgliteOpenOptions {
  /** PGlite data location; 'memory://' for an in-memory database. Defaults to config.dataDir/pglite. */
  dataDir?: string;
  /** A dump made by PGlite's dumpDataDir, to start from without running initdb. */
  loadDataDir?: Blob | File;
}

/**
 * Opens the embedded database (PGlite, PostgreSQL compiled to WebAssembly). Kept apart from
 * database.ts, which loads Drizzle and the schema, so the entry point can start it before the
 * rest of the server is loaded (src/server.ts).
 *
 * Unless PGLITE_WASM_TIER_UP is set, V8 compiles pglite.wasm (9 MB) with its baseline compiler
 * only (Liftoff): with tier-up, the functions PostgreSQL runs while it starts get hot and
 * TurboFan recompiles them on both cores, which doubles the CPU time of an open; large queries
 * then cost 1.2-1.6 times the CPU (docs/performance.md, "Start-up, third pass"). The flag is
 * process-wide, reaches only WebAssembly, and is read when a module is compiled, so it is set
 * before PGlite is imported, and only by processes using the embedded database.
 */
export async function openPglite(config: Config, options: PgliteOpenOptions = {}): Promise<PGlite> {
  const dataDir = options.dataDir ?? `${config.dataDir}/pglite`;
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  if (!config.database.pgliteWasmTierUp) setFlagsFromString('--liftoff-only');
  const { PGlite: PGliteClass } = await import('@electric-sql/pglite');
  return PGliteClass.create(dataDir, {
    // startParams replaces PGlite's own parameters: they are kept, shared_buffers is added.
    startParams: [...PGliteClass.defaultStartParams, '-c', `shared_buffers=${config.database.pgliteSharedBuffersMb}MB`],
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
}
