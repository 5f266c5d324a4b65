/** A small JPEG preview of an image (the UI's match debugger), made in a hash process like any decoding. */
import sharp from 'sharp';
import { requireDecodable, SNIFF_BYTES } from './image-format.js';
import { decodeError } from './decode-image.js';

export interface ThumbnailOptions {
  /** Longest side of the preview, in pixels. */
  readonly px: number;
  readonly maxPixels: number;
}

export async function thumbnailJpeg(input: Uint8Array, opts: ThumbnailOptions): Promise<Uint8Array> {
  requireDecodable(input.subarray(0, SNIFF_BYTES));
  try {
    const jpeg = await sharp(Buffer.from(input.buffer, input.byteOffset, input.byteLength), { limitInputPixels: opts.maxPixels, pages: 1 })
      .resize(opts.px, opts.px, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80 })
      .toBuffer();
    return new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  } catch (err) {
    throw decodeError(err, input);
  }
}
