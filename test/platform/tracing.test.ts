import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/lib/paths.js';
import { usingRedis } from '../helpers/app.js';
import { startServer, waitReady } from '../helpers/process.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

/** A stand-in OpenTelemetry collector: accepts OTLP/HTTP JSON on /v1/traces and keeps the spans. */
let collector: Server;
let collectorUrl: string;
const received: { service: string; spans: OtlpSpan[] }[] = [];

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (req.url === '/v1/traces' && String(req.headers['content-type']).startsWith('application/json')) {
        const payload = JSON.parse(body.toString()) as {
          resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const rs of payload.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          received.push({ service, spans: rs.scopeSpans.flatMap((s) => s.spans) });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

const recorder = path.join(projectRoot, 'test/fixtures/process/record-imports.mjs');

/** Starts the server recording which @opentelemetry modules it loads; signs a user up and reads their accounts. */
async function runServer(env: Record<string, string>, traceparent: string) {
  const importsFile = path.join(mkdtempSync(path.join(tmpdir(), 'otel-imports-')), 'loaded.txt');
  const server = startServer({ ...env, RECORD_IMPORTS_FILE: importsFile }, { nodeArgs: ['--import', recorder] });
  try {
    await waitReady(server, 90_000);
    const registered = await fetch(`${server.baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `trace-${randomBytes(6).toString('hex')}@example.test`, password: 'Violet-Harbor-Lantern-42' }),
    });
    expect(registered.status).toBe(201);
    const { accessToken } = (await registered.json()) as { accessToken: string };
    const accounts = await fetch(`${server.baseUrl}/api/v1/accounts`, { headers: { authorization: `Bearer ${accessToken}`, traceparent } });
    expect(accounts.status).toBe(200);
  } finally {
    server.child.kill('SIGTERM');
  }
  expect(await server.exited, server.output()).toBe(0);
  return existsSync(importsFile) ? readFileSync(importsFile, 'utf8').split('\n').filter(Boolean) : [];
}

describe('OpenTelemetry tracing', () => {
  it('with OTEL_EXPORTER_OTLP_ENDPOINT, exports the request span and its database (and Redis) spans in the caller trace', { timeout: 180_000 }, async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const loaded = await runServer({ OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, OTEL_SERVICE_NAME: 'tradesense-test' }, `00-${traceId}-${callerSpanId}-01`);
    expect(loaded.some((url) => url.includes('/@opentelemetry/sdk-trace-base/'))).toBe(true);

    const spans = received.filter((r) => r.service === 'tradesense-test').flatMap((r) => r.spans);
    const inTrace = spans.filter((s) => s.traceId === traceId);
    const server = inTrace.find((s) => s.name === 'GET /api/v1/accounts');
    expect(server, JSON.stringify(spans.map((s) => s.name))).toBeDefined();
    expect(server!.kind).toBe(2); // SERVER
    expect(server!.parentSpanId).toBe(callerSpanId);
    const attribute = (span: OtlpSpan, key: string) => span.attributes.find((a) => a.key === key)?.value;
    expect(attribute(server!, 'http.route')).toEqual({ stringValue: '/api/v1/accounts' });
    expect(attribute(server!, 'http.response.status_code')).toEqual({ intValue: 200 });

    const children = inTrace.filter((s) => s.parentSpanId === server!.spanId);
    const db = children.find((s) => s.name === 'select accounts');
    expect(db, JSON.stringify(children.map((s) => s.name))).toBeDefined();
    expect(db!.kind).toBe(3); // CLIENT
    expect(attribute(db!, 'db.query.summary')).toEqual({ stringValue: 'select accounts' });
    if (usingRedis()) expect(children.map((s) => s.name)).toContain('redis INCR');

    // The sign-up before it was its own trace, with its database spans under it.
    const signUp = spans.find((s) => s.name === 'POST /api/v1/auth/register');
    expect(signUp).toBeDefined();
    expect(signUp!.traceId).not.toBe(traceId);
    expect(spans.some((s) => s.parentSpanId === signUp!.spanId && s.name === 'insert users')).toBe(true);
  });

  it('without it, the process loads no OpenTelemetry module at all', { timeout: 180_000 }, async () => {
    const loaded = await runServer({}, `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`);
    expect(loaded).toEqual([]);
  });
});
