/**
 * The one error class. A service throws `new AppError('NotFound', 'trade_not_found', 'Trade not found')`;
 * the error handler turns it into the envelope with the status from KIND_STATUS.
 */
export const KIND_STATUS = {
  BadRequest: 400,
  Validation: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  UpgradeRequired: 426,
  Unprocessable: 422,
  TooManyRequests: 429,
  Internal: 500,
  ServiceUnavailable: 503,
  Timeout: 503,
} as const;

export type ErrorKind = keyof typeof KIND_STATUS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** Extra response headers, such as Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = `${kind}Error`;
    this.status = KIND_STATUS[kind];
  }
}

export const notFound = (code: string, message: string) => new AppError('NotFound', code, message);
export const badRequest = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError('BadRequest', code, message, details);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError('Conflict', code, message, details);
export const unauthorized = (code: string, message: string) => new AppError('Unauthorized', code, message);
export const forbidden = (code: string, message: string) => new AppError('Forbidden', code, message);
export const tooManyRequests = (code: string, message: string, retryAfterSeconds: number) =>
  new AppError('TooManyRequests', code, message, { retryAfterSeconds }, { 'retry-after': String(retryAfterSeconds) });
