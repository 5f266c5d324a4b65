/**
 * Image bytes → pixels for PDQ, with sharp exactly as docs/reference/pdq.md §2.4 prescribes (these are
 * the settings the reference outputs were computed with): no ICC transform, no EXIF rotation,
 * alpha dropped by the core (never composited), grey images hashed as grey.
 *
 * - Animated GIF/WebP/AVIF: the first frame (sharp's default, as PIL does).
 * - 16-bit grey: sharp's high byte by default; `grey16: 'clamp'` reproduces Pillow's clamp to
 *   255 (what python-threatexchange/HMA hash), opt-in as the spec recommends.
 * - Only the formats of image-format.ts are decoded, decided from the bytes before libvips
 *   sees them (the hash process also blocks every other libvips loader, see pool/tasks.ts).
 *   BMP, which this libvips cannot load, goes to our own decoder (bmp.ts) instead.
 * - The pixel limit is checked on the header, before any decoding (decompression bombs), and
 *   again by sharp's own limitInputPixels; decoding of large images reads sequentially (no
 *   whole-image cache for formats that allow it); every decode fails on the first decoder warning.
 * - One decoder call per photo (decodePhoto): JPEG and PNG headers are read by us
 *   (image-header.ts), so libvips is asked for metadata only for the other formats.
 * - JPEG (8-bit YCbCr, RGB, grey) goes straight to libjpeg-turbo when the native decoder is built
 *   (native/jpeg.ts): the same pixels as sharp at about two thirds of its CPU; CMYK, 12-bit and
 *   `JPEG_DECODER=sharp` go through sharp.
 */
import { open as openFile, readFile } from 'node:fs/promises';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { HmaError, invalidInput } from '../errors/errors.js';
import type { PixelImage } from '../signals/pdq/image.js';
import { decodeBmp, readBmpHeader } from './bmp.js';
import { jpegHeader, pngHeader, type ImageHeader } from './image-header.js';
import { nativeJpeg } from './native/jpeg.js';
import { requireDecodable, SNIFF_BYTES } from './image-format.js';
import { emptyMedia, tooLarge, unsupportedMedia } from './media-errors.js';

export interface DecodeOptions {
  readonly maxPixels: number;
  readonly grey16: 'high_byte' | 'clamp';
  /** JPEG_DECODER: `auto` (default) uses libjpeg-turbo directly when the native decoder is built. */
  readonly jpeg?: 'auto' | 'sharp';
}

export interface DecodedImage extends PixelImage {
  readonly format: string;
}

export type ImageInput = Uint8Array | string;

/** What probeImage learnt from the header, for decodeImage. */
export interface ProbedImage {
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly grey: boolean;
  /** sharp's sample format ('uchar', 'ushort', …); undefined for BMP. */
  readonly depth?: string;
}

/**
 * Up to this many pixels an image is decoded in one go (libvips random access: the whole image
 * into memory, then copied out): about 5 % less CPU than libvips's sequential line cache at
 * 1024×768 and 4000×3000 (bench:hash), for at most ~48 MB more memory. Larger images are read
 * sequentially, so a huge one never needs a second whole copy (nor libvips's temporary file).
 */
const WHOLE_DECODE_MAX_PIXELS = 16_000_000;

/** `maxPixels` false: no limit, for reading a header only (so that the refusal can name the size). */
function open(input: ImageInput, maxPixels: number | false, sequentialRead = true): Sharp {
  const src = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return sharp(src, { ignoreIcc: true, limitInputPixels: maxPixels, failOn: 'warning', pages: 1, sequentialRead });
}

/** The whole input in memory (BMP is decoded from memory; the upload limit bounds the file). */
async function bytesOf(input: ImageInput): Promise<Uint8Array> {
  if (typeof input !== 'string') return input;
  try {
    return await readFile(input);
  } catch {
    throw invalidInput(`file not found: ${input}`);
  }
}

/**
 * How much of a file decodePhoto reads to find a JPEG's frame header: past the EXIF, ICC and
 * other application segments that usually precede it (a header beyond it costs a libvips probe).
 */
const HEADER_BYTES = 64 * 1024;

/** The first bytes of an input (SNIFF_BYTES, or `bytes` of a file), for sniffing its format and reading its header. */
async function headOf(input: ImageInput, bytes = SNIFF_BYTES): Promise<Uint8Array> {
  if (typeof input !== 'string') return input;
  let file;
  try {
    file = await openFile(input, 'r');
  } catch {
    throw invalidInput(`file not found: ${input}`);
  }
  try {
    const buf = new Uint8Array(bytes);
    const { bytesRead } = await file.read(buf, 0, bytes, 0);
    if (bytesRead === 0) throw emptyMedia();
    return buf.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** Maps a sharp/libvips failure on an input to the typed error a client should see. */
export function decodeError(err: unknown, input: ImageInput): HmaError {
  if (err instanceof HmaError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) return tooLarge('image exceeds the pixel limit', { reason: 'pixels' });
  if (typeof input === 'string' && /Input file is missing|ENOENT/i.test(message)) {
    return invalidInput(`file not found: ${input}`);
  }
  if (/unsupported image format/i.test(message)) {
    return unsupportedMedia('not an image in a supported format', { reason: 'format' });
  }
  return unsupportedMedia(`cannot decode image (corrupt or truncated?): ${message.split('\n')[0]}`, {
    reason: 'corrupt',
  });
}

function isGrey(meta: Metadata): boolean {
  return (meta.channels ?? 3) <= 2 || meta.space === 'b-w' || meta.space === 'grey16';
}

function checkPixels(width: number, height: number, maxPixels: number): void {
  const pixels = width * height;
  if (pixels > maxPixels) {
    throw tooLarge(`image is ${width}x${height} = ${pixels} pixels, over the ${maxPixels}-pixel limit`, {
      reason: 'pixels',
      width,
      height,
      limit: maxPixels,
    });
  }
}

/** The header as libvips reads it (formats image-header.ts leaves alone). */
async function libvipsHeader(input: ImageInput): Promise<ImageHeader & { readonly format: string }> {
  let meta: Metadata;
  try {
    meta = await open(input, false).metadata();
  } catch (err) {
    throw decodeError(err, input);
  }
  const { width, height } = meta;
  if (!width || !height) throw unsupportedMedia('image has no dimensions', { reason: 'format' });
  return { format: meta.format ?? 'unknown', width, height, grey: isGrey(meta), depth: meta.depth === 'ushort' ? 'ushort' : 'uchar' };
}

/** Format and header from the first bytes: sniffed, refused if we do not decode it, read by us or by libvips. */
async function headerOf(input: ImageInput, head: Uint8Array, maxPixels: number): Promise<ProbedImage> {
  const format = requireDecodable(head.subarray(0, SNIFF_BYTES));
  if (format === 'bmp') {
    const h = readBmpHeader(await bytesOf(input), maxPixels);
    return { format: 'bmp', width: h.width, height: h.height, grey: h.greyPalette };
  }
  const ours = format === 'jpeg' ? jpegHeader(head) : format === 'png' ? pngHeader(head) : undefined;
  const h = ours ? { format, ...ours } : await libvipsHeader(input);
  checkPixels(h.width, h.height, maxPixels);
  return h;
}

/**
 * Header only: format and size, refusing formats we do not decode (from the bytes) and images
 * over the pixel limit, before any decoding.
 */
export async function probeImage(input: ImageInput, opts: DecodeOptions): Promise<ProbedImage> {
  if (typeof input !== 'string' && input.byteLength === 0) throw emptyMedia();
  return headerOf(input, await headOf(input), opts.maxPixels);
}

/** Decodes to 8-bit samples as the PDQ core takes them. `meta` is probeImage's answer. */
export async function decodeImage(input: ImageInput, meta: ProbedImage, opts: DecodeOptions): Promise<DecodedImage> {
  const { grey, format } = meta;
  const sequential = meta.width * meta.height > WHOLE_DECODE_MAX_PIXELS;
  if (format === 'bmp') return { ...decodeBmp(await bytesOf(input), opts.maxPixels), format };
  if (format === 'jpeg' && opts.jpeg !== 'sharp') {
    const native = nativeJpeg();
    if (native) {
      const bytes = await bytesOf(input);
      let out: ReturnType<typeof native.decode>;
      try {
        out = native.decode(bytes, opts.maxPixels);
      } catch (err) {
        throw decodeError(err, input);
      }
      // null: a colour space or precision the native decoder leaves to sharp (CMYK, 12-bit).
      if (out) return { data: out.data, width: out.width, height: out.height, channels: out.channels, colour: out.channels === 1 ? 'grey' : 'rgb', format };
    }
  }
  try {
    if (grey && meta.depth === 'ushort' && opts.grey16 === 'clamp') {
      const { data, info } = await open(input, opts.maxPixels, sequential)
        .toColourspace('grey16')
        .raw({ depth: 'ushort' })
        .toBuffer({ resolveWithObject: true });
      const wide = new Uint16Array(data.buffer, data.byteOffset, data.byteLength >> 1);
      const n = info.width * info.height;
      const out = new Uint8Array(n);
      for (let i = 0, p = 0; i < n; i++, p += info.channels) out[i] = Math.min(wide[p], 255);
      return { data: out, width: info.width, height: info.height, channels: 1, colour: 'grey', format };
    }
    // Grey comes back from .raw() as three equal channels; the core reads channel 0 only.
    const { data, info } = await open(input, opts.maxPixels, sequential).raw().toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels: info.channels,
      colour: grey ? 'grey' : 'rgb',
      format,
    };
  } catch (err) {
    throw decodeError(err, input);
  }
}

/**
 * The photo view every `photo-pixels` type is computed from: the header checks (format, pixel
 * limit) on the first bytes, then one decode.
 */
export async function decodePhoto(input: ImageInput, opts: DecodeOptions): Promise<DecodedImage> {
  if (typeof input !== 'string' && input.byteLength === 0) throw emptyMedia();
  return decodeImage(input, await headerOf(input, await headOf(input, HEADER_BYTES), opts.maxPixels), opts);
}
