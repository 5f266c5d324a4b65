/**
 * What a signal type is: the content it applies to, how a value is validated and normalised
 * (with the reference's messages), how two values compare, the index that stores it and how it is
 * computed from media. Each type declares itself in src/signals/<type>/type.ts;
 * src/signals/registry.ts lists them.
 */
import type { SignalIndex } from '../index/types.js';
import type { PdqMode, PixelImage } from './pdq/image.js';

export const CONTENT_TYPES = ['photo', 'video'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

export interface SignalComparison {
  readonly match: boolean;
  /** Distance for distance-based types (PDQ: Hamming bits); null for exact-match types. */
  readonly distance: number | null;
  readonly detail?: Readonly<Record<string, number>>;
}

export interface SignalType<Name extends string = string> {
  /** As python-threatexchange / HMA name it (`pdq`, `video_md5`, `vpdq`). */
  readonly name: Name;
  readonly contentTypes: readonly ContentType[];
  /** In HMA's default configuration (pdq and video_md5 are; vpdq is an extension there). */
  readonly hmaDefault: boolean;
  /** The match threshold the reference uses by default; null for exact matching. */
  readonly defaultThreshold: number | null;
  /**
   * Whether an index match's `distance` is on the threshold's scale (PDQ: Hamming bits), so a
   * lookup can search at its widest threshold and keep each match within its bank's own; false
   * when the threshold is applied inside the comparison (vPDQ: per frame). Default true.
   */
  readonly distanceIsRadius?: boolean;
  /** Returns the normalised value or throws HmaError('invalid_input') with the reference's reason. */
  validate(value: string): string;
  /** Compares two already valid values; `threshold` overrides the default. */
  compare(a: string, b: string, threshold?: number): SignalComparison;
  /** A new, empty index of this type's values (entry id = bank content id). */
  newIndex(): SignalIndex;
  /** How the hashing engine computes this type from media (src/hashing/hash-media.ts). */
  readonly hasher: SignalHasher;
}

/** An incremental digest over the media's bytes, fed in order; `digest` is called once, at the end. */
export interface ByteDigest {
  update(chunk: Uint8Array): void;
  /** The signal value (already in the form `validate` returns). */
  digest(): string;
}

/**
 * Decoded pixels, as the engine hands them to `photo-pixels` and `video-frames` types (8-bit
 * interleaved samples; the shape the PDQ core reads, so it is declared there).
 */
export type { PixelImage };

/** The hashing settings a pixel or frame type may read (from config, or the request). */
export interface HashParams {
  /** The PDQ pixel pipeline (the request's, else PDQ_MODE). */
  readonly mode: PdqMode;
  /** The request asked for rotation/flip variants, where the type has them. */
  readonly dihedral: boolean;
  /** PDQ_MIN_QUALITY: a value below it is not reported to HMA clients. */
  readonly minQuality: number;
  /** VPDQ_DEDUP_DISTANCE. */
  readonly dedupDistance: number;
}

/** A computed signal. Plain data: a pixel type's value crosses from a hash process by IPC. */
export interface ComputedSignal {
  /** The signal value (in the form `validate` returns). */
  readonly value: string;
  /** The type's quality figure where it has one (PDQ: 0–100); null otherwise. */
  readonly quality: number | null;
  /** False when the value is below the type's minimum quality: HMA then reports "". */
  readonly meetsMinQuality: boolean;
  /** Type-specific facts for detailed outputs (PDQ: the dihedral variants; vPDQ: the frames). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** What a `video-frames` type computes from one frame (in a hash process). */
export interface FrameValue {
  readonly value: string;
  readonly quality: number;
}

/** A frame's value with its place in the video, as `combine` gets them (every selected frame, in order). */
export interface HashedFrame extends FrameValue {
  /** 0-based index of the decoded frame. */
  readonly frame: number;
  /** Seconds, as the reference computes them. */
  readonly timestamp: number;
}

export interface VideoFacts {
  readonly fps: number;
  readonly width: number;
  readonly height: number;
}

/**
 * What a type needs from the media. The engine (src/hashing/hash-media.ts) prepares each view
 * once per media and hands it to every selected type that needs it:
 *  - `bytes`: the raw bytes, streamed once (never decoded, so this runs in the service process);
 *    the type supplies a pure incremental digest.
 *  - `photo-pixels`: the photo decoded once, only ever inside the hash pool's killable processes
 *    (docs/SECURITY.md); `compute` runs there, so it must be pure and its result plain data.
 *    It may throw an HmaError (e.g. low_quality) for pixels it cannot hash.
 *  - `video-frames`: frames decoded once by ffmpeg; `computeFrame` runs in a hash process per
 *    frame, `combine` in the calling process over every selected frame's value.
 * A hash process finds a type's hasher by name in the registry, so a pixel or frame type must be
 * registered (src/signals/registry.ts) to be computed by the pool.
 */
export type SignalHasher =
  | { readonly view: 'bytes'; newDigest(): ByteDigest }
  | { readonly view: 'photo-pixels'; compute(pixels: PixelImage, params: HashParams): ComputedSignal }
  | {
      readonly view: 'video-frames';
      computeFrame(frame: PixelImage): FrameValue;
      combine(frames: readonly HashedFrame[], video: VideoFacts, params: HashParams): ComputedSignal;
    };
