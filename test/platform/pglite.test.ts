import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { openPglite } from '../../src/platform/db/pglite.js';
import { testConfig } from '../helpers/app.js';

describe('the embedded database', () => {
  it('starts with PGLITE_SHARED_BUFFERS_MB and keeps the start parameters PGlite sets', async () => {
    // The migrated dump exists on the embedded default; on PostgreSQL runs, initdb makes the database.
    const dump = inject('pgliteDump');
    const client = await openPglite(testConfig({ PGLITE_SHARED_BUFFERS_MB: '24' }), {
      dataDir: 'memory://',
      ...(existsSync(dump) ? { loadDataDir: new Blob([readFileSync(dump)]) } : {}),
    });
    try {
      const { rows } = await client.query<{ shared_buffers: string; max_worker_processes: string; search_path: string }>(
        `select current_setting('shared_buffers') as shared_buffers, current_setting('max_worker_processes') as max_worker_processes, current_setting('search_path') as search_path`,
      );
      expect(rows).toEqual([{ shared_buffers: '24MB', max_worker_processes: '0', search_path: 'public' }]);
    } finally {
      await client.close();
    }
  });
});
