/**
 * PDQ computed from decoded pixels: what the `photo-pixels` hasher of the pdq type runs (in a hash
 * process), and what vPDQ runs per frame.
 */
import { HmaError } from '../../errors/errors.js';
import type { ComputedSignal, HashParams } from '../types.js';
import { DIHEDRAL_NAMES, type DihedralName } from './dihedral.js';
import { hash256ToHex, type PdqHex } from './hash256.js';
import { PdqHasher } from './hasher.js';
import { PDQ_MIN_DIMENSION, pdqWorkingSize, type PdqMode, type PixelImage } from './image.js';

export interface PdqHashValue {
  readonly hash: PdqHex;
  readonly quality: number;
}

export interface PdqDihedralVariant {
  readonly name: DihedralName;
  readonly hash: PdqHex;
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

let hasher: PdqHasher | undefined;
/** One hasher (reusable buffers) per process. */
function processHasher(): PdqHasher {
  hasher ??= new PdqHasher();
  return hasher;
}

/** PDQ of decoded pixels; refuses images below the core's minimum working size. */
export function pdqOfPixels(img: PixelImage, mode: PdqMode): PdqHashValue {
  const size = pdqWorkingSize(img.width, img.height, mode);
  if (size.width < PDQ_MIN_DIMENSION || size.height < PDQ_MIN_DIMENSION) throw lowQualityTooSmall(img.width, img.height);
  const { hash, quality } = processHasher().hash(img, mode);
  return { hash: hash256ToHex(hash), quality };
}

/** The 8 rotation/flip variants in DIHEDRAL_NAMES order (from the DCT, docs/reference/pdq.md §5). */
export function pdqDihedralOfPixels(img: PixelImage, mode: PdqMode): PdqDihedralVariant[] {
  const { hashes } = processHasher().hashDihedral(img, mode);
  return DIHEDRAL_NAMES.map((name) => ({ name, hash: hash256ToHex(hashes[name]) }));
}

/** The pdq type's hasher: hash and quality, the dihedral variants when the request asks. */
export function computePdq(img: PixelImage, params: HashParams): ComputedSignal {
  const { hash, quality } = pdqOfPixels(img, params.mode);
  const meetsMinQuality = quality >= params.minQuality;
  if (!params.dihedral) return { value: hash, quality, meetsMinQuality };
  return { value: hash, quality, meetsMinQuality, detail: { dihedral: pdqDihedralOfPixels(img, params.mode) } };
}
