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

/** Sends JSON text a service already made (cached as text), without serialising it again. */
export function sendJson(reply: FastifyReply, json: string) {
  return reply.type('application/json; charset=utf-8').send(json);
}
