/**
 * What a hash process does with one task. Results travel back as data: an HmaError would lose
 * its class on the way, so expected failures are returned as `{ ok: false, error }` and rebuilt
 * on the other side; anything else (a bug) rejects the task.
 */
import sharp from 'sharp';
import { isHmaError } from '../../errors/errors.js';
import { signalType } from '../../signals/registry.js';
import type { FrameValue } from '../../signals/types.js';
import { computeFrame, computePhoto, type PhotoJob, type PhotoValues, type SignalTypeLookup } from '../photo.js';
import { serializeHmaError, type SerializedHmaError } from '../media-errors.js';
import { thumbnailJpeg, type ThumbnailOptions } from '../thumbnail.js';

export type HashTask =
  /** The photo decoded once, every named `photo-pixels` type computed on it. */
  | { readonly kind: 'photo'; readonly input: Uint8Array | string; readonly job: PhotoJob }
  /** One RGB video frame through every named `video-frames` type. */
  | { readonly kind: 'frame'; readonly rgb: Uint8Array; readonly width: number; readonly height: number; readonly types: readonly string[] }
  | { readonly kind: 'thumbnail'; readonly input: Uint8Array; readonly options: ThumbnailOptions }
  /** Test hooks: block the process's thread for `ms`; hold `mb` megabytes of touched memory for `ms`. */
  | { readonly kind: 'sleep'; readonly ms: number }
  | { readonly kind: 'allocate'; readonly mb: number; readonly ms: number };

export type TaskOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SerializedHmaError };

export type TaskValue = PhotoValues | Record<string, FrameValue> | Uint8Array | null;

/** The libvips loaders of the formats image-format.ts lets through (each class covers its file, buffer and source loaders). */
const ALLOWED_LOADERS = ['VipsForeignLoadJpeg', 'VipsForeignLoadPng', 'VipsForeignLoadWebp', 'VipsForeignLoadNsgif', 'VipsForeignLoadTiff'];

let configured = false;
/**
 * Once per process. Parallelism comes from the pool, so libvips gets one thread and no cache;
 * every loader but those of the decoded formats is blocked, so that even bytes that slipped
 * past the sniffer could never reach the SVG, PDF or HEIF decoders.
 */
export function configureDecoder(): void {
  if (configured) return;
  sharp.concurrency(1);
  sharp.cache(false);
  sharp.block({ operation: ['VipsForeignLoad'] });
  sharp.unblock({ operation: ALLOWED_LOADERS });
  configured = true;
}

/**
 * Runs one task. Signal types are found by name with `lookup`: the registry's in a hash process
 * (the parent sends only names; each type's code is loaded here from its signals/<type>/ folder).
 */
export async function runTask(task: HashTask, lookup: SignalTypeLookup = signalType): Promise<TaskOutcome<TaskValue>> {
  configureDecoder();
  try {
    switch (task.kind) {
      case 'photo':
        return { ok: true, value: await computePhoto(task.input, task.job, lookup) };
      case 'frame': {
        const frame = { data: task.rgb, width: task.width, height: task.height, channels: 3, colour: 'rgb' } as const;
        return { ok: true, value: computeFrame(frame, task.types, lookup) };
      }
      case 'thumbnail':
        return { ok: true, value: await thumbnailJpeg(task.input, task.options) };
      case 'sleep': {
        const until = Date.now() + task.ms;
        while (Date.now() < until);
        return { ok: true, value: null };
      }
      case 'allocate': {
        const held = Buffer.alloc(task.mb * 1024 * 1024, 1);
        await new Promise((resolve) => setTimeout(resolve, task.ms));
        held.fill(0); // still in use here, so it is held until now
        return { ok: true, value: null };
      }
    }
  } catch (err) {
    if (isHmaError(err)) return { ok: false, error: serializeHmaError(err) };
    throw err;
  }
}
