import { Type } from 'typebox';
import { CacheStats } from '../../platform/observability/health.routes.js';
import { MAINTENANCE_ACTIONS } from './admin.service.js';

const Ms = Type.Union([Type.Number(), Type.Null()], { description: 'milliseconds; null without observations' });
const Latency = {
  count: Type.Integer(),
  meanMs: Type.Number(),
  p50Ms: Ms,
  p95Ms: Ms,
  p99Ms: Ms,
};

const Factor = Type.Enum(['event_loop_delay', 'route_latency', 'pool_waiting', 'cache_hit_rate', 'error_rate']);

export const AdminStatus = Type.Object({
  version: Type.String(),
  uptimeSeconds: Type.Number(),
  process: Type.Object({
    rssBytes: Type.Integer(),
    heapUsedBytes: Type.Integer(),
    eventLoopDelay: Type.Object({ p50Ms: Type.Number(), p99Ms: Type.Number(), maxMs: Type.Number() }, { description: 'beyond the 10 ms timer, over the last 30-second window' }),
  }),
  database: Type.Object({
    driver: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
    pool: Type.Object({ total: Type.Integer(), idle: Type.Integer(), waiting: Type.Integer() }),
  }),
  cache: CacheStats,
  imports: Type.Object({ queued: Type.Integer(), running: Type.Integer() }, { description: 'all users, all processes (from the imports table)' }),
  requests: Type.Object({ total: Type.Integer(), errors5xx: Type.Integer(), errorRate: Type.Union([Type.Number(), Type.Null()]) }, { description: 'since this process started' }),
  slowestRoutes: Type.Array(Type.Object({ route: Type.String(), method: Type.String(), ...Latency }), { description: 'top 10 by p99, from the request-duration histogram of this process' }),
  slowestQueries: Type.Array(Type.Object({ statement: Type.String(), ...Latency }), { description: 'top 10 by p99, from the query-duration histogram of this process' }),
  performance: Type.Object({
    score: Type.Integer({ minimum: 0, maximum: 100 }),
    reasons: Type.Array(
      Type.Object({
        factor: Factor,
        value: Type.Union([Type.Number(), Type.Null()]),
        fine: Type.Number(),
        bad: Type.Number(),
        weight: Type.Number(),
        penalty: Type.Number(),
        message: Type.String(),
      }),
    ),
  }),
});

export const CacheFlushResult = Type.Object({
  backend: Type.Union([Type.Literal('memory'), Type.Literal('redis')]),
  removedKeys: Type.Integer(),
  durationMs: Type.Number(),
});

const Action = Type.Enum(MAINTENANCE_ACTIONS);

export const MaintenanceBody = Type.Object(
  {
    actions: Type.Optional(Type.Array(Action, { minItems: 1, uniqueItems: true, description: 'default: all of them, in this order' })),
  },
  { additionalProperties: false },
);

export const MaintenanceResult = Type.Object({
  at: Type.String({ format: 'date-time' }),
  results: Type.Array(
    Type.Object({
      action: Action,
      status: Type.Union([Type.Literal('ok'), Type.Literal('failed')]),
      count: Type.Optional(Type.Integer()),
      unit: Type.Optional(Type.String()),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      durationMs: Type.Number(),
      error: Type.Optional(Type.String()),
    }),
  ),
});
