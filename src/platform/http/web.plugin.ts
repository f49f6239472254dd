import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Paths that belong to the server, never to the single-page app's router. */
const SERVER_PATHS = /^\/(api|docs|metrics)(\/|$)/;

/**
 * Serves the built web app (`npm run build:web`) at `/`. Hashed files under /assets are cached
 * for a year; index.html is revalidated every time so a deploy shows at once. Any other GET
 * that is not a server path answers index.html, so the app's router owns deep links like
 * /trades/123; unknown /api paths keep the JSON 404 envelope.
 */
export async function webPlugin(app: FastifyInstance, { distDir }: { distDir: string }) {
  const indexFile = path.join(distDir, 'index.html');
  if (!existsSync(indexFile)) {
    app.log.warn({ distDir }, 'web app not built (npm run build:web); serving the API only');
    return;
  }
  await app.register(fastifyStatic, {
    root: distDir,
    // One route per built file, found at start: the catch-all below stays the app's fallback.
    wildcard: false,
    cacheControl: false,
    setHeaders(reply, filePath) {
      const hashed = filePath.startsWith(path.join(distDir, 'assets') + path.sep);
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  // `/` itself is index.html's route from the static plugin.
  const sendIndex = (reply: FastifyReply) => reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html');
  // public and unlimited: an unknown /api path must reach the 404 envelope, not the auth check.
  app.get('/*', { schema: { hide: true }, config: { public: true, rateLimit: false } }, (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    // A missing asset or server path is a real 404, not the app's page.
    if (SERVER_PATHS.test(pathname) || pathname.startsWith('/assets/') || path.extname(pathname) !== '') return reply.callNotFound();
    return sendIndex(reply);
  });
}
