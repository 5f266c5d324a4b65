/**
 * Media hashing as the UI needs it: uploads and fetched URLs to signals (find, add,
 * remove) through the process's shared media input (its hash pool), and for the match
 * debugger a photo's PDQ hash, quality and 8 dihedral variants plus a preview. All decoding
 * happens in hash processes, never in the API process.
 */
import type { Config } from '../../config/config.js';
import { MediaHasher } from '../../hashing/index.js';
import type { DihedralName } from '../../signals/pdq/dihedral.js';
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
 * `input` is the process's media input (hash pool); a process without one (no hasher or
 * curator role) starts a one-process pool on first use, which suits the UI's low traffic,
 * and stops it through `onStop`.
 */
export function uiMedia(config: Config, input: HashInput | undefined, onStop: (name: string, stop: () => Promise<void>) => void): UiMedia {
  let own: HashInput | undefined;
  const media = (): HashInput => {
    if (input) return input;
    if (!own) {
      const hasher = MediaHasher.fromConfig(config, { processes: 1 });
      onStop('ui hash pool', () => hasher.close());
      own = new HashInput(config, hasher);
    }
    return own;
  };
  return {
    get input() {
      return media();
    },
    async analyzePhoto(bytes) {
      const { result } = await media().hashBytes(bytes, 'photo', ['pdq'], {}, { dihedral: true });
      const pdq = result.signals.pdq!;
      return { hash: pdq.hash, quality: pdq.quality, width: pdq.width, height: pdq.height, variants: pdq.dihedral ?? [] };
    },
    async thumbnail(bytes) {
      try {
        const jpeg = await media().hasher.executor.thumbnail(bytes, { px: THUMB_PX, maxPixels: config.MAX_IMAGE_PIXELS });
        return `data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}`;
      } catch {
        return null; // the hash result says why the image is unusable
      }
    },
  };
}
