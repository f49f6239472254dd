import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import { appVersion } from '../../lib/paths.js';
import type { RequestTrace, SpanAttributes } from './request-context.js';

/** One request's server span: its children come through `RequestTrace`, `end` closes it with the outcome. */
export interface ServerSpan extends RequestTrace {
  end(statusCode: number, route: string | undefined): void;
}

export interface Tracing {
  startRequest(request: FastifyRequest): ServerSpan;
  /** Exports what is still buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set. The OTel packages are
 * imported here, dynamically, so a process without the variable never loads them.
 *
 * Spans are made by hand from the hooks the app already has (request hooks, the database query
 * observer, the Redis cache timing) rather than by the auto-instrumentations: those patch `pg`,
 * `ioredis` and `http` through require hooks that must run before the modules load, which ESM
 * and a lazily imported database driver make fragile; the hooks here see exactly the queries and
 * cache calls of each request, with its statement names, whatever the module format.
 */
export async function startTracing(config: Config): Promise<Tracing | undefined> {
  const { otlpEndpoint, serviceName } = config.tracing;
  if (!otlpEndpoint) return undefined;
  const [api, core, { BasicTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, defaultTextMapGetter } = api;

  const exporter = new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'service.version': appVersion }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  const tracer = provider.getTracer('tradesense', appVersion);
  const propagator = new core.W3CTraceContextPropagator();

  return {
    startRequest(request) {
      // A caller's `traceparent` makes this request part of its trace.
      const parent = propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
      const route = request.routeOptions.url;
      const span = tracer.startSpan(
        `${request.method} ${route ?? 'unmatched'}`,
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': request.url.split('?')[0]!, ...(route ? { 'http.route': route } : {}) } },
        parent,
      );
      const spanContext = trace.setSpan(parent, span);
      return {
        child(name: string, attributes: SpanAttributes) {
          const childSpan = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, spanContext);
          return (failed: boolean) => {
            if (failed) childSpan.setStatus({ code: SpanStatusCode.ERROR });
            childSpan.end();
          };
        },
        end(statusCode, finalRoute) {
          span.setAttribute('http.response.status_code', statusCode);
          if (finalRoute) span.setAttribute('http.route', finalRoute);
          if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
    async shutdown() {
      await provider.shutdown();
    },
  };
}
