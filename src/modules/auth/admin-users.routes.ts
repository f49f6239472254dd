import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../platform/errors/error-schemas.js';
import { AdminUserPage, ListQuery } from './auth.schemas.js';
import type { AuthService } from './auth.service.js';

/** /api/v1/admin/users: administrators only (the auth plugin enforces `role`). */
export const adminUsersRoutes: FastifyPluginAsyncTypebox<{ auth: AuthService }> = async (app, { auth }) => {
  app.get(
    '/users',
    {
      config: { role: 'admin', rateLimit: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'All users, newest first (admin only)',
        querystring: ListQuery,
        response: { 200: AdminUserPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => auth.listUsers(request.query),
  );
};
