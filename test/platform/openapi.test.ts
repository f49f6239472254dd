import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { buildTestApp, expectEnvelope } from '../helpers/app.js';

interface Operation {
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

let t: TestApp;
let spec: { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

beforeAll(async () => {
  t = await buildTestApp();
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  expect(res.statusCode).toBe(200);
  spec = res.json();
});
afterAll(() => t.close());

const operations = () =>
  Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));

/** A concrete URL for a templated path, with ids that exist nowhere. */
const concrete = (path: string) =>
  path.replace(/\{([^}]+)\}/g, (_m, name: string) => (name === 'date' ? '2025-01-02' : name === 'symbol' ? 'AAPL' : '00000000-0000-4000-8000-000000000000'));

describe('OpenAPI document', () => {
  it('is OpenAPI 3 with the error envelope as a shared component', () => {
    expect(spec.openapi).toMatch(/^3\./);
    expect(spec.components.schemas.ErrorEnvelope).toBeDefined();
    expect(Object.keys(spec.paths)).toContain('/api/v1/health');
  });

  it('declares a success response for every operation', () => {
    for (const { path, method, op } of operations()) {
      const statuses = Object.keys(op.responses);
      // 101 Switching Protocols is the success of the WebSocket endpoint.
      expect(statuses.some((s) => s.startsWith('2') || s === '101'), `${method} ${path} declares no 2xx`).toBe(true);
    }
  });

  it('declares 401 for every operation that needs credentials, and answers anonymous calls with it', async () => {
    for (const { path, method, op } of operations()) {
      if (Array.isArray(op.security) && op.security.length === 0) continue;
      expect(op.responses['401'], `${method} ${path} does not declare 401`).toBeDefined();
      const res = await t.app.inject({ method: method as 'GET', url: concrete(path), payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
      expect(res.statusCode, `${method} ${path} anonymous`).toBe(401);
      expectEnvelope(res.json(), 'unauthenticated');
    }
  });

  it('is served as browsable docs: the page, its scripts and this document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const scripts = [...res.body.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toContain('./static/swagger-ui-bundle.js');
    for (const src of scripts) {
      const asset = await t.app.inject({ method: 'GET', url: new URL(src, 'http://x/docs/').pathname });
      expect(asset.statusCode, src).toBe(200);
      expect(asset.headers['content-type'], src).toContain('javascript');
      expect(asset.headers['content-security-policy'], src).toBeDefined();
    }
    const initializer = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(initializer.body).toContain('"docExpansion":"list"');
    const docsSpec = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(docsSpec.json()).toEqual(spec);
    const etag = (await t.app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css' })).headers.etag;
    expect(etag).toBeDefined();
    expect((await t.app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css', headers: { 'if-none-match': String(etag) } })).statusCode).toBe(304);
  });

  it('answers an unknown docs path with the 404 envelope', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/static/nope.js' });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), 'route_not_found');
  });
});
