/**
 * Size and sample layout of JPEG and PNG images read from their first bytes, in a few
 * microseconds and without libvips: what decoding needs to know before it starts (the pixel
 * limit, grey or colour, 16-bit grey), so that the one libvips call per photo is the decode
 * itself. Anything unusual (a palette PNG, CMYK or 12-bit JPEG, a header past the bytes given)
 * yields undefined, and the caller asks libvips instead.
 */

export interface ImageHeader {
  readonly width: number;
  readonly height: number;
  /** Decoded by libvips as one grey band (plus alpha), as its metadata would say. */
  readonly grey: boolean;
  /** sharp's name of the sample format. */
  readonly depth: 'uchar' | 'ushort';
}

const u16 = (b: Uint8Array, p: number) => (b[p] << 8) | b[p + 1];
const u32 = (b: Uint8Array, p: number) => ((b[p] << 24) >>> 0) + (b[p + 1] << 16) + (b[p + 2] << 8) + b[p + 3];

/** Start-of-frame markers: every coding process (baseline, progressive, lossless, arithmetic). */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** JPEG: walks the marker segments to the first SOF (whose size and components libjpeg uses). */
export function jpegHeader(b: Uint8Array): ImageHeader | undefined {
  if (b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) return undefined;
    const m = b[p + 1];
    if (m === 0xff) {
      p++; // fill byte
      continue;
    }
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      p += 2; // markers without a segment
      continue;
    }
    if (m === 0xda || m === 0xd9) return undefined; // scan or end before any frame header
    if (isSof(m)) {
      if (p + 10 > b.length) return undefined;
      const precision = b[p + 4];
      const height = u16(b, p + 5);
      const width = u16(b, p + 7);
      const components = b[p + 9];
      // 12-bit, CMYK/YCCK and a height given later (DNL) are left to libvips.
      if (precision !== 8 || height === 0 || width === 0 || (components !== 1 && components !== 3)) return undefined;
      return { width, height, grey: components === 1, depth: 'uchar' };
    }
    p += 2 + u16(b, p + 2);
  }
  return undefined;
}

/** PNG: the IHDR chunk, which the format requires first. Palette images are left to libvips. */
export function pngHeader(b: Uint8Array): ImageHeader | undefined {
  if (b.length < 26 || u32(b, 8) !== 13 || String.fromCharCode(b[12], b[13], b[14], b[15]) !== 'IHDR') return undefined;
  const width = u32(b, 16);
  const height = u32(b, 20);
  const bits = b[24];
  const colourType = b[25];
  if (width === 0 || height === 0) return undefined;
  // 0: grey, 4: grey + alpha, 2: RGB, 6: RGBA.
  if (colourType === 0 || colourType === 4) return { width, height, grey: true, depth: bits === 16 ? 'ushort' : 'uchar' };
  if (colourType === 2 || colourType === 6) return { width, height, grey: false, depth: bits === 16 ? 'ushort' : 'uchar' };
  return undefined;
}
