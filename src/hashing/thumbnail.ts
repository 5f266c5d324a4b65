/** A small JPEG preview of an image (the UI's match debugger), made in a hash process like any decoding. */
import sharp, { type Sharp } from 'sharp';
import { decodeBmp } from './bmp.js';
import { requireDecodable, SNIFF_BYTES } from './image-format.js';
import { decodeError } from './decode-image.js';

export interface ThumbnailOptions {
  /** Longest side of the preview, in pixels. */
  readonly px: number;
  readonly maxPixels: number;
}

export async function thumbnailJpeg(input: Uint8Array, opts: ThumbnailOptions): Promise<Uint8Array> {
  const format = requireDecodable(input.subarray(0, SNIFF_BYTES));
  try {
    let image: Sharp;
    if (format === 'bmp') {
      // libvips has no BMP loader: our decoder's pixels go in raw.
      const { data, width, height, channels } = decodeBmp(input, opts.maxPixels);
      image = sharp(data, { raw: { width, height, channels } });
    } else {
      image = sharp(Buffer.from(input.buffer, input.byteOffset, input.byteLength), { limitInputPixels: opts.maxPixels, pages: 1 });
    }
    const jpeg = await image
      .resize(opts.px, opts.px, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80 })
      .toBuffer();
    return new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  } catch (err) {
    throw decodeError(err, input);
  }
}
