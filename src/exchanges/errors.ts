/**
 * Typed failures of exchange calls. The fetcher records the message in fetch status
 * and history and picks its back-off from the kind; the API maps the code to a status.
 */
import { HmaError, type ErrorCode } from '../errors/errors.js';

export type ExchangeErrorKind =
  | 'auth' // missing, unusable or refused credentials
  | 'rate_limited' // 429; retryAfterMs when the server said
  | 'transient' // 5xx, timeout, connection reset: worth retrying
  | 'malformed' // a body that does not parse as the documented format
  | 'upstream' // any other refusal (4xx) by the upstream API
  | 'config' // the exchange's config cannot work (e.g. missing file)
  | 'unsupported' // the upstream cannot take this feedback
  | 'rewound'; // a checkpoint would move progress backwards

const codeOf: Readonly<Record<ExchangeErrorKind, ErrorCode>> = {
  auth: 'unauthenticated',
  rate_limited: 'rate_limited',
  transient: 'fetch_transient',
  malformed: 'fetch_failed',
  upstream: 'fetch_failed',
  config: 'invalid_input',
  unsupported: 'invalid_input',
  rewound: 'fetch_failed',
};

export class ExchangeError extends HmaError {
  /** Milliseconds the server asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;
  /** HTTP status of the refusal, when there was one. */
  readonly status: number | undefined;

  constructor(
    readonly kind: ExchangeErrorKind,
    message: string,
    opts: { retryAfterMs?: number; status?: number } = {},
  ) {
    super(codeOf[kind], message);
    this.name = 'ExchangeError';
    this.retryAfterMs = opts.retryAfterMs;
    this.status = opts.status;
  }

  /** Worth retrying in-line (same request, shortly). */
  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'rate_limited';
  }
}

export const isExchangeError = (err: unknown): err is ExchangeError => err instanceof ExchangeError;

export const authError = (message: string) => new ExchangeError('auth', message);
export const malformed = (message: string) => new ExchangeError('malformed', message);
export const configError = (message: string) => new ExchangeError('config', message);
export const unsupported = (message: string) => new ExchangeError('unsupported', message);
