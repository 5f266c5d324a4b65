/**
 * The one mapping from failures to dead-letter reasons and what a stage does about
 * them: retry with backoff (transient: the same event may succeed later) or
 * dead-letter at once (permanent: retrying cannot help).
 */
import type { ErrorCode } from '../../errors/errors.js';
import { isHmaError } from '../../errors/errors.js';

/** Failures of the pipeline itself, besides the core's error codes. */
export type PipelineFailure =
  /** Undecodable bytes, unknown writer schema, or a decoded event missing what the stage needs. */
  | 'malformed_event'
  /** An action (webhook, topic write) still failing after its retries. */
  | 'action_failed'
  /** Anything unexpected thrown while processing (a bug): retried, then dead-lettered so the partition moves on. */
  | 'internal_error';

export type DeadLetterReason = ErrorCode | PipelineFailure;

export type Disposition = 'retry' | 'deadletter';

const byCode: Readonly<Record<ErrorCode, Disposition>> = {
  invalid_input: 'deadletter',
  not_found: 'deadletter',
  conflict: 'deadletter',
  too_large: 'deadletter',
  unsupported_media: 'deadletter',
  unsupported_format: 'deadletter',
  low_quality: 'deadletter',
  url_refused: 'deadletter',
  fetch_failed: 'deadletter',
  fetch_transient: 'retry',
  not_ready: 'retry',
  unavailable: 'retry',
  unauthenticated: 'deadletter',
  forbidden: 'deadletter',
  rate_limited: 'retry',
};

const byFailure: Readonly<Record<PipelineFailure, Disposition>> = {
  malformed_event: 'deadletter',
  action_failed: 'deadletter',
  internal_error: 'retry',
};

export interface Classified {
  readonly reason: DeadLetterReason;
  readonly disposition: Disposition;
  readonly message: string;
}

/** Reason and disposition of anything a stage caught. */
export function classify(err: unknown): Classified {
  if (isHmaError(err)) return { reason: err.code, disposition: byCode[err.code], message: err.message };
  if (err instanceof PipelineError) return { reason: err.failure, disposition: byFailure[err.failure], message: err.message };
  return { reason: 'internal_error', disposition: byFailure.internal_error, message: err instanceof Error ? err.message : String(err) };
}

/** A failure that is the pipeline's own rather than one of the core's error codes. */
export class PipelineError extends Error {
  constructor(
    readonly failure: PipelineFailure,
    message: string,
  ) {
    super(message);
    this.name = 'PipelineError';
  }
}

export const malformedEvent = (message: string) => new PipelineError('malformed_event', message);
