import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/platform/errors/app-error.js';
import { errorResponses } from '../../src/platform/errors/error-schemas.js';
import { StrictObject } from '../../src/platform/http/schemas.js';
import type { TestApp } from '../helpers/app.js';
import { buildTestApp, expectEnvelope } from '../helpers/app.js';

let t: TestApp;
const logged: string[] = [];

beforeAll(async () => {
  t = await buildTestApp(
    { REQUEST_TIMEOUT_MS: '200', BODY_LIMIT_BYTES: '2048' },
    {
      routes: (app) => {
        app.register(
          async (api) => {
            const config = { public: true };
            api.post(
              '/echo',
              {
                config,
                schema: {
                  body: StrictObject({ name: Type.String({ minLength: 2 }), size: Type.Integer({ minimum: 1 }) }),
                  response: { 200: Type.Object({ name: Type.String(), size: Type.Integer() }), ...errorResponses(400, 413, 415) },
                },
              },
              async (request) => request.body as { name: string; size: number },
            );
            api.get('/boom', { config, schema: { response: errorResponses(500) } }, async () => {
              throw new Error('relation "secret_table" does not exist at character 42');
            });
            api.get('/teapot', { config, schema: { response: errorResponses(409) } }, async () => {
              throw new AppError('Conflict', 'already_there', 'It is already there.', { id: 7 });
            });
            api.get('/db-down', { config, schema: { response: errorResponses(503) } }, async () => {
              throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
            });
            api.get('/slow', { config, schema: { response: { 200: Type.Object({}), ...errorResponses(503) } } }, async () => {
              await new Promise((resolve) => setTimeout(resolve, 600));
              return {};
            });
          },
          { prefix: '/api/v1/test' },
        );
        app.addHook('onError', async (_request, _reply, error) => {
          logged.push(error.message);
        });
      },
    },
  );
});
afterAll(() => t.close());

describe('error envelope', () => {
  it('answers unknown routes with a 404 envelope naming the route', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/does-not-exist?x=1' });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'route_not_found');
    expect(res.json()).toMatchObject({ success: false, error: 'NotFoundError', details: {} });
    expect(res.json().message).toContain('/api/v1/does-not-exist');
    expect(res.json().request_id).toBe(res.headers['x-request-id']);
  });

  it('gives field-level details for validation failures, all fields at once', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/test/echo', payload: { name: 'x', size: 0 } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expectEnvelope(body, 'validation_failed');
    expect(body.error).toBe('ValidationError');
    const fields = body.details.fields.map((f: { field: string }) => f.field).sort();
    expect(fields).toEqual(['name', 'size']);
  });

  it('names a missing required field', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/test/echo', payload: { name: 'xy' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.fields).toEqual([expect.objectContaining({ field: 'size', in: 'body' })]);
  });

  it('rejects unknown fields instead of dropping them', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/test/echo', payload: { name: 'xy', size: 2, admin: true } });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.fields).toEqual([expect.objectContaining({ field: 'admin' })]);
  });

  it('answers malformed JSON with a 400 envelope', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/test/echo', headers: { 'content-type': 'application/json' }, payload: '{"name": "xy",' });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json());
  });

  it('answers an oversized body with 413', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/test/echo', payload: { name: 'x'.repeat(5000), size: 1 } });
    expect(res.statusCode).toBe(413);
    expectEnvelope(res.json());
    expect(res.json().error).toBe('PayloadTooLargeError');
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/test/echo', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(res.statusCode).toBe(415);
    expectEnvelope(res.json());
  });

  it('maps an AppError to its status, code and details', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/test/teapot' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'ConflictError', code: 'already_there', message: 'It is already there.', details: { id: 7 } });
  });

  it('hides internals of unexpected errors but logs them', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/test/boom' });
    expect(res.statusCode).toBe(500);
    expectEnvelope(res.json(), 'internal_error');
    expect(res.body).not.toContain('secret_table');
    expect(res.body).not.toMatch(/at .*\.ts/);
    expect(logged).toContain('relation "secret_table" does not exist at character 42');
  });

  it('turns an unreachable database into 503 with Retry-After', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/test/db-down' });
    expect(res.statusCode).toBe(503);
    expectEnvelope(res.json(), 'database_unavailable');
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).not.toContain('5432');
  });

  it('ends a request that runs past the per-request timeout with 503', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/test/slow' });
    expect(res.statusCode).toBe(503);
    expectEnvelope(res.json(), 'request_timeout');
  });
});

describe('JSON bodies are not coerced', () => {
  it('refuses a number where a string belongs, rather than converting it', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/test/echo', payload: { name: 12345, size: 2 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.fields).toEqual([expect.objectContaining({ field: 'name' })]);
  });

  it('refuses a string where a number belongs', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/test/echo', payload: { name: 'xy', size: '2' } });
    expect(res.statusCode).toBe(400);
  });

  it('still coerces query strings', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health?x=1' });
    expect(res.statusCode).toBe(200);
  });
});
