/**
 * Our JPEG/PNG header reading (what lets decodePhoto skip the libvips probe) agrees with
 * libvips's metadata on every JPEG and PNG of the test vectors, or defers to it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { jpegHeader, pngHeader } from '../../src/hashing/image-header.js';
import { pdqDir } from './testdata.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const images = filesUnder(pdqDir()).filter((f) => /\.(jpe?g|png)$/i.test(f));

describe('image headers read without libvips', () => {
  it('match libvips on every JPEG and PNG of the vectors, deferring only on unusual ones', async () => {
    expect(images.length).toBeGreaterThan(20);
    let read = 0;
    for (const f of images) {
      const bytes = readFileSync(f);
      const ours = bytes[0] === 0xff ? jpegHeader(bytes) : pngHeader(bytes);
      const meta = await sharp(bytes, { ignoreIcc: true, limitInputPixels: false }).metadata().catch(() => undefined);
      if (!ours) continue;
      read++;
      expect(meta, f).toBeDefined();
      const grey = (meta!.channels ?? 3) <= 2 || meta!.space === 'b-w' || meta!.space === 'grey16';
      expect([f, ours.width, ours.height, ours.grey, ours.grey ? ours.depth : 'any']).toEqual([f, meta!.width, meta!.height, grey, grey ? meta!.depth : 'any']);
    }
    expect(read).toBeGreaterThan(images.length * 0.8);
  });

  it('defers on palette PNGs, CMYK or 12-bit JPEGs, and headers past the given bytes', async () => {
    const rgb = await sharp({ create: { width: 9, height: 7, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    expect(jpegHeader(rgb)).toEqual({ width: 9, height: 7, grey: false, depth: 'uchar' });
    expect(jpegHeader(rgb.subarray(0, 20))).toBeUndefined();
    const cmyk = await sharp({ create: { width: 9, height: 7, channels: 3, background: '#808080' } }).toColourspace('cmyk').jpeg().toBuffer();
    expect(jpegHeader(cmyk)).toBeUndefined();
    const palette = await sharp({ create: { width: 9, height: 7, channels: 3, background: '#808080' } }).png({ palette: true }).toBuffer();
    expect(pngHeader(palette)).toBeUndefined();
    const grey16 = await sharp({ create: { width: 9, height: 7, channels: 3, background: '#808080' } }).toColourspace('grey16').png().toBuffer();
    expect(pngHeader(grey16)).toEqual({ width: 9, height: 7, grey: true, depth: 'ushort' });
  });
});
