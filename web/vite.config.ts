import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Builds web/ into dist/web, which the API process serves at `/` (src/platform/http/web.plugin.ts). */
export default defineConfig({
  root: here,
  plugins: [react()],
  build: {
    outDir: path.join(here, '..', 'dist', 'web'),
    emptyOutDir: true,
    // bench/web.ts reads it to find what the first screen loads.
    manifest: true,
    target: 'es2022',
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npm run dev:web` next to `npm run dev`: the API answers /api through the proxy.
    proxy: { '/api': 'http://localhost:8000' },
  },
});
