/**
 * What a hash worker thread does. Results travel back as data: an HmaError would lose its
 * class on the way, so expected failures are returned as `{ ok: false, error }` and rebuilt
 * on the other side; anything else (a bug) rejects the task.
 */
import sharp from 'sharp';
import { isHmaError } from '../../errors/errors.js';
import { hashPhoto, hashPixels, type PdqHashValue, type PhotoHash, type PhotoHashOptions } from '../photo.js';
import { serializeHmaError, type SerializedHmaError } from '../media-errors.js';

export type HashTask =
  | { readonly kind: 'photo'; readonly input: Uint8Array | string; readonly options: PhotoHashOptions }
  | { readonly kind: 'frame'; readonly rgb: Uint8Array; readonly width: number; readonly height: number }
  | { readonly kind: 'sleep'; readonly ms: number };

export type TaskOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SerializedHmaError };

export type TaskValue = PhotoHash | PdqHashValue | null;

let configured = false;
/** Parallelism comes from the pool; libvips threads per worker would only oversubscribe the cores. */
export function configureThread(): void {
  if (configured) return;
  sharp.concurrency(1);
  sharp.cache(false);
  configured = true;
}

/**
 * Runs one task. `startedAt`, when given, is shared memory in which the task records when it
 * actually began (ms since the epoch), so the pool's time limit excludes queueing and thread
 * start-up.
 */
export async function runTask(task: HashTask & { readonly startedAt?: Float64Array }): Promise<TaskOutcome<TaskValue>> {
  if (task.startedAt) task.startedAt[0] = Date.now();
  configureThread();
  try {
    switch (task.kind) {
      case 'photo':
        return { ok: true, value: await hashPhoto(task.input, task.options) };
      case 'frame':
        return {
          ok: true,
          value: hashPixels({ data: task.rgb, width: task.width, height: task.height, channels: 3, colour: 'rgb' }, 'fullres'),
        };
      case 'sleep': {
        // Test hook: a task that blocks its thread, to exercise the timeout.
        const until = Date.now() + task.ms;
        while (Date.now() < until);
        return { ok: true, value: null };
      }
    }
  } catch (err) {
    if (isHmaError(err)) return { ok: false, error: serializeHmaError(err) };
    throw err;
  }
}
