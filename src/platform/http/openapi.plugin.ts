import type { SwaggerOptions } from '@fastify/swagger';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, InjectOptions, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { appVersion } from '../../lib/paths.js';

const DOCS_PREFIX = '/docs';
// What a docs response may carry over to the real reply: the rest (security headers,
// request id, Server-Timing) is this app's own.
const DOCS_HEADERS = ['content-type', 'cache-control', 'etag', 'last-modified', 'location', 'accept-ranges', 'content-range'];

type SpecFn = FastifyInstance['swagger'];

/**
 * The browsable docs (@fastify/swagger-ui) live in a small Fastify instance of their own,
 * built on the first request to /docs: loading swagger-ui and reading its assets is start-up
 * time no API request needs. The instance reads the same OpenAPI document as
 * /api/v1/openapi.json.
 */
async function buildDocsApp(spec: SpecFn): Promise<FastifyInstance> {
  const { default: swaggerUi } = await import('@fastify/swagger-ui');
  const docs = Fastify({ logger: false });
  // swagger-ui depends on a plugin named '@fastify/swagger' and reads the document through `swagger()`.
  await docs.register(fp(async (instance: FastifyInstance) => void instance.decorate('swagger', spec), { name: '@fastify/swagger' }));
  await docs.register(swaggerUi, { routePrefix: DOCS_PREFIX, uiConfig: { docExpansion: 'list', deepLinking: true } });
  await docs.ready();
  return docs;
}

const SWAGGER_OPTIONS: SwaggerOptions = {
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
};

/**
 * The OpenAPI document, made on its first request: @fastify/swagger (and the YAML library it
 * loads) is ≈ 330 KB of the bundle that no other request needs. The app records its routes and
 * shared schemas as they are added; the first call registers them, with their schemas, config
 * and no handler work, in a Fastify instance of its own with @fastify/swagger, whose document
 * is then kept. Validation and serialisation are not compiled there: only the document is read.
 */
function lazySpec(app: FastifyInstance): () => Promise<SpecFn> {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => void routes.push(route));
  let made: Promise<SpecFn> | undefined;
  const make = async (): Promise<SpecFn> => {
    const { default: swagger } = await import('@fastify/swagger');
    const specApp = Fastify({ logger: false, exposeHeadRoutes: false });
    specApp.setValidatorCompiler(() => () => true);
    specApp.setSerializerCompiler(() => (data) => JSON.stringify(data));
    for (const schema of Object.values(app.getSchemas())) specApp.addSchema(schema as never);
    await specApp.register(swagger, SWAGGER_OPTIONS);
    for (const route of routes) {
      specApp.route({ method: route.method, url: route.url, schema: route.schema, config: route.config, handler: async () => null });
    }
    await specApp.ready();
    return specApp.swagger.bind(specApp) as SpecFn;
  };
  return () =>
    (made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    }));
}

export const openapiPlugin = fp(
  async (app: FastifyInstance) => {
    const specFn = lazySpec(app);

    app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => (await specFn())());

    let docsApp: Promise<FastifyInstance> | undefined;
    app.addHook('onClose', async () => {
      if (docsApp) await (await docsApp).close();
    });
    const serveDocs = async (request: FastifyRequest, reply: FastifyReply) => {
      docsApp ??= specFn().then(buildDocsApp);
      const docs = await docsApp.catch((error: unknown) => {
        docsApp = undefined;
        throw error;
      });
      const forwarded: InjectOptions['headers'] = {};
      for (const name of ['accept', 'if-none-match', 'if-modified-since', 'range']) {
        const value = request.headers[name];
        if (value !== undefined) forwarded[name] = value;
      }
      const res = await docs.inject({ method: request.method as 'GET' | 'HEAD', url: request.url, headers: forwarded });
      // An unknown docs path gets this app's 404 envelope.
      if (res.statusCode === 404) return reply.callNotFound();
      for (const name of DOCS_HEADERS) {
        const value = res.headers[name];
        if (value !== undefined) void reply.header(name, value);
      }
      return reply.code(res.statusCode).send(res.rawPayload);
    };
    const docsRoute = { schema: { hide: true } };
    app.get(DOCS_PREFIX, docsRoute, serveDocs);
    app.get(`${DOCS_PREFIX}/*`, docsRoute, serveDocs);
  },
  { name: 'openapi' },
);
