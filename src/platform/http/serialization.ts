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
      return (doc: unknown) => (serialize ??= compile({ ...route, schema: withoutSimpleUnions(route.schema) }))(doc);
    };
  };
}

const PRIMITIVE_TYPES = new Set(['string', 'number', 'integer', 'boolean']);

type JsonSchema = Record<string, unknown>;

const isObject = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A branch of a union that is one primitive type and nothing fast-json-stringify would need a validator for. */
function primitiveBranch(branch: unknown): branch is JsonSchema & { type: string } {
  return isObject(branch) && typeof branch.type === 'string' && PRIMITIVE_TYPES.has(branch.type) && !('anyOf' in branch) && !('oneOf' in branch) && !('$ref' in branch);
}

/**
 * The response schema as fast-json-stringify serialises it fastest, with the same output for
 * every value the schema allows: a union of string literals (TypeBox's
 * `Union([Literal('a'), Literal('b')])`) becomes a string with an enum, and a primitive or null
 * (`Nullable(...)`) becomes a type list. fast-json-stringify serialises an `anyOf` by running an
 * Ajv validator on the value to pick the branch, compiled on first use (≈ 100 ms of a process's
 * first answer) and run for every such field of every answer; it serialises an enum or a type
 * list with a typeof check. The cost: a value the schema does not allow is no longer caught while
 * serialising (a string outside the literals, or not in a nullable string's `format`, is written
 * as it is instead of failing the answer with a 500) — fast-json-stringify never checks an
 * `enum` or a `format` outside a union either, and every test app validates every answer it
 * sends against the route's schemas as written, formats included (test/helpers/contract.ts). The schemas
 * Fastify keeps (OpenAPI, validation) are untouched: this is a copy.
 */
export function withoutSimpleUnions(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutSimpleUnions);
  if (!isObject(schema)) return schema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) out[key] = withoutSimpleUnions(value);
  const branches = out.anyOf;
  if (!Array.isArray(branches) || branches.length < 2) return out;
  const { anyOf: _union, ...rest } = out;
  if (branches.every((b) => isObject(b) && typeof b.const === 'string' && Object.keys(b).every((k) => k === 'const' || k === 'type'))) {
    return { ...rest, type: 'string', enum: branches.map((b) => (b as JsonSchema).const) };
  }
  if (branches.length === 2) {
    const nullIndex = branches.findIndex((b) => isObject(b) && b.type === 'null' && Object.keys(b).length === 1);
    const other = branches[1 - nullIndex];
    if (nullIndex !== -1 && primitiveBranch(other)) return { ...rest, ...other, type: [other.type, 'null'] };
  }
  return out;
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
