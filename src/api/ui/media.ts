/**
 * Media hashing as the UI needs it: uploads and fetched URLs to signals (find, add,
 * remove) through the process's shared media-input module (its worker pool), and for the
 * match debugger a photo's PDQ hash, quality and 8 dihedral variants plus a preview.
 *
 * The debugger decodes in-process with src/hashing's decoder (the reference's pixel
 * pipeline) and hashes with the PDQ core, which gives the variants from the same DCT;
 * the hashing service has no dihedral entry point yet.
 */
import sharp from 'sharp';
import type { Config } from '../../config/config.js';
import { MediaHasher } from '../../hashing/index.js';
import { decodeImage, probeImage } from '../../hashing/decode-image.js';
import { lowQualityTooSmall } from '../../hashing/media-errors.js';
import { hashPixels } from '../../hashing/photo.js';
import { DIHEDRAL_NAMES, type DihedralName } from '../../signals/pdq/dihedral.js';
import { hash256ToHex } from '../../signals/pdq/hash256.js';
import { PdqHasher } from '../../signals/pdq/hasher.js';
import { PDQ_MIN_DIMENSION, pdqWorkingSize } from '../../signals/pdq/image.js';
import { HashInput } from '../media-input/hash-input.js';

export interface PhotoAnalysis {
  readonly hash: string;
  readonly quality: number;
  readonly width: number;
  readonly height: number;
  /** The 8 rotation/flip variants (DCT-domain), in DIHEDRAL_NAMES order. */
  readonly variants: ReadonlyArray<{ readonly name: DihedralName; readonly hash: string }>;
}

export interface UiMedia {
  /** Signals of media bytes or a URL, HMA's way ("" for a PDQ below the minimum quality). */
  readonly input: HashInput;
  analyzePhoto(bytes: Buffer): Promise<PhotoAnalysis>;
  /** A small JPEG of an image as a data: URL for previews, or null if it cannot be made. */
  thumbnail(bytes: Buffer): Promise<string | null>;
}

const THUMB_PX = 320;

/**
 * `input` is the process's media input (worker pool); a process without one (no hasher
 * or curator role) hashes in-process, which suits the UI's low traffic.
 */
export function uiMedia(config: Config, input?: HashInput): UiMedia {
  const opts = { maxPixels: config.MAX_IMAGE_PIXELS, grey16: config.PDQ_GREY16_CLAMP ? 'clamp' as const : 'high_byte' as const };
  let pdq: PdqHasher | undefined;
  return {
    input: input ?? new HashInput(config, MediaHasher.fromConfig(config, { inProcess: true })),
    async analyzePhoto(bytes) {
      const meta = await probeImage(bytes, opts);
      const size = pdqWorkingSize(meta.width, meta.height, config.PDQ_MODE);
      if (size.width < PDQ_MIN_DIMENSION || size.height < PDQ_MIN_DIMENSION) throw lowQualityTooSmall(meta.width, meta.height);
      const img = await decodeImage(bytes, meta, opts);
      const plain = hashPixels(img, config.PDQ_MODE);
      pdq ??= new PdqHasher();
      const { hashes } = pdq.hashDihedral(img, config.PDQ_MODE);
      return {
        hash: plain.hash,
        quality: plain.quality,
        width: img.width,
        height: img.height,
        variants: DIHEDRAL_NAMES.map((name) => ({ name, hash: hash256ToHex(hashes[name]) })),
      };
    },
    async thumbnail(bytes) {
      try {
        const jpeg = await sharp(bytes, { limitInputPixels: config.MAX_IMAGE_PIXELS, pages: 1 })
          .resize(THUMB_PX, THUMB_PX, { fit: 'inside', withoutEnlargement: true })
          .flatten({ background: '#ffffff' })
          .jpeg({ quality: 80 })
          .toBuffer();
        return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
      } catch {
        return null; // the hash result says why the image is unusable
      }
    },
  };
}
