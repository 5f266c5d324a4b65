/**
 * Photo → PDQ (hash and quality): sharp decoding plus the PDQ core. This runs inside a
 * hash process (or in-process for tests); it knows nothing about transport.
 */
import { DIHEDRAL_NAMES, type DihedralName } from '../signals/pdq/dihedral.js';
import { PdqHasher } from '../signals/pdq/hasher.js';
import { hash256ToHex, type PdqHex } from '../signals/pdq/hash256.js';
import { PDQ_MIN_DIMENSION, pdqWorkingSize, type PdqMode, type PixelImage } from '../signals/pdq/image.js';
import { decodeImage, probeImage, type DecodeOptions, type ImageInput } from './decode-image.js';
import { lowQualityTooSmall } from './media-errors.js';

export interface PhotoHashOptions extends DecodeOptions {
  readonly mode: PdqMode;
  /** Also compute the 8 rotation/flip variants (from the DCT, docs/reference/pdq.md §5). */
  readonly dihedral?: boolean;
}

export interface PdqHashValue {
  readonly hash: PdqHex;
  readonly quality: number;
}

export interface PhotoHash extends PdqHashValue {
  /** Size of the decoded image (before any cli512nn squash). */
  readonly width: number;
  readonly height: number;
  readonly format: string;
  /** The 8 variants in DIHEDRAL_NAMES order, when asked for. */
  readonly dihedral?: ReadonlyArray<{ readonly name: DihedralName; readonly hash: PdqHex }>;
}

let hasher: PdqHasher | undefined;
/** One hasher (reusable buffers) per process. */
function threadHasher(): PdqHasher {
  hasher ??= new PdqHasher();
  return hasher;
}

/** PDQ of decoded pixels; refuses images below the core's minimum working size. */
export function hashPixels(img: PixelImage, mode: PdqMode): PdqHashValue {
  const size = pdqWorkingSize(img.width, img.height, mode);
  if (size.width < PDQ_MIN_DIMENSION || size.height < PDQ_MIN_DIMENSION) throw lowQualityTooSmall(img.width, img.height);
  const { hash, quality } = threadHasher().hash(img, mode);
  return { hash: hash256ToHex(hash), quality };
}

export async function hashPhoto(input: ImageInput, opts: PhotoHashOptions): Promise<PhotoHash> {
  const meta = await probeImage(input, opts);
  const size = pdqWorkingSize(meta.width, meta.height, opts.mode);
  if (size.width < PDQ_MIN_DIMENSION || size.height < PDQ_MIN_DIMENSION) throw lowQualityTooSmall(meta.width, meta.height);
  const img = await decodeImage(input, meta, opts);
  const plain = hashPixels(img, opts.mode);
  const out = { ...plain, width: img.width, height: img.height, format: img.format };
  if (!opts.dihedral) return out;
  const { hashes } = threadHasher().hashDihedral(img, opts.mode);
  return { ...out, dihedral: DIHEDRAL_NAMES.map((name) => ({ name, hash: hash256ToHex(hashes[name]) })) };
}
