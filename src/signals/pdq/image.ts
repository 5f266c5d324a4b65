/** Decoded pixels as the PDQ core consumes them, and the working-size rules of the two modes. */

export interface PixelImage {
  /** Interleaved 8-bit samples, row-major, `channels` per pixel, no row padding. */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Samples per pixel. Colour: R, G, B first (a 4th, alpha, is ignored). Grey: sample 0 is used. */
  readonly channels: number;
  readonly colour: 'rgb' | 'grey';
}

/**
 * `fullres`: native size, as python-threatexchange / HMA / Java / vPDQ hash.
 * `cli512nn`: the reference command-line tool, which first squashes anything over 512 px on
 * a side to exactly 512×512 by top-left nearest neighbour (docs/reference/pdq.md §2.1).
 */
export type PdqMode = 'fullres' | 'cli512nn';
export const PDQ_MODES: readonly PdqMode[] = ['fullres', 'cli512nn'];

/** Below this many rows or columns the reference returns the all-zero hash with quality 0. */
export const PDQ_MIN_DIMENSION = 5;
const CLI_PRESHRINK_SIZE = 512;

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** The size the core actually hashes for an image of the given size in the given mode. */
export function pdqWorkingSize(width: number, height: number, mode: PdqMode): Size {
  if (mode === 'cli512nn' && (width > CLI_PRESHRINK_SIZE || height > CLI_PRESHRINK_SIZE)) {
    return { width: CLI_PRESHRINK_SIZE, height: CLI_PRESHRINK_SIZE };
  }
  return { width, height };
}

/** Source index of output index i when n source samples are squashed to `size` (CImg nearest). */
export function nearestSource(i: number, n: number, size: number): number {
  return Math.floor((i * n) / size);
}

export function checkPixelImage(img: PixelImage): void {
  const { width, height, channels, data, colour } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`bad image size ${width}x${height}`);
  }
  if (!Number.isInteger(channels) || channels < (colour === 'rgb' ? 3 : 1) || channels > 4) {
    throw new RangeError(`bad channel count ${channels} for a ${colour} image`);
  }
  if (data.length < width * height * channels) {
    throw new RangeError(`pixel buffer holds ${data.length} bytes, ${width}x${height}x${channels} needed`);
  }
}
