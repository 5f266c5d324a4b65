/** The typed errors of media hashing, one constructor per kind of bad input. */
import { HmaError } from '../errors/errors.js';

export const tooLarge = (message: string, details?: Record<string, unknown>) => new HmaError('too_large', message, details);

export const unsupportedMedia = (message: string, details?: Record<string, unknown>) =>
  new HmaError('unsupported_media', message, details);

/** A format recognised from the bytes that we do not decode (HTTP 415), e.g. SVG or PDF. */
export const unsupportedFormat = (format: string, accepted: readonly string[]) =>
  new HmaError('unsupported_format', `unsupported image format: ${format} (accepted: ${accepted.join(', ')})`, {
    reason: 'format',
    format,
    accepted,
  });

/** Why the pool stopped a task: too long, too much memory, or its process died under it. */
export type StoppedReason = 'timeout' | 'memory' | 'crashed';

/**
 * A hashing task the pool had to stop. The media is to blame (each task runs alone in its
 * process, timed from its start), so it is refused like an undecodable file, not retried.
 */
export function hashingStopped(reason: StoppedReason, limit: number): HmaError {
  const message =
    reason === 'timeout'
      ? `hashing took longer than ${limit} ms and was stopped`
      : reason === 'memory'
        ? `hashing needed more than ${limit} MB of memory and was stopped`
        : 'the decoder process died while hashing this media';
  return reason === 'memory'
    ? tooLarge(message, { reason, limitMb: limit })
    : unsupportedMedia(message, reason === 'timeout' ? { reason, limitMs: limit } : { reason });
}

export const emptyMedia = () => unsupportedMedia('empty file: 0 bytes', { reason: 'empty' });

export const mediaTooBig = (bytes: number, limit: number) =>
  tooLarge(`media is larger than the ${limit}-byte limit`, { reason: 'bytes', bytes, limit });

/** An HmaError survives the trip from a hash process as plain data; this rebuilds it. */
export interface SerializedHmaError {
  readonly code: HmaError['code'];
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export function serializeHmaError(err: HmaError): SerializedHmaError {
  return { code: err.code, message: err.message, details: err.details };
}

export function deserializeHmaError(err: SerializedHmaError): HmaError {
  return new HmaError(err.code, err.message, err.details);
}
