/**
 * The native JPEG decoder (libjpeg-turbo, src/hashing/native/) gives the same pixels as sharp on
 * every JPEG of the test vectors and on generated grey, progressive and 4:4:4 ones; leaves CMYK
 * to sharp; and refuses what sharp refuses (truncated, corrupt, over the pixel limit) with the
 * same typed errors. `npm test` builds it (scripts/build-native.sh); a missing build fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isHmaError } from '../../src/errors/errors.js';
import { decodePhoto, type DecodedImage } from '../../src/hashing/decode-image.js';
import { NATIVE_JPEG_PATH, nativeJpeg, nativeJpegStatus } from '../../src/hashing/native/jpeg.js';
import { hashPhoto } from '../../src/hashing/photo.js';
import { pdqDir } from './testdata.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const jpegs = filesUnder(pdqDir()).filter((f) => /\.jpe?g$/i.test(f));
const opts = { maxPixels: 100_000_000, grey16: 'high_byte' } as const;

/** Channel 0 of every pixel when grey (sharp hands grey back as 3 equal channels), all samples otherwise. */
function samples(img: DecodedImage): Uint8Array {
  if (img.colour === 'rgb') return img.data;
  const out = new Uint8Array(img.width * img.height);
  for (let i = 0; i < out.length; i++) out[i] = img.data[i * img.channels];
  return out;
}

async function both(bytes: Uint8Array): Promise<{ native: DecodedImage; viaSharp: DecodedImage }> {
  return {
    native: await decodePhoto(bytes, { ...opts, jpeg: 'auto' }),
    viaSharp: await decodePhoto(bytes, { ...opts, jpeg: 'sharp' }),
  };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'decoded';
  } catch (err) {
    return isHmaError(err) ? `${err.code}: ${err.message.split(':')[0]}` : `untyped: ${String(err)}`;
  }
}

describe('native JPEG decoder', () => {
  it('is built and loads', () => {
    expect(nativeJpeg(), `${nativeJpegStatus()} — npm test builds ${NATIVE_JPEG_PATH}`).toBeDefined();
    expect(nativeJpegStatus()).toMatch(/^libjpeg-turbo/);
  });

  it('decodes every test-vector JPEG to the same pixels as sharp, and leaves CMYK to sharp', async () => {
    expect(jpegs.length).toBeGreaterThan(30);
    const native = nativeJpeg()!;
    let decodedNatively = 0;
    for (const f of jpegs) {
      const bytes = readFileSync(f);
      const direct = native.decode(bytes, opts.maxPixels);
      const { native: a, viaSharp: b } = await both(bytes);
      expect([f, a.width, a.height, a.colour, a.format]).toEqual([f, b.width, b.height, b.colour, b.format]);
      expect(Buffer.compare(samples(a), samples(b)), f).toBe(0);
      if (direct) decodedNatively++;
      else expect(f).toMatch(/CMYK/);
    }
    expect(decodedNatively).toBe(jpegs.length - 1);
  });

  it('agrees with sharp on grey, progressive, 4:4:4, restart-marker and odd-sized JPEGs', async () => {
    const base = sharp(jpegs.find((f) => f.includes('aaa-orig'))!).resize(333, 257, { fit: 'fill' });
    const variants = [
      await base.clone().toColourspace('b-w').jpeg({ quality: 80 }).toBuffer(),
      await base.clone().jpeg({ progressive: true, quality: 90 }).toBuffer(),
      await base.clone().jpeg({ chromaSubsampling: '4:4:4', quality: 95 }).toBuffer(),
      await base.clone().jpeg({ quality: 40, optimiseCoding: true }).toBuffer(),
      await sharp({ create: { width: 1, height: 1, channels: 3, background: '#123456' } }).jpeg().toBuffer(),
    ];
    for (const [i, bytes] of variants.entries()) {
      expect(nativeJpeg()!.decode(bytes, opts.maxPixels), `variant ${i}`).not.toBeNull();
      const { native: a, viaSharp: b } = await both(bytes);
      expect([i, a.width, a.height, a.colour]).toEqual([i, b.width, b.height, b.colour]);
      expect(Buffer.compare(samples(a), samples(b)), `variant ${i}`).toBe(0);
    }
    expect((await both(variants[0])).native.channels).toBe(1);
  });

  it('gives the reference PDQ either way', async () => {
    for (const f of jpegs.slice(0, 6)) {
      const a = await hashPhoto(readFileSync(f), { ...opts, mode: 'fullres', jpeg: 'auto' });
      const b = await hashPhoto(readFileSync(f), { ...opts, mode: 'fullres', jpeg: 'sharp' });
      expect([f, a.hash, a.quality]).toEqual([f, b.hash, b.quality]);
    }
  });

  it('refuses truncated and corrupt files as sharp does, and images over the pixel limit', async () => {
    const good = readFileSync(jpegs.find((f) => f.includes('aaa-orig'))!);
    const truncated = good.subarray(0, good.length >> 1);
    const corrupt = Buffer.concat([good.subarray(0, 5000), Buffer.alloc(3000, 0x55), good.subarray(8000)]);
    for (const bad of [truncated, corrupt]) {
      const a = await refusal(decodePhoto(bad, { ...opts, jpeg: 'auto' }));
      const b = await refusal(decodePhoto(bad, { ...opts, jpeg: 'sharp' }));
      expect(a).toBe('unsupported_media: cannot decode image (corrupt or truncated?)');
      expect(a).toBe(b);
    }
    expect(() => nativeJpeg()!.decode(good, 1000)).toThrow(/pixel limit/);
    expect(() => nativeJpeg()!.decode(new Uint8Array([0xff, 0xd8, 0xff]), opts.maxPixels)).toThrow();
    expect(() => nativeJpeg()!.decode(Buffer.from('not a jpeg'), opts.maxPixels)).toThrow(/Not a JPEG/);
  });
});
