/**
 * Media hashing as the UI needs it: uploads and fetched URLs to signals (find, add,
 * remove), and a photo's PDQ hash, quality and dihedral variants (match debugger).
 *
 * Built on src/hashing's photo pipeline (decode exactly as the reference, then the PDQ
 * core) and MD5; it runs in-process, which suits a low-traffic UI. A process that has a
 * worker pool passes its own MediaHasher instead.
 */
import sharp from 'sharp';
import type { Config } from '../../config/config.js';
import { probeImage, decodeImage, type DecodeOptions } from '../../hashing/decode-image.js';
import { md5OfBytes } from '../../hashing/md5-stream.js';
import { hashPhoto } from '../../hashing/photo.js';
import { invalidInput } from '../../errors/errors.js';
import { DIHEDRAL_NAMES, type DihedralName } from '../../signals/pdq/dihedral.js';
import { hash256ToHex } from '../../signals/pdq/hash256.js';
import { PdqHasher } from '../../signals/pdq/hasher.js';
import type { MediaHasher } from '../curator/media.js';

export interface PhotoAnalysis {
  readonly hash: string;
  readonly quality: number;
  readonly width: number;
  readonly height: number;
  /** The 8 rotation/flip variants (DCT-domain), in DIHEDRAL_NAMES order. */
  readonly variants: ReadonlyArray<{ readonly name: DihedralName; readonly hash: string }>;
}

export interface UiMedia {
  readonly hash: MediaHasher;
  analyzePhoto(bytes: Buffer): Promise<PhotoAnalysis>;
  /** A small JPEG of an image as a data: URL for previews, or null if it cannot be made. */
  thumbnail(bytes: Buffer): Promise<string | null>;
}

const THUMB_PX = 320;

const decodeOptions = (config: Config): DecodeOptions => ({
  maxPixels: config.MAX_IMAGE_PIXELS,
  grey16: config.PDQ_GREY16_CLAMP ? 'clamp' : 'high_byte',
});

/** Which installed signal type each content type yields here (HMA's defaults). */
const TYPES_OF: Readonly<Record<string, readonly string[]>> = { photo: ['pdq'], video: ['video_md5'] };

export function inProcessMedia(config: Config, hasher?: MediaHasher): UiMedia {
  const opts = { ...decodeOptions(config), mode: config.PDQ_MODE };
  const ownHash: MediaHasher = async (bytes, contentType, types) => {
    const available = TYPES_OF[contentType];
    if (!available) throw invalidInput(`no such content_type: '${contentType}'`);
    for (const t of types ?? []) {
      if (!available.includes(t)) throw invalidInput(`signal type '${t}' doesn't exist or is disabled`);
    }
    const out: Record<string, string> = {};
    if (contentType === 'video') out.video_md5 = await md5OfBytes(bytes);
    else {
      const photo = await hashPhoto(bytes, opts);
      // HMA answers an empty PDQ for images below the quality threshold.
      out.pdq = photo.quality >= config.PDQ_MIN_QUALITY ? photo.hash : '';
    }
    return out;
  };
  let dihedral: PdqHasher | undefined;
  return {
    hash: hasher ?? ownHash,
    async analyzePhoto(bytes) {
      const photo = await hashPhoto(bytes, opts);
      const meta = await probeImage(bytes, opts);
      const img = await decodeImage(bytes, meta, opts);
      dihedral ??= new PdqHasher();
      const { hashes } = dihedral.hashDihedral(img, config.PDQ_MODE);
      return {
        hash: photo.hash,
        quality: photo.quality,
        width: photo.width,
        height: photo.height,
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
