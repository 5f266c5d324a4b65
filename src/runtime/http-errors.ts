/** The one mapping from core error codes to HTTP status codes. */
import type { ErrorCode } from '../errors/errors.js';

export const httpStatusOf: Readonly<Record<ErrorCode, number>> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media: 400,
  unsupported_format: 415,
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

/**
 * HMA's codes on its own routes (config `hma`): HMA answers every media-URL fetch failure
 * with 400 `Failed to fetch URL: …` (docs/reference/hma-api.md §1.4), retryable or not; our /v1 routes keep 502
 * for the retryable ones.
 */
export const hmaHttpStatusOf: Readonly<Record<ErrorCode, number>> = { ...httpStatusOf, fetch_transient: 400 };
