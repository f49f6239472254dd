import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/auth/auth.plugin.js';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import { sendJson } from '../../platform/http/serialization.js';
import {
  BreakdownQuery,
  BreakdownResponse,
  CalendarQuery,
  CalendarResponse,
  DistributionQuery,
  DistributionResponse,
  EquityQuery,
  EquityResponse,
  FilterQuery,
  StreaksQuery,
  StreaksResponse,
  SummaryResponse,
} from './analytics.schemas.js';
import type { BreakdownInput, FilterInput } from './analytics.schemas.js';
import type { AnalyticsService } from './analytics.service.js';

const FILTERS_DOC =
  'Over the closed trades matching the shared trade filters (from/to: instants, or days in your time zone, inclusive), in close-time order (ties by id). ' +
  'Definitions: docs/metrics.md. Money is a decimal string rounded to cents; ratios are numbers.';

export async function analyticsRoutes(plain: FastifyInstance, { analyticsService }: { analyticsService: AnalyticsService }) {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['analytics'];
  const config = { rateLimit: 'analytics' as const };

  app.get(
    '/analytics/summary',
    {
      config,
      schema: {
        tags,
        summary: 'Performance summary: win rate, P&L, profit factor, expectancy, drawdown, streaks, Sharpe/Sortino, SQN, Kelly, 95% intervals',
        description: FILTERS_DOC,
        querystring: FilterQuery,
        response: { 200: SummaryResponse, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => sendJson(reply, await analyticsService.summary(requireUser(request).id, request.query as FilterInput)),
  );

  app.get(
    '/analytics/equity-curve',
    {
      config,
      schema: {
        tags,
        summary: 'Cumulative net P&L and drawdown, per trade or per day',
        description: FILTERS_DOC,
        querystring: EquityQuery,
        response: { 200: EquityResponse, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => sendJson(reply, await analyticsService.equityCurve(requireUser(request).id, request.query as FilterInput & { interval?: 'trade' | 'day' })),
  );

  app.get(
    '/analytics/calendar',
    {
      config,
      schema: {
        tags,
        summary: 'P&L, trade count, wins and losses per day, ISO week and month of a month (or a year)',
        description: `${FILTERS_DOC} Days are days in your time zone; weeks count only the days of the period.`,
        querystring: CalendarQuery,
        response: { 200: CalendarResponse, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => sendJson(reply, await analyticsService.calendar(requireUser(request).id, request.query as FilterInput & { year: number; month?: number })),
  );

  app.get(
    '/analytics/breakdown',
    {
      config,
      schema: {
        tags,
        summary: 'Metrics per symbol, tag, playbook, account, side, asset class, weekday, hour, hold time or month',
        description: `${FILTERS_DOC} A trade with several tags counts in each; untagged trades form the null group. weekday (1 = Monday), hour and month are in your time zone.`,
        querystring: BreakdownQuery,
        response: { 200: BreakdownResponse, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => sendJson(reply, await analyticsService.breakdown(requireUser(request).id, request.query as BreakdownInput)),
  );

  app.get(
    '/analytics/distribution',
    {
      config,
      schema: {
        tags,
        summary: 'Histogram of net P&L, R multiple or hold time in equal-width bins',
        description: FILTERS_DOC,
        querystring: DistributionQuery,
        response: { 200: DistributionResponse, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) =>
      sendJson(reply, await analyticsService.distribution(requireUser(request).id, request.query as FilterInput & { metric: 'pnl' | 'r' | 'holdTime'; buckets?: number })),
  );

  app.get(
    '/analytics/streaks',
    {
      config,
      schema: {
        tags,
        summary: 'Win and loss runs with their dates: the longest of each, the current one and the top runs',
        description: `${FILTERS_DOC} A breakeven trade ends a run.`,
        querystring: StreaksQuery,
        response: { 200: StreaksResponse, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => sendJson(reply, await analyticsService.streaks(requireUser(request).id, request.query as FilterInput & { limit?: number })),
  );
}
