import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { ChildLoggerOptions, LogFn, Logger } from 'pino';
import type { Config } from '../../config/config.js';

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["sec-websocket-protocol"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.refreshToken',
  '*.accessToken',
  '*.token',
  '*.secret',
  '*.apiKey',
];

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
}

type Bindings = Record<string, unknown>;
type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * A request's logger that makes its pino child only when a line is written at an enabled level.
 * Fastify makes a child per request (with the request id) and the auth hook adds the user id;
 * each pino child serialises its bindings and sets up redaction, which at LOG_LEVEL=warn (request
 * logging off) cost ≈ 4 % of a cached request's CPU for lines never written. Bindings added
 * through `child` before the first line are merged, so a line carries the same fields in the
 * same order as with real children.
 */
class RequestLogger implements FastifyBaseLogger {
  #real: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger & Pick<Logger, 'isLevelEnabled'>,
    private readonly bindings: Bindings,
  ) {}

  #logger(): FastifyBaseLogger {
    return (this.#real ??= this.parent.child(this.bindings));
  }

  #log(level: Level, args: unknown[]) {
    if (this.#real) (this.#real[level] as (...a: unknown[]) => void)(...args);
    else if (this.parent.isLevelEnabled(level)) (this.#logger()[level] as (...a: unknown[]) => void)(...args);
  }

  get level() {
    return this.#real?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  fatal: LogFn = (...args: unknown[]) => this.#log('fatal', args);
  error: LogFn = (...args: unknown[]) => this.#log('error', args);
  warn: LogFn = (...args: unknown[]) => this.#log('warn', args);
  info: LogFn = (...args: unknown[]) => this.#log('info', args);
  debug: LogFn = (...args: unknown[]) => this.#log('debug', args);
  trace: LogFn = (...args: unknown[]) => this.#log('trace', args);
  silent: LogFn = () => undefined;

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    if (this.#real || (options && Object.keys(options).length > 0)) return this.#logger().child(bindings, options);
    return new RequestLogger(this.parent, { ...this.bindings, ...bindings });
  }
}

/** Fastify's `childLoggerFactory`: per-request loggers that cost nothing until they write. */
export const lazyChildLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, options) =>
  Object.keys(options).length > 0 ? logger.child(bindings, options) : new RequestLogger(logger as FastifyBaseLogger & Pick<Logger, 'isLevelEnabled'>, bindings);
