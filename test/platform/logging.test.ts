import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { REDACT_PATHS } from '../../src/platform/observability/logger.js';

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
