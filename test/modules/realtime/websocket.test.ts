import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../../src/platform/auth/tokens.js';
import type { EventBus } from '../../../src/platform/events/event-bus.js';
import { openEventBus } from '../../../src/platform/events/event-bus.js';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope, testConfig } from '../../helpers/app.js';
import { connect, listen, openSse, refusedWith } from './realtime-helpers.js';

let t: TestApp;
let baseUrl: string;
let bus: EventBus;

beforeAll(async () => {
  bus = await openEventBus(testConfig());
  t = await buildTestApp(
    {
    WS_AUTH_TIMEOUT_MS: '1500',
    WS_MAX_SOCKETS_PER_USER: '2',
    WS_MAX_MESSAGE_BYTES: '1024',
    CORS_ORIGINS: 'https://app.example.test',
    WS_SEND_BUFFER_BYTES: '65536',
    },
    { events: bus },
  );
  baseUrl = await listen(t.app);
});
afterAll(async () => {
  await t.close();
  await bus.close();
});

/** An access token of `userId` signed by a clock `shiftSeconds` in the past (so it expires that much sooner). */
async function tokenFromThePast(userId: string, sessionId: string, shiftSeconds: number) {
  const past = createTokenService(t.config, () => new Date(Date.now() - shiftSeconds * 1000));
  return (await past.signAccess({ userId, role: 'user', sessionId })).token;
}

async function sessionOf(token: string) {
  return (await t.app.tokens.verifyAccess(token)).sessionId;
}

describe('WebSocket authentication', () => {
  it('accepts an access token offered as a subprotocol and never echoes it', async () => {
    const user = await createUser(t);
    const client = connect(baseUrl, { token: user.token });
    const ready = await client.next((m) => m.type === 'ready', 'ready');
    expect(ready.data).toMatchObject({ userId: user.id });
    expect(client.socket.protocol).toBe('tradesense.v1');
    client.socket.close();
  });

  it('accepts an access token in a first auth message', async () => {
    const user = await createUser(t);
    const client = connect(baseUrl, { token: user.token, firstMessage: true });
    const ready = await client.next((m) => m.type === 'ready', 'ready');
    expect(ready.data).toMatchObject({ userId: user.id });
    expect(typeof ready.id).toBe('string');
    expect(Number.isNaN(Date.parse(ready.time))).toBe(false);
    client.socket.close();
  });

  it('accepts an API key', async () => {
    const user = await createUser(t);
    const key = await call(t, user, { method: 'POST', url: '/api/v1/auth/api-keys', payload: { name: 'dashboard', scope: 'read' } });
    expect(key.statusCode, key.body).toBe(201);
    const client = connect(baseUrl, { token: key.json().key, firstMessage: true });
    const ready = await client.next((m) => m.type === 'ready', 'ready');
    expect(ready.data).toMatchObject({ userId: user.id, expiresAt: null });
    client.socket.close();
  });

  it('closes with 4408 when no auth message comes in time', async () => {
    const client = connect(baseUrl);
    expect(await client.closed).toEqual({ code: 4408, reason: 'auth_timeout' });
    expect(client.messages).toEqual([]);
  });

  it('closes with 4401 token_expired for an expired token', async () => {
    const user = await createUser(t);
    const expired = await tokenFromThePast(user.id, await sessionOf(user.token), t.config.auth.accessTokenTtlSeconds + 60);
    const client = connect(baseUrl, { token: expired });
    expect(await client.closed).toEqual({ code: 4401, reason: 'token_expired' });
    expect(client.messages).toEqual([]);
  });

  it('closes with 4401 invalid_token for a forged token', async () => {
    const client = connect(baseUrl, { token: 'not-a-jwt', firstMessage: true });
    expect(await client.closed).toEqual({ code: 4401, reason: 'invalid_token' });
  });

  it('closes an open socket with 4401 token_expired when its token expires', async () => {
    const user = await createUser(t);
    const almostExpired = await tokenFromThePast(user.id, await sessionOf(user.token), t.config.auth.accessTokenTtlSeconds - 3);
    const client = connect(baseUrl, { token: almostExpired });
    await client.next((m) => m.type === 'ready', 'ready');
    expect(await client.closed).toEqual({ code: 4401, reason: 'token_expired' });
  });

  it('keeps a socket open past the first token when a fresh token is sent, and refuses another user\'s', async () => {
    const user = await createUser(t);
    const other = await createUser(t);
    const almostExpired = await tokenFromThePast(user.id, await sessionOf(user.token), t.config.auth.accessTokenTtlSeconds - 3);
    const client = connect(baseUrl, { token: almostExpired });
    await client.next((m) => m.type === 'ready', 'ready');
    client.socket.send(JSON.stringify({ type: 'auth', token: user.token }));
    // Past the first token's expiry the socket still carries events.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const put = await call(t, user, { method: 'PUT', url: '/api/v1/journal/2025-02-03', payload: { content: 'still here' } });
    expect(put.statusCode, put.body).toBe(200);
    await client.next((m) => m.type === 'journal.updated', 'journal.updated');
    client.socket.send(JSON.stringify({ type: 'auth', token: other.token }));
    expect(await client.closed).toEqual({ code: 4401, reason: 'user_mismatch' });
  });
});

describe('WebSocket limits', () => {
  it('refuses a browser origin outside the CORS allow-list with 403 before upgrading', async () => {
    const user = await createUser(t);
    const client = connect(baseUrl, { token: user.token, origin: 'https://evil.example.test' });
    expect(await refusedWith(client)).toBe(403);
    const allowed = connect(baseUrl, { token: user.token, origin: 'https://app.example.test' });
    await allowed.next((m) => m.type === 'ready', 'ready');
    allowed.socket.close();
  });

  it('closes the socket beyond WS_MAX_SOCKETS_PER_USER with 4429, counting SSE streams too', async () => {
    const user = await createUser(t);
    const first = connect(baseUrl, { token: user.token });
    await first.next((m) => m.type === 'ready', 'ready');
    const stream = await openSse(baseUrl, user.token);
    expect(stream.status).toBe(200);
    await stream.next((e) => e.event === 'ready', 'ready');
    const third = connect(baseUrl, { token: user.token });
    expect(await third.closed).toEqual({ code: 4429, reason: 'too_many_sockets' });
    const sse = await openSse(baseUrl, user.token);
    expect(sse.status).toBe(429);
    // Another user is not affected by this one's sockets.
    const other = await createUser(t);
    const theirs = connect(baseUrl, { token: other.token });
    await theirs.next((m) => m.type === 'ready', 'ready');
    theirs.socket.close();
    // A slot comes back when a socket closes.
    first.socket.close();
    await first.closed;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = connect(baseUrl, { token: user.token });
    await again.next((m) => m.type === 'ready', 'ready');
    again.socket.close();
    stream.close();
  });

  it('closes with 1009 on a message larger than WS_MAX_MESSAGE_BYTES', async () => {
    const user = await createUser(t);
    const client = connect(baseUrl, { token: user.token });
    await client.next((m) => m.type === 'ready', 'ready');
    client.socket.send(JSON.stringify({ type: 'auth', token: 'x'.repeat(5000) }));
    expect((await client.closed).code).toBe(1009);
  });

  it('closes with 4400 on a message it does not understand', async () => {
    const user = await createUser(t);
    const client = connect(baseUrl, { token: user.token });
    await client.next((m) => m.type === 'ready', 'ready');
    client.socket.send('{"type":"subscribe"}');
    expect(await client.closed).toEqual({ code: 4400, reason: 'bad_message' });
  });

  it('drops a consumer that stops reading once its send buffer passes WS_SEND_BUFFER_BYTES', async () => {
    const user = await createUser(t);
    const slow = connect(baseUrl, { token: user.token });
    await slow.next((m) => m.type === 'ready', 'ready');
    const reader = connect(baseUrl, { token: user.token });
    await reader.next((m) => m.type === 'ready', 'ready');
    slow.socket.pause();
    // About 16 MB of events: more than the kernel's socket buffers and the 64 KiB limit.
    const padding = 'x'.repeat(16_000);
    // One event a turn of the event loop, so a reading consumer keeps up while the paused one falls behind.
    for (let i = 0; i < 1000; i++) {
      bus.publish(user.id, 'import.progress', { importId: 'bulk', i, padding });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const metric = async () => {
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      return Number(/^realtime_connections_closed_total\{transport="websocket",reason="slow_consumer"\} (\d+)/m.exec(text)?.[1] ?? 0);
    };
    await expect.poll(metric, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    slow.socket.resume();
    expect([4000, 1006]).toContain((await slow.closed).code);
    // A consumer that keeps reading gets every event and stays open.
    await reader.next((m) => m.type === 'import.progress' && m.data.i === 999, 'the last event');
    expect(reader.socket.readyState).toBe(reader.socket.OPEN);
    reader.socket.close();
  });

  it('answers a plain GET without the upgrade with 426', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/ws' });
    expect(res.statusCode).toBe(426);
    expectEnvelope(res.json(), 'websocket_upgrade_required');
  });

  it('counts open sockets in the websocket_connections gauge', async () => {
    const user = await createUser(t);
    const gauge = async () => {
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      return Number(/^websocket_connections (\d+)/m.exec(text)?.[1]);
    };
    const client = connect(baseUrl, { token: user.token });
    await client.next((m) => m.type === 'ready', 'ready');
    const open = await gauge();
    expect(open).toBeGreaterThanOrEqual(1);
    client.socket.close();
    await expect.poll(gauge, { timeout: 10_000 }).toBeLessThan(open);
  });
});
