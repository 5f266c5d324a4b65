/**
 * The `photo-pixels` and `video-frames` views inside a hash process: a photo is decoded once and
 * every selected type's `compute` runs on those pixels; a frame goes through every selected
 * type's `computeFrame`. Types are found by name (the registry's in a hash process; a test's own
 * list in process). Runs inside a hash process (or in-process for tests); knows nothing about
 * transport.
 *
 * `hashPhoto` / `hashPixels` are PDQ on this path, for tests, the benchmark and the UI.
 */
import { invalidInput } from '../errors/errors.js';
import { pdqOfPixels, type PdqDihedralVariant, type PdqHashValue } from '../signals/pdq/compute.js';
import type { DihedralName } from '../signals/pdq/dihedral.js';
import type { PdqHex } from '../signals/pdq/hash256.js';
import type { PdqMode, PixelImage } from '../signals/pdq/image.js';
import { signalType } from '../signals/registry.js';
import type { ComputedSignal, FrameValue, HashParams, SignalHasher, SignalType } from '../signals/types.js';
import { decodePhoto, type DecodeOptions, type ImageInput } from './decode-image.js';

export type { PdqHashValue } from '../signals/pdq/compute.js';

/** Finds a signal type by name: the registry's `signalType` in a hash process. */
export type SignalTypeLookup = (name: string) => SignalType | undefined;

/** One photo for the pool: the `photo-pixels` types to compute and how. Plain data (it travels by IPC). */
export interface PhotoJob {
  readonly types: readonly string[];
  readonly decode: DecodeOptions;
  readonly params: HashParams;
}

/** What the pixel types computed from one photo, with the decoded size and format. */
export interface PhotoValues {
  /** Size of the decoded image (before any cli512nn squash). */
  readonly width: number;
  readonly height: number;
  readonly format: string;
  readonly values: Readonly<Record<string, ComputedSignal>>;
}

type ViewHasher<V extends SignalHasher['view']> = Extract<SignalHasher, { view: V }>;

/** A type's hasher of the given view; a name that is not one is a bug of the caller. */
function hasherOf<V extends SignalHasher['view']>(lookup: SignalTypeLookup, name: string, view: V): ViewHasher<V> {
  const hasher = lookup(name)?.hasher;
  if (hasher?.view !== view) throw new Error(`signal type '${name}' has no ${view} hasher here`);
  return hasher as ViewHasher<V>;
}

export async function computePhoto(input: ImageInput, job: PhotoJob, lookup: SignalTypeLookup): Promise<PhotoValues> {
  const hashers = job.types.map((name) => [name, hasherOf(lookup, name, 'photo-pixels')] as const);
  if (hashers.length === 0) throw invalidInput('no pixel signal type to compute');
  const img = await decodePhoto(input, job.decode);
  const values: Record<string, ComputedSignal> = {};
  for (const [name, h] of hashers) values[name] = h.compute(img, job.params);
  return { width: img.width, height: img.height, format: img.format, values };
}

export function computeFrame(frame: PixelImage, types: readonly string[], lookup: SignalTypeLookup): Record<string, FrameValue> {
  const values: Record<string, FrameValue> = {};
  for (const name of types) values[name] = hasherOf(lookup, name, 'video-frames').computeFrame(frame);
  return values;
}

export interface PhotoHashOptions extends DecodeOptions {
  readonly mode: PdqMode;
  /** Also compute the 8 rotation/flip variants (from the DCT, docs/reference/pdq.md §5). */
  readonly dihedral?: boolean;
}

export interface PhotoHash extends PdqHashValue {
  /** Size of the decoded image (before any cli512nn squash). */
  readonly width: number;
  readonly height: number;
  readonly format: string;
  /** The 8 variants in DIHEDRAL_NAMES order, when asked for. */
  readonly dihedral?: ReadonlyArray<{ readonly name: DihedralName; readonly hash: PdqHex }>;
}

/** The pixel job that computes PDQ alone (PhotoHash has no min-quality flag, so none applies). */
export function pdqJob(opts: PhotoHashOptions): PhotoJob {
  return {
    types: ['pdq'],
    decode: { maxPixels: opts.maxPixels, grey16: opts.grey16, ...(opts.jpeg ? { jpeg: opts.jpeg } : {}) },
    params: { mode: opts.mode, dihedral: opts.dihedral ?? false, minQuality: 0, dedupDistance: 0 },
  };
}

/** The PDQ facts of a photo's computed values, as PhotoHash. */
export function photoHashOf(r: PhotoValues): PhotoHash {
  const pdq = r.values.pdq;
  if (!pdq || pdq.quality === null) throw new Error('no pdq value computed');
  const out = { hash: pdq.value as PdqHex, quality: pdq.quality, width: r.width, height: r.height, format: r.format };
  const dihedral = pdq.detail?.dihedral as readonly PdqDihedralVariant[] | undefined;
  return dihedral ? { ...out, dihedral } : out;
}

/** PDQ of a photo on this thread (tests, benchmark, the UI's in-process figures). */
export async function hashPhoto(input: ImageInput, opts: PhotoHashOptions): Promise<PhotoHash> {
  return photoHashOf(await computePhoto(input, pdqJob(opts), signalType));
}

/** PDQ of decoded pixels; refuses images below the core's minimum working size. */
export function hashPixels(img: PixelImage, mode: PdqMode): PdqHashValue {
  return pdqOfPixels(img, mode);
}
