import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { appVersion } from '../../lib/paths.js';

export const openapiPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'TradeSense API',
          version: appVersion,
          description: 'Trading journal and performance analytics. Errors always use the ErrorEnvelope schema.',
        },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'An access token (JWT) or an API key (ts_...)' },
          },
        },
        security: [{ bearer: [] }],
      },
      refResolver: {
        // Shared schemas keep their $id as the component name (#/components/schemas/ErrorEnvelope).
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
      transform: ({ schema, url, route }) => {
        const s = { ...(schema as Record<string, unknown>) };
        if (route.config && (route.config as { public?: boolean }).public) s.security = [];
        return { schema: s as never, url };
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });

    app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
