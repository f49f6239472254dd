import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { prependOnRequest } from '../http/route-hooks.js';
import fp from 'fastify-plugin';
import { Counter } from 'prom-client';
import type { RateLimitClass } from '../../config/config.js';
import type { Config } from '../../config/config.js';
import type { Cache } from '../cache/cache.js';
import { tooManyRequests } from '../errors/app-error.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The rate-limit class of the route (default `default`); `false` exempts it (health). */
    rateLimit?: RateLimitClass | false;
  }
}

function setHeaders(reply: FastifyReply, limit: number, remaining: number, resetSeconds: number) {
  reply.header('ratelimit-limit', limit);
  reply.header('ratelimit-remaining', Math.max(0, remaining));
  reply.header('ratelimit-reset', resetSeconds);
}

/**
 * Fixed-window counters per class and per caller (the user when authenticated, else the
 * client IP), kept in the cache: in memory by default, in Redis when configured so all
 * processes share them. A caller's window opens with its first request and lasts the
 * class's window (the counter's time to live), so it never resets early at a clock
 * boundary. A Redis failure falls back to per-process memory counters.
 */
export const rateLimitPlugin = fp(
  async (app: FastifyInstance, { config, cache }: { config: Config; cache: Cache }) => {
    const rejections = new Counter({
      name: 'rate_limit_rejections_total',
      help: 'Requests answered 429 by the rate limiter, by class',
      labelNames: ['class'] as const,
      registers: [app.metrics],
    });

    function limiter(cls: RateLimitClass, limit: { max: number; windowSeconds: number }) {
      return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
        const who = request.user ? `u:${request.user.id}` : `ip:${request.ip}`;
        cache.incr(`rl:${cls}:${who}`, limit.windowSeconds).then(({ count, ttlSeconds }) => {
          setHeaders(reply, limit.max, limit.max - count, ttlSeconds);
          if (count > limit.max) {
            rejections.inc({ class: cls });
            throw tooManyRequests('rate_limited', `Too many requests; try again in ${ttlSeconds} s.`, ttlSeconds);
          }
        }).then(() => done(), done);
      };
    }

    // Attached at start to each limited /api route, after authentication (this plugin registers
    // after the auth plugin), so users are counted by id; exempt routes pay nothing per request.
    app.addHook('onRoute', (route) => {
      const routeConfig = route.config ?? {};
      if (routeConfig.rateLimit === false || !route.url.startsWith('/api/')) return;
      const cls: RateLimitClass = routeConfig.rateLimit ?? 'default';
      const limit = config.rateLimits[cls];
      if (limit) prependOnRequest(route, limiter(cls, limit));
    });
  },
  { name: 'rate-limit', dependencies: ['auth', 'metrics'] },
);
