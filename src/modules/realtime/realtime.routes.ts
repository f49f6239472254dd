import type { ServerResponse } from 'node:http';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { WebSocket } from 'ws';
import type { Config } from '../../config/config.js';
import type { Authenticated } from '../../platform/auth/auth.plugin.js';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { AppError, forbidden, tooManyRequests } from '../../platform/errors/app-error.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import type { UserEvent } from '../../platform/events/event-bus.js';
import { CLOSE, msUntil, originAllowed, parseClientMessage, selectProtocol, tokenFromProtocols } from './realtime.domain.js';
import type { RealtimeService } from './realtime.service.js';

export interface RealtimeRoutesOptions {
  realtime: RealtimeService;
  limits: Config['realtime'];
  corsOrigins: readonly string[];
}

/** The first message on every live connection once it is authenticated: events flow from here on. */
function readyMessage(user: Authenticated, now: Date): string {
  return JSON.stringify({
    type: 'ready',
    id: `ready-${now.getTime()}`,
    time: now.toISOString(),
    data: { userId: user.user.id, expiresAt: user.expiresAt === null ? null : user.expiresAt.toISOString() },
  });
}

const closeReason = (error: unknown) => (error instanceof AppError ? error.code : 'invalid_token');

export async function realtimeRoutes(plain: FastifyInstance, { realtime, limits, corsOrigins }: RealtimeRoutesOptions) {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['realtime'];
  const sockets = new Map<WebSocket, { alive: boolean; dropped?: string }>();
  // The bus hands every socket of a user the same string: encode it once, not once per socket.
  let lastJson = '';
  let lastFrame = Buffer.alloc(0);
  const frameOf = (json: string) => {
    if (json !== lastJson) {
      lastJson = json;
      lastFrame = Buffer.from(json);
    }
    return lastFrame;
  };
  const streams = new Set<ServerResponse>();

  await app.register(websocket, {
    options: {
      maxPayload: limits.maxMessageBytes,
      handleProtocols: (offered) => selectProtocol(offered),
      // Every event is small JSON sent once: per-message deflate would cost more CPU than it saves.
      perMessageDeflate: false,
    },
    // Shutdown: 1001 tells clients to reconnect, to another process behind the load balancer.
    preClose: async () => {
      for (const socket of sockets.keys()) socket.close(CLOSE.goingAway, 'server shutting down');
      for (const stream of streams) stream.end();
    },
  });

  // Dead peers (no pong since the last ping) are dropped; one timer for all sockets.
  const heartbeat = setInterval(() => {
    for (const [socket, state] of sockets) {
      if (!state.alive) {
        state.dropped = 'no_pong';
        socket.terminate();
        continue;
      }
      state.alive = false;
      socket.ping();
    }
  }, limits.heartbeatSeconds * 1000);
  heartbeat.unref();
  app.addHook('onClose', async () => clearInterval(heartbeat));

  const checkOrigin = async (request: FastifyRequest) => {
    if (!originAllowed(request.headers.origin, request.headers.host, corsOrigins)) {
      throw forbidden('origin_not_allowed', 'This origin may not open live connections; add it to CORS_ORIGINS.');
    }
  };

  function handleSocket(socket: WebSocket, request: FastifyRequest) {
    const state: { alive: boolean; dropped?: string } = { alive: true };
    sockets.set(socket, state);
    realtime.opened('websocket');
    let authenticated: Authenticated | null = null;
    let release: (() => void) | null = null;
    let expiryTimer: NodeJS.Timeout | undefined;
    let closing = false;
    let closedBecause: string | undefined;

    const close = (code: number, reason: string) => {
      if (closing) return;
      closing = true;
      closedBecause = reason;
      socket.close(code, reason);
      // A slow consumer may never read the close frame: do not wait for it.
      setTimeout(() => socket.terminate(), 1000).unref();
    };

    const authTimer = setTimeout(() => close(CLOSE.authTimeout, 'auth_timeout'), limits.authTimeoutMs);
    authTimer.unref();

    const send = (_event: UserEvent, json: string) => {
      if (closing) return;
      if (socket.bufferedAmount > limits.sendBufferBytes) {
        close(CLOSE.slowConsumer, 'slow_consumer');
        return;
      }
      socket.send(frameOf(json), { binary: false });
    };

    const scheduleExpiry = (expiresAt: Date | null) => {
      clearTimeout(expiryTimer);
      const wait = msUntil(expiresAt, Date.now());
      if (wait === null) return;
      expiryTimer = setTimeout(() => close(CLOSE.unauthorized, 'token_expired'), wait);
      expiryTimer.unref();
    };

    async function authenticate(token: string) {
      let verified: Authenticated;
      try {
        verified = await request.server.authenticate(token);
      } catch (error) {
        close(CLOSE.unauthorized, closeReason(error));
        return;
      }
      if (closing) return;
      if (authenticated) {
        // A fresh token on an open socket extends it; it must be the same user's.
        if (verified.user.id !== authenticated.user.id) {
          close(CLOSE.unauthorized, 'user_mismatch');
          return;
        }
        authenticated = verified;
        scheduleExpiry(verified.expiresAt);
        return;
      }
      authenticated = verified;
      clearTimeout(authTimer);
      const detach = await realtime.attach(verified.user.id, send);
      if (!detach) {
        close(CLOSE.tooManySockets, 'too_many_sockets');
        return;
      }
      if (closing) {
        detach();
        return;
      }
      release = detach;
      scheduleExpiry(verified.expiresAt);
      socket.send(readyMessage(verified, new Date()));
    }

    socket.on('pong', () => {
      state.alive = true;
    });
    socket.on('message', (data, isBinary) => {
      const message = isBinary ? null : parseClientMessage(data.toString());
      if (!message) {
        close(CLOSE.badMessage, 'bad_message');
        return;
      }
      void authenticate(message.token);
    });
    socket.on('close', (code) => {
      closing = true;
      clearTimeout(authTimer);
      clearTimeout(expiryTimer);
      sockets.delete(socket);
      release?.();
      realtime.ended('websocket', closedBecause ?? state.dropped ?? (code === CLOSE.messageTooBig ? 'message_too_big' : 'client'));
    });

    const token = tokenFromProtocols(request.headers['sec-websocket-protocol']);
    if (token) void authenticate(token);
  }

  app.route({
    method: 'GET',
    url: '/ws',
    config: { public: true },
    preValidation: checkOrigin,
    schema: {
      tags,
      summary: 'Live events over WebSocket',
      description:
        'Upgrade to a WebSocket offering the subprotocol `tradesense.v1`. Authenticate with an access token (or API key) as a second offered subprotocol `bearer.<token>`, ' +
        'or as a first message `{"type":"auth","token":"..."}` within 5 s. The server then sends `ready` and the user\'s events. Close codes and events: docs/realtime.md. ' +
        'A plain GET without the upgrade is answered 426.',
      response: { 101: { description: 'Switching Protocols: the WebSocket is open', type: 'null' }, ...errorResponses(403, 426, 429) },
    },
    handler: async () => {
      throw new AppError('UpgradeRequired', 'websocket_upgrade_required', 'This endpoint speaks WebSocket: send an upgrade request (see docs/realtime.md).', {}, { upgrade: 'websocket' });
    },
    wsHandler: handleSocket,
  });

  app.get(
    '/events',
    {
      schema: {
        tags,
        summary: 'Live events as Server-Sent Events (fallback for clients without WebSocket)',
        description:
          'Authenticated with the usual `Authorization: Bearer` header. Each event is `id:`, `event: <type>` and `data: <the same JSON as over WebSocket>`; a `ready` event comes first, ' +
          'a comment line every heartbeat. When the token expires the stream sends `event: close` and ends; reconnect with a fresh token. No replay: refetch after reconnecting.',
        response: {
          200: { description: 'A text/event-stream that stays open', content: { 'text/event-stream': { schema: Type.String() } } },
          ...errorResponses(401, 403, 429),
        },
      },
      preValidation: checkOrigin,
    },
    async (request, reply) => {
      const user = requireUser(request);
      const raw = reply.raw;
      let ended = false;
      // Events that arrive between subscribing and writing the headers wait here.
      let early: string[] | null = [];
      const end = (reason: string) => {
        if (ended) return;
        ended = true;
        raw.end();
        raw.destroy();
        cleanup(reason);
      };
      const write = (chunk: string) => {
        if (ended) return;
        if (early) {
          early.push(chunk);
          return;
        }
        if (raw.writableLength > limits.sendBufferBytes) {
          end('slow_consumer');
          return;
        }
        raw.write(chunk);
      };
      // The credential's expiry (the auth hook verified it already; this reads its exp).
      const token = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
      const { expiresAt } = await request.server.authenticate(token);
      const detach = await realtime.attach(user.id, (event, json) => write(`id: ${event.id}\nevent: ${event.type}\ndata: ${json}\n\n`));
      if (!detach) throw tooManyRequests('too_many_sockets', `At most ${limits.maxSocketsPerUser} live connections per user.`, 5);

      reply.hijack();
      if (raw.destroyed) {
        // The client left while the subscription was being made.
        detach();
        return;
      }

      realtime.opened('sse');
      streams.add(raw);
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // Proxies (nginx) must pass each event on at once instead of buffering the stream.
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      raw.write(`retry: 3000\n\nevent: ready\ndata: ${readyMessage({ user, expiresAt }, new Date())}\n\n`);
      const waiting = early;
      early = null;
      for (const chunk of waiting) write(chunk);

      const ping = setInterval(() => write(': ping\n\n'), limits.heartbeatSeconds * 1000);
      ping.unref();
      const wait = msUntil(expiresAt, Date.now());
      const expiry = wait === null ? undefined : setTimeout(() => {
        write(`event: close\ndata: ${JSON.stringify({ code: CLOSE.unauthorized, reason: 'token_expired' })}\n\n`);
        end('token_expired');
      }, wait);
      expiry?.unref();

      let cleaned = false;
      function cleanup(reason: string) {
        if (cleaned) return;
        cleaned = true;
        clearInterval(ping);
        clearTimeout(expiry);
        streams.delete(raw);
        detach!();
        realtime.ended('sse', reason);
      }
      raw.on('close', () => {
        ended = true;
        cleanup('client');
      });
    },
  );
}
