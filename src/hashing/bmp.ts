/**
 * A strict BMP decoder (bytes → 8-bit pixels), because this build of libvips has no BMP loader
 * and HMA's Pillow decodes BMP uploads. It covers the variants Pillow's BmpImagePlugin reads:
 * OS/2 core (12-byte) and Windows INFO/V2/V3/OS2v2/V4/V5 headers; 1/4/8-bit palettes (and
 * 2-bit, which Pillow refuses); 16/24/32 bits with BI_RGB or (ALPHA_)BITFIELDS; RLE8 and RLE4;
 * bottom-up and top-down rows. docs/HMA-COMPATIBILITY.md lists where it differs from Pillow.
 *
 * The pixels are those Pillow's `convert("RGB")` gives, so that a BMP hashes like a PNG of the
 * same pixels: 5/6-bit channels expand as `v * 255 / max` (integer division, Pillow's BGR;15 and
 * BGR;16 unpackers); a palette that is Pillow's "greyscale" (entry i = (i,i,i), or black/white
 * for two colours) gives a grey image, as Pillow's modes `L` and `1` do.
 *
 * Strict: every header field and offset is checked against the file size, the pixel limit is
 * enforced before anything is allocated, no read goes past the end, and every failure is a
 * typed media error. Work is linear in the file size plus the (limited) pixel count.
 */
import type { HmaError } from '../errors/errors.js';
import type { PixelImage } from '../signals/pdq/image.js';
import { tooLarge, unsupportedMedia } from './media-errors.js';

export interface BmpHeader {
  readonly width: number;
  readonly height: number;
  /** Rows stored top row first (negative height in the file). */
  readonly topDown: boolean;
  readonly bits: number;
  readonly compression: 'rgb' | 'rle8' | 'rle4' | 'bitfields';
  /** Where the pixel data starts. */
  readonly offset: number;
  /** Palette as RGB triplets (bits ≤ 8). */
  readonly palette?: Uint8Array;
  /** Pillow's greyscale palette test: the image decodes to grey. */
  readonly greyPalette: boolean;
  /** Channel masks (bits 16/24/32). `a` is 0 when there is no alpha. */
  readonly masks?: { readonly r: number; readonly g: number; readonly b: number; readonly a: number };
}

export interface BmpImage extends PixelImage {
  readonly data: Uint8Array;
  readonly channels: 1 | 3 | 4;
}

const INFO_HEADER_SIZES = new Set([40, 52, 56, 64, 108, 124]);
const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_ALPHA_BITFIELDS = 6;

const corrupt = (why: string): HmaError => unsupportedMedia(`cannot decode BMP: ${why}`, { reason: 'corrupt' });
const unsupportedVariant = (why: string): HmaError =>
  unsupportedMedia(`unsupported BMP variant: ${why}`, { reason: 'format', format: 'bmp' });

function fail(err: HmaError): never {
  throw err;
}

/** Little-endian reads that refuse to go past the end. */
function reader(b: Uint8Array) {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const need = (at: number, n: number) => {
    if (at + n > b.length) fail(corrupt(`truncated header (needs ${at + n} bytes, file has ${b.length})`));
  };
  return {
    u16: (at: number) => (need(at, 2), view.getUint16(at, true)),
    u32: (at: number) => (need(at, 4), view.getUint32(at, true)),
    i32: (at: number) => (need(at, 4), view.getInt32(at, true)),
  };
}

/** A mask's shift and width; refuses masks that are not one run of 1 to 8 bits. */
function maskShape(mask: number, name: string): { shift: number; bits: number } {
  let shift = 0;
  while (shift < 32 && ((mask >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (shift + bits < 32 && ((mask >>> (shift + bits)) & 1) === 1) bits++;
  if (bits === 0 || bits > 8 || (shift + bits < 32 && mask >>> (shift + bits) !== 0)) {
    fail(unsupportedVariant(`${name} mask 0x${(mask >>> 0).toString(16)} (one run of 1 to 8 bits expected)`));
  }
  return { shift, bits };
}

/** Reads and checks the headers, the palette and the pixel-data bounds; allocates nothing large. */
export function readBmpHeader(b: Uint8Array, maxPixels: number): BmpHeader {
  const r = reader(b);
  if (b.length < 14 || b[0] !== 0x42 || b[1] !== 0x4d) fail(corrupt('no BM signature'));
  let offset = r.u32(10);
  const headerSize = r.u32(14);
  let width: number;
  let rawHeight: number;
  let bits: number;
  let comp = BI_RGB;
  let colorsUsed = 0;
  let paletteEntry = 4;
  let masksAt = -1;
  let maskCount = 0;
  if (headerSize === 12) {
    width = r.u16(18);
    rawHeight = r.u16(20);
    bits = r.u16(24);
    paletteEntry = 3;
  } else if (INFO_HEADER_SIZES.has(headerSize)) {
    width = r.i32(18);
    rawHeight = r.i32(22);
    bits = r.u16(28);
    comp = r.u32(30);
    colorsUsed = r.u32(46);
    if (comp === BI_BITFIELDS || comp === BI_ALPHA_BITFIELDS) {
      // Right after the 40 INFO bytes: past the end of an INFO header, inside larger ones
      // (which hold the alpha mask from 56 bytes on).
      masksAt = 14 + 40;
      maskCount = headerSize === 40 ? (comp === BI_ALPHA_BITFIELDS ? 4 : 3) : headerSize >= 56 ? 4 : 3;
    }
  } else {
    return fail(corrupt(`unknown header size ${headerSize}`));
  }
  if (14 + headerSize > b.length) fail(corrupt('truncated header'));
  if (width <= 0) fail(corrupt(`width ${width}`));
  if (rawHeight === 0 || rawHeight === -0x80000000) fail(corrupt(`height ${rawHeight}`));
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  const pixels = width * height;
  if (pixels > maxPixels) {
    fail(
      tooLarge(`image is ${width}x${height} = ${pixels} pixels, over the ${maxPixels}-pixel limit`, {
        reason: 'pixels',
        width,
        height,
        limit: maxPixels,
      }),
    );
  }

  let compression: BmpHeader['compression'];
  if (comp === BI_RGB) {
    if (![1, 2, 4, 8, 16, 24, 32].includes(bits)) fail(unsupportedVariant(`${bits} bits per pixel`));
    compression = 'rgb';
  } else if (comp === BI_RLE8 || comp === BI_RLE4) {
    if (bits !== (comp === BI_RLE8 ? 8 : 4)) fail(corrupt(`RLE${comp === BI_RLE8 ? 8 : 4} with ${bits} bits per pixel`));
    if (topDown) fail(corrupt('run-length encoded rows cannot be top-down'));
    compression = comp === BI_RLE8 ? 'rle8' : 'rle4';
  } else if (comp === BI_BITFIELDS || comp === BI_ALPHA_BITFIELDS) {
    if (![16, 24, 32].includes(bits)) fail(unsupportedVariant(`bit fields with ${bits} bits per pixel`));
    compression = 'bitfields';
  } else {
    return fail(unsupportedVariant(`compression ${comp}`));
  }

  let masks: BmpHeader['masks'];
  if (compression === 'bitfields') {
    const m = [r.u32(masksAt), r.u32(masksAt + 4), r.u32(masksAt + 8), maskCount === 4 ? r.u32(masksAt + 12) : 0];
    // Pillow reads 32 bits with all masks zero as BGRA.
    masks = bits === 32 && m.every((v) => v === 0) ? { r: 0xff0000, g: 0xff00, b: 0xff, a: 0xff000000 } : { r: m[0], g: m[1], b: m[2], a: m[3] };
  } else if (bits === 16) {
    masks = { r: 0x7c00, g: 0x3e0, b: 0x1f, a: 0 }; // BI_RGB 16 bits is 5-5-5
  } else if (bits >= 24) {
    masks = { r: 0xff0000, g: 0xff00, b: 0xff, a: 0 }; // BI_RGB 32 bits: the 4th byte is padding
  }
  if (masks) {
    const limit = bits === 32 ? 0xffffffff : 2 ** bits - 1;
    for (const [name, mask] of Object.entries(masks)) {
      if (name === 'a' && mask === 0) continue;
      if (mask >>> 0 > limit) fail(unsupportedVariant(`${name} mask wider than ${bits} bits`));
      maskShape(mask >>> 0, name);
    }
  }

  let palette: Uint8Array | undefined;
  let greyPalette = false;
  const afterHeader = 14 + headerSize + (headerSize === 40 && masksAt >= 0 ? maskCount * 4 : 0);
  if (bits <= 8) {
    const colors = colorsUsed || 1 << bits;
    if (colors > 256) fail(corrupt(`palette of ${colors} colours`));
    const end = afterHeader + colors * paletteEntry;
    if (end > b.length) fail(corrupt('truncated palette'));
    palette = new Uint8Array(colors * 3);
    greyPalette = true;
    for (let i = 0; i < colors; i++) {
      const at = afterHeader + i * paletteEntry;
      const [blue, green, red] = [b[at], b[at + 1], b[at + 2]];
      palette.set([red, green, blue], i * 3);
      const grey = colors === 2 ? i * 255 : i;
      if (red !== grey || green !== grey || blue !== grey) greyPalette = false;
    }
    // Pillow's fix for writers whose offset points at the palette instead of past it.
    if (offset === 14 + headerSize) offset = end;
    if (offset === 0) offset = end;
  } else if (offset === 0) {
    offset = afterHeader;
  }
  if (offset < 14 + headerSize) fail(corrupt(`pixel data offset ${offset} inside the header`));
  if (offset >= b.length) fail(corrupt(`pixel data offset ${offset} at or past the end of the ${b.length}-byte file`));
  if (compression === 'rgb' || compression === 'bitfields') {
    const need = rowStride(width, bits) * height;
    if (offset + need > b.length) fail(corrupt(`truncated pixel data (${need} bytes needed, ${b.length - offset} present)`));
  }
  return { width, height, topDown, bits, compression, offset, palette, greyPalette, masks };
}

const rowStride = (width: number, bits: number) => Math.ceil((width * bits) / 32) * 4;

/** The BMP's pixels: grey (1 channel), RGB (3) or RGBA (4, when an alpha mask is declared). */
export function decodeBmp(b: Uint8Array, maxPixels: number): BmpImage {
  const h = readBmpHeader(b, maxPixels);
  if (h.palette) return decodePaletted(b, h, h.palette);
  return decodeMasked(b, h);
}

function decodeMasked(b: Uint8Array, h: BmpHeader): BmpImage {
  const { width, height, bits } = h;
  const m = h.masks!;
  const alpha = m.a !== 0;
  const channels = alpha ? 4 : 3;
  const shapes = [m.r, m.g, m.b, m.a].map((mask) => (mask === 0 ? undefined : maskShape(mask >>> 0, 'channel')));
  // Expansion tables: Pillow's `v * 255 / max`, identity for 8-bit channels.
  const tables = shapes.map((s) => {
    if (!s) return undefined;
    const max = 2 ** s.bits - 1;
    return Uint8Array.from({ length: max + 1 }, (_, v) => Math.floor((v * 255) / max));
  });
  const out = new Uint8Array(width * height * channels);
  const stride = rowStride(width, bits);
  const bytes = bits >> 3;
  // The common layouts (BGR, BGRX, BGRA) are byte copies; other masks go through the tables.
  const bgr = m.r === 0xff0000 && m.g === 0xff00 && m.b === 0xff && (m.a === 0 || m.a >>> 0 === 0xff000000) && bits >= 24;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const [sr, sg, sb, sa] = shapes;
  const [tr, tg, tb, ta] = tables;
  for (let y = 0; y < height; y++) {
    const src = h.offset + (h.topDown ? y : height - 1 - y) * stride;
    let o = y * width * channels;
    if (bgr) {
      for (let x = 0, p = src; x < width; x++, p += bytes) {
        out[o++] = b[p + 2];
        out[o++] = b[p + 1];
        out[o++] = b[p];
        if (alpha) out[o++] = b[p + 3];
      }
      continue;
    }
    for (let x = 0, p = src; x < width; x++, p += bytes) {
      const v = bytes === 2 ? view.getUint16(p, true) : bytes === 3 ? b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) : view.getUint32(p, true);
      out[o++] = tr![(v >>> sr!.shift) & ((1 << sr!.bits) - 1)];
      out[o++] = tg![(v >>> sg!.shift) & ((1 << sg!.bits) - 1)];
      out[o++] = tb![(v >>> sb!.shift) & ((1 << sb!.bits) - 1)];
      if (alpha) out[o++] = ta![(v >>> sa!.shift) & ((1 << sa!.bits) - 1)];
    }
  }
  return { data: out, width, height, channels, colour: 'rgb' };
}

function decodePaletted(b: Uint8Array, h: BmpHeader, palette: Uint8Array): BmpImage {
  const { width, height } = h;
  const colors = palette.length / 3;
  const indices = h.compression === 'rgb' ? unpackIndices(b, h) : decodeRle(b, h);
  const channels = h.greyPalette ? 1 : 3;
  const out = new Uint8Array(width * height * channels);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    if (k >= colors) fail(corrupt(`palette index ${k} out of range (${colors} colours)`));
    if (channels === 1) out[i] = palette[k * 3];
    else {
      out[i * 3] = palette[k * 3];
      out[i * 3 + 1] = palette[k * 3 + 1];
      out[i * 3 + 2] = palette[k * 3 + 2];
    }
  }
  return { data: out, width, height, channels, colour: h.greyPalette ? 'grey' : 'rgb' };
}

/** Uncompressed 1/2/4/8-bit rows → one index per pixel, top row first. */
function unpackIndices(b: Uint8Array, h: BmpHeader): Uint8Array {
  const { width, height, bits } = h;
  const out = new Uint8Array(width * height);
  const stride = rowStride(width, bits);
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  for (let y = 0; y < height; y++) {
    const src = h.offset + (h.topDown ? y : height - 1 - y) * stride;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const byte = b[src + Math.floor(x / perByte)];
      out[o + x] = (byte >> (8 - bits * ((x % perByte) + 1))) & mask;
    }
  }
  return out;
}

/**
 * RLE8/RLE4 (always bottom-up) → one index per pixel, top row first. Pixels the stream skips
 * (deltas, early end of line or of bitmap) are index 0, as in Pillow; runs past the row end
 * are clipped. A stream that ends without its end-of-bitmap marker is truncated.
 */
function decodeRle(b: Uint8Array, h: BmpHeader): Uint8Array {
  const { width, height } = h;
  const four = h.compression === 'rle4';
  const out = new Uint8Array(width * height);
  let x = 0;
  let row = 0; // counted from the bottom
  let p = h.offset;
  const put = (index: number) => {
    if (x < width && row < height) out[(height - 1 - row) * width + x] = index;
    x++;
  };
  for (;;) {
    if (p + 2 > b.length) fail(corrupt('truncated run-length data (no end-of-bitmap marker)'));
    const n = b[p];
    const v = b[p + 1];
    p += 2;
    if (n > 0) {
      // Only the part inside the row is written, so a hostile stream costs at most one row per pair.
      const inside = Math.max(0, Math.min(n, width - x));
      for (let i = 0; i < inside; i++) put(four ? (i & 1 ? v & 0x0f : v >> 4) : v);
      x += n - inside;
    } else if (v === 0) {
      x = 0;
      row++;
    } else if (v === 1) {
      break;
    } else if (v === 2) {
      if (p + 2 > b.length) fail(corrupt('truncated run-length delta'));
      x += b[p];
      row += b[p + 1];
      p += 2;
    } else {
      const len = four ? Math.ceil(v / 2) : v;
      if (p + len > b.length) fail(corrupt('truncated run-length literal'));
      for (let i = 0; i < v; i++) put(four ? (i & 1 ? b[p + (i >> 1)] & 0x0f : b[p + (i >> 1)] >> 4) : b[p + i]);
      p += len + (len & 1); // literals are padded to 16 bits
    }
    if (row >= height) break;
  }
  return out;
}
