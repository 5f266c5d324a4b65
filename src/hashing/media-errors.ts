/** The typed errors of media hashing, one constructor per kind of bad input. */
import { HmaError } from '../errors/errors.js';
import { PDQ_MIN_DIMENSION } from '../signals/pdq/image.js';

export const tooLarge = (message: string, details?: Record<string, unknown>) => new HmaError('too_large', message, details);

export const unsupportedMedia = (message: string, details?: Record<string, unknown>) =>
  new HmaError('unsupported_media', message, details);

export const emptyMedia = () => unsupportedMedia('empty file: 0 bytes', { reason: 'empty' });

export const mediaTooBig = (bytes: number, limit: number) =>
  tooLarge(`media is larger than the ${limit}-byte limit`, { reason: 'bytes', bytes, limit });

/** An HmaError survives the trip from a worker thread as plain data; this rebuilds it. */
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

/**
 * Below 5 px on a side the reference yields the all-zero hash with quality 0: no usable
 * signal, so it is reported as low quality rather than hashed.
 */
export function lowQualityTooSmall(width: number, height: number): HmaError {
  return new HmaError(
    'low_quality',
    `image is ${width}x${height} pixels; PDQ needs at least ${PDQ_MIN_DIMENSION}x${PDQ_MIN_DIMENSION}`,
    { reason: 'too_small', width, height, minimum: PDQ_MIN_DIMENSION },
  );
}
