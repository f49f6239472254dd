import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { constants as zlib } from 'node:zlib';
import type { Config } from '../../config/config.js';
import { AppError } from '../errors/app-error.js';
import { createCompressedJson } from './compressed-json.js';

/** Brotli's default quality (11) costs far more CPU than it saves on JSON. */
const BROTLI_QUALITY = 4;
/** Memory for compressed copies of cached JSON answers (their texts counted too). */
const COMPRESSED_JSON_BYTES = 32 * 1024 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Keeps a well-formed incoming X-Request-ID (so a trace spans services), else makes one. */
export function genReqId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  if (typeof incoming === 'string' && REQUEST_ID.test(incoming)) return incoming;
  return randomUUID();
}

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'geolocation=(), microphone=(), camera=()',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
const API_HEADERS = { ...SECURITY_HEADERS, 'content-security-policy': API_CSP };
const PAGE_HEADERS = { ...SECURITY_HEADERS, 'content-security-policy': PAGE_CSP };

declare module 'fastify' {
  interface FastifyInstance {
    /** Compressed copies of cached JSON answers (see sendJson). */
    compressedJson: ReturnType<typeof createCompressedJson>;
  }
  interface FastifyRequest {
    /** Milliseconds spent in named phases (db, cache, ...), reported in Server-Timing. */
    timings: Record<string, number>;
  }
}

export const httpPlugin = fp(
  async (app: FastifyInstance, { config }: { config: Config }) => {
    app.decorateRequest('timings', null as unknown as Record<string, number>);

    // One sweep over the requests in flight instead of a timer and two socket listeners per
    // request; a request is answered 503 between timeoutMs and timeoutMs + one tick.
    const timeoutMs = config.http.requestTimeoutMs;
    const inFlight = new Set<FastifyReply>();
    if (timeoutMs > 0) {
      const sweep = setInterval(
        () => {
          for (const reply of inFlight) {
            if (reply.sent || reply.raw.destroyed) inFlight.delete(reply);
            else if (reply.elapsedTime >= timeoutMs) {
              inFlight.delete(reply);
              reply.request.log.warn({ timeoutMs }, 'request timed out');
              reply.send(new AppError('Timeout', 'request_timeout', `The request did not finish within ${timeoutMs} ms.`, {}, { 'retry-after': '5' }));
            }
          }
        },
        Math.min(1000, Math.max(5, Math.floor(timeoutMs / 20))),
      );
      sweep.unref();
      app.addHook('onClose', (_app, done) => {
        clearInterval(sweep);
        done();
      });
    }

    // Callback-style hooks: no promise per hook and request.
    app.addHook('onRequest', (request, reply, done) => {
      request.timings = {};
      if (timeoutMs > 0) inFlight.add(reply);
      done();
    });

    app.addHook('onSend', (request, reply, payload, done) => {
      inFlight.delete(reply);
      reply.headers(request.url.startsWith('/api/') ? API_HEADERS : PAGE_HEADERS);
      reply.header('x-request-id', request.id);
      let timing = '';
      for (const name in request.timings) timing += `${name};dur=${request.timings[name]!.toFixed(2)}, `;
      reply.header('server-timing', `${timing}total;dur=${reply.elapsedTime.toFixed(2)}`);
      done(null, payload);
    });

    const allowed = new Set(config.http.corsOrigins);
    await app.register(cors, {
      origin: (origin, cb) => {
        // Same-origin and non-browser requests carry no Origin header.
        if (!origin) return cb(null, true);
        cb(null, allowed.has('*') || allowed.has(origin));
      },
      credentials: !allowed.has('*'),
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      exposedHeaders: ['X-Request-ID', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Server-Timing'],
      maxAge: 600,
    });

    await app.register(compress, {
      threshold: config.http.compressThresholdBytes,
      encodings: ['br', 'gzip'],
      brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } },
    });
    app.decorate(
      'compressedJson',
      createCompressedJson({ maxBytes: COMPRESSED_JSON_BYTES, brotliQuality: BROTLI_QUALITY, thresholdBytes: config.http.compressThresholdBytes }),
    );
  },
  { name: 'http' },
);
