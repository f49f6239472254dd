import { Writable } from 'node:stream';
import Fastify, { LogController } from 'fastify';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { REDACT_PATHS, lazyChildLoggerFactory } from '../../src/platform/observability/logger.js';

describe('logs', () => {
  it('redact authorization headers, cookies, WebSocket token protocols, passwords and tokens', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const app = Fastify({ logger: { level: 'info', stream, redact: { paths: REDACT_PATHS, censor: '[redacted]' } } });
    app.post('/x', async (request) => {
      request.log.info({ body: request.body, req: request.raw }, 'got it');
      return {};
    });
    await app.inject({
      method: 'POST',
      url: '/x',
      headers: { authorization: 'Bearer eyJsecret.token.value', cookie: 'refresh=topsecret', 'sec-websocket-protocol': 'tradesense.v1, bearer.ws-secret-token' },
      payload: { password: 'hunter2-hunter2', refreshToken: 'rt-secret', email: 'a@example.com' },
    });
    await app.close();
    const all = lines.join('');
    expect(all).toContain('a@example.com');
    expect(all).toContain('[redacted]');
    for (const secret of ['eyJsecret.token.value', 'topsecret', 'hunter2-hunter2', 'rt-secret', 'ws-secret-token']) expect(all).not.toContain(secret);
  });
});

describe('request loggers', () => {
  async function linesOf(level: string, log: (request: FastifyRequest) => void) {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const app = Fastify({ logger: { level, stream, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, childLoggerFactory: lazyChildLoggerFactory, logController: new LogController({ disableRequestLogging: true }) });
    app.addHook('onRequest', (request, _reply, done) => {
      request.log = request.log.child({ userId: 'u-1' });
      done();
    });
    app.get('/x', async (request) => {
      log(request);
      return {};
    });
    await app.inject({ method: 'GET', url: '/x' });
    await app.close();
    return { lines: lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
  }

  it('write the request id and the bindings added later, in order, with redaction, at enabled levels only', async () => {
    const { lines } = await linesOf('warn', (request) => {
      request.log.info('not written');
      request.log.warn({ body: { token: 'secret-token' }, n: 1 }, 'written');
      request.log.child({ step: 'two' }).error('also written');
    });
    expect(lines.map((line) => line.msg)).toEqual(['written', 'also written']);
    const [first, second] = lines as [Record<string, unknown>, Record<string, unknown>];
    expect(Object.keys(first).slice(0, 6)).toEqual(['level', 'time', 'pid', 'hostname', 'reqId', 'userId']);
    expect(first).toMatchObject({ userId: 'u-1', body: { token: '[redacted]' }, n: 1 });
    expect(typeof first.reqId).toBe('string');
    expect(second).toMatchObject({ reqId: first.reqId, userId: 'u-1', step: 'two' });
  });

  it('write nothing and report the level when nothing is enabled', async () => {
    let level = '';
    const { lines } = await linesOf('error', (request) => {
      level = request.log.level;
      request.log.info('no');
      request.log.warn('no');
      request.log.debug('no');
    });
    expect(level).toBe('error');
    expect(lines).toEqual([]);
  });
});
