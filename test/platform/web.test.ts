import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { buildTestApp, expectEnvelope } from '../helpers/app.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';

let t: TestApp;
beforeAll(async () => {
  const dist = mkdtempSync(path.join(tmpdir(), 'tradesense-web-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), INDEX);
  writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log("app")');
  writeFileSync(path.join(dist, 'sample.csv'), 'a,b\n');
  t = await buildTestApp({ WEB_DIST_DIR: dist });
});
afterAll(() => t.close());

describe('the web app at /', () => {
  it('serves index.html, revalidated on every load, under a CSP that allows its own scripts', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toBe(INDEX);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain("default-src 'none'");
  });

  it('caches hashed assets for a year and serves other built files', async () => {
    const asset = await t.app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const sample = await t.app.inject({ method: 'GET', url: '/sample.csv' });
    expect(sample.statusCode).toBe(200);
    expect(sample.headers['cache-control']).toBe('no-cache');
  });

  it('answers index.html for the app’s own deep links, with or without a query', async () => {
    for (const url of ['/trades/7d1c', '/dashboard?from=2024-01-01', '/settings/sessions']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toBe(INDEX);
    }
  });

  it('keeps the JSON 404 envelope for unknown API paths and missing files', async () => {
    for (const url of ['/api/v1/nope', '/api/v2', '/assets/missing-1.js', '/favicon.ico']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expectEnvelope(res.json(), 'route_not_found');
    }
    const post = await t.app.inject({ method: 'POST', url: '/dashboard' });
    expect(post.statusCode).toBe(404);
  });

  it('leaves the API and its docs alone', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/health' })).json()).toMatchObject({ status: expect.any(String) });
    expect((await t.app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
  });
});

describe('without a built web app', () => {
  it('answers 404 at / and still serves the API', async () => {
    const api = await buildTestApp({ WEB_DIST_DIR: mkdtempSync(path.join(tmpdir(), 'tradesense-noweb-')) });
    try {
      const res = await api.app.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(404);
      expectEnvelope(res.json(), 'route_not_found');
      expect((await api.app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
    } finally {
      await api.close();
    }
  });
});
