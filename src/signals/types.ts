/**
 * What a signal type is: the content it applies to, how a value is validated and normalised
 * (with the reference's messages), how two values compare, the index that stores it and how it is
 * computed from media. Each type declares itself in src/signals/<type>/type.ts;
 * src/signals/registry.ts lists them.
 */
import type { SignalIndex } from '../index/types.js';

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
 * What a type needs from the media. The engine prepares each view once per media and hands it to
 * every selected type that needs it:
 *  - `bytes`: the raw bytes, streamed once (never decoded, so this runs in the service process);
 *    the type supplies a pure incremental digest.
 *  - `photo-pixels` / `video-frames`: decoded pixels, only ever inside the hash pool's killable
 *    processes (docs/SECURITY.md); the engine runs the PDQ pipeline there (src/hashing/photo.ts,
 *    src/hashing/video.ts).
 */
export type SignalHasher =
  | { readonly view: 'bytes'; newDigest(): ByteDigest }
  | { readonly view: 'photo-pixels' }
  | { readonly view: 'video-frames' };
