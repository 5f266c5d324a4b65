/** The one mapping from core error codes to HTTP status codes. */
import type { ErrorCode } from '../errors/errors.js';

export const httpStatusOf: Readonly<Record<ErrorCode, number>> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media: 400,
  low_quality: 400,
  url_refused: 400,
  fetch_failed: 400,
  fetch_transient: 502,
  not_ready: 503,
  unavailable: 503,
  unauthenticated: 401,
  forbidden: 403,
  rate_limited: 429,
};
