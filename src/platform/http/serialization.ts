import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { SerializerFactory } from '@fastify/fast-json-stringify-compiler';
import type { FastifyReply } from 'fastify';

/**
 * Fastify's own response serializers (fast-json-stringify), compiled on a route's first reply
 * with that status instead of for every route and status at start: compiling them all was about
 * a fifth of start-up CPU, and most routes are never called in a process's first seconds.
 */
export function lazySerializerFactory(): SerializerFactory {
  const factory = SerializerSelector();
  return (externalSchemas, options) => {
    const compile = factory(externalSchemas, options);
    return (route) => {
      let serialize: ((doc: unknown) => string) | undefined;
      return (doc: unknown) => (serialize ??= compile(route))(doc);
    };
  };
}

/**
 * Sends JSON text a service already made (cached as text), without serialising it again; to a
 * client that accepts br or gzip, above the compression threshold, as a compressed copy made once
 * per text (compressed-json.ts) instead of by the compression plugin on every request.
 */
export function sendJson(reply: FastifyReply, json: string): FastifyReply {
  reply.type('application/json; charset=utf-8');
  const { compressedJson } = reply.server;
  const encoding = compressedJson.negotiate(json, reply.request.headers['accept-encoding']);
  if (encoding === null) return reply.send(json);
  const vary = reply.getHeader('vary');
  return reply
    .header('content-encoding', encoding)
    .header('vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding')
    .send(compressedJson.compress(json, encoding));
}
