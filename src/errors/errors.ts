/**
 * Typed errors of the core. Each has a stable `code`; the HTTP status of each code
 * lives in src/runtime/http-errors.ts and the dead-letter reason in the pipeline, one
 * place each.
 */
export type ErrorCode =
  | 'invalid_input' // malformed or out-of-range client input
  | 'not_found'
  | 'conflict' // e.g. name taken, bank owned by an exchange
  | 'too_large' // media or body over the configured limit
  | 'unsupported_media' // not an image/video we can decode
  | 'unsupported_format' // a recognised format we refuse to decode (e.g. SVG, PDF)
  | 'low_quality' // decoded, but below the signal type's minimum quality
  | 'url_refused' // SSRF protection refused the URL
  | 'fetch_failed' // the media URL could not be fetched (permanent)
  | 'fetch_transient' // timeout, 5xx, reset: worth a retry
  | 'not_ready' // index or dependency still loading
  | 'unavailable' // a backing service (Kafka, the registry) is down: retry later (details.retryAfterSeconds)
  | 'unauthenticated'
  | 'forbidden'
  | 'rate_limited';

export class HmaError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'HmaError';
  }
}

export const invalidInput = (message: string, details?: Record<string, unknown>) =>
  new HmaError('invalid_input', message, details);
export const notFound = (message: string) => new HmaError('not_found', message);
export const conflict = (message: string) => new HmaError('conflict', message);

export function isHmaError(err: unknown): err is HmaError {
  return err instanceof HmaError;
}
