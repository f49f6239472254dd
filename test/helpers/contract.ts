import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { ErrorEnvelope } from '../../src/platform/errors/error-schemas.js';

// ajv-formats ships CommonJS; its default export arrives wrapped under ESM.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

/**
 * Checks every response a test app sends against the route's declared schemas: the status
 * must be declared and a JSON body must validate. So every test that calls a route also
 * proves the OpenAPI document tells the truth about it.
 */
export function installContractCheck(app: FastifyInstance): string[] {
  const violations: string[] = [];
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addSchema(ErrorEnvelope);
  const compiled = new WeakMap<object, ValidateFunction>();

  app.addHook('onSend', async (request, reply, payload) => {
    const schema = request.routeOptions.schema as { hide?: boolean; response?: Record<string, object> } | undefined;
    if (!request.routeOptions.url || schema?.hide || !request.url.startsWith('/api/')) return payload;
    const where = `${request.method} ${request.routeOptions.url}`;
    const status = reply.statusCode;
    const declared = schema?.response?.[String(status)] ?? schema?.response?.[`${String(status)[0]}xx`];
    if (!declared) {
      violations.push(`${where} sent ${status}, which its schema does not declare`);
      return payload;
    }
    const type = String(reply.getHeader('content-type') ?? '');
    if (status === 204 || !type.includes('application/json') || typeof payload !== 'string') return payload;
    let validate = compiled.get(declared);
    if (!validate) {
      validate = ajv.compile(declared);
      compiled.set(declared, validate);
    }
    if (!validate(JSON.parse(payload))) {
      violations.push(`${where} ${status} body does not match its schema: ${ajv.errorsText(validate.errors)}`);
    }
    return payload;
  });
  return violations;
}
