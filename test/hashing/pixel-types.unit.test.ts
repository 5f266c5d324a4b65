/**
 * A pixel-based signal type plugs in like a byte digest: a throwaway `photo-pixels` type, declared
 * only here and added through the registry's signalTypesWith (registry.ts is untouched), is
 * computed by the engine on the photo's one decode, next to an unchanged pdq, and reported
 * through hmaSignalValues like any type. A hash process knows only registered types, by name.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { hmaSignalValues, MediaHasher } from '../../src/hashing/hash-media.js';
import { HashPool, InProcessHasher } from '../../src/hashing/pool/hash-pool.js';
import { ExactIndex } from '../../src/index/exact-index.js';
import { signalTypesWith } from '../../src/signals/registry.js';
import type { PixelImage, SignalType } from '../../src/signals/types.js';
import { pdqDir } from './testdata.js';

const digestOf = (img: Pick<PixelImage, 'data' | 'width' | 'height' | 'channels'>) =>
  createHash('sha1').update(`${img.width}x${img.height}x${img.channels}:`).update(img.data).digest('hex');

/** What a hypothetical src/signals/pixel-sha1/type.ts would declare: a digest of the decoded pixels, with a quality. */
const seen: PixelImage[] = [];
const pixelSha1: SignalType = {
  name: 'pixel_sha1',
  contentTypes: ['photo'],
  hmaDefault: false,
  defaultThreshold: null,
  validate: (v) => v.trim().toLowerCase(),
  compare: (a, b) => ({ match: a === b, distance: null }),
  newIndex: () => new ExactIndex(),
  hasher: {
    view: 'photo-pixels',
    compute(pixels, params) {
      seen.push(pixels);
      // Width as the quality, so the minimum-quality rule can be seen to apply.
      return { value: digestOf(pixels), quality: pixels.width, meetsMinQuality: pixels.width >= params.minQuality, detail: { channels: pixels.channels } };
    },
  },
};

const config = loadConfig({ ...process.env, MAX_MEDIA_BYTES: String(8 * 1024 * 1024) });
const types = signalTypesWith([pixelSha1]);
const hasher = new MediaHasher(config, new InProcessHasher(types), types);
const production = new MediaHasher(config, new InProcessHasher());
const photo = path.join(pdqDir(), 'ptx-resources/rgb.jpeg');

describe('a photo-pixels type added through signalTypesWith', () => {
  it('is computed on the same decoded pixels as sharp gives, next to an unchanged pdq', async () => {
    seen.length = 0;
    const r = await hasher.hashMedia({ source: { path: photo }, contentType: 'photo' });
    const p = await production.hashMedia({ source: { path: photo }, contentType: 'photo' });
    const { data, info } = await sharp(photo, { ignoreIcc: true }).raw().toBuffer({ resolveWithObject: true });
    expect(seen).toHaveLength(1);
    expect(r.values.pixel_sha1).toEqual({ value: digestOf({ data, ...info }), quality: info.width, meetsMinQuality: true, detail: { channels: 3 } });
    expect(r.signals.pdq).toEqual(p.signals.pdq);
    expect(Object.keys(r.values)).toEqual(['pdq', 'pixel_sha1']);
    expect(hmaSignalValues(r)).toEqual([...hmaSignalValues(p), { type: 'pixel_sha1', value: digestOf({ data, ...info }), quality: info.width }]);
  });

  it('alone, without pdq; and below its minimum quality HMA clients get ""', async () => {
    const strict = new MediaHasher({ ...config, PDQ_MIN_QUALITY: 100_000 }, new InProcessHasher(types), types);
    const r = await strict.hashMedia({ source: { path: photo }, contentType: 'photo', signalTypes: ['pixel_sha1'] });
    expect(r.signals.pdq).toBeUndefined();
    expect(r.values.pixel_sha1.meetsMinQuality).toBe(false);
    expect(hmaSignalValues(r)).toEqual([{ type: 'pixel_sha1', value: '', quality: r.values.pixel_sha1.quality }]);
  });

  it('cannot shadow a registered type', () => {
    expect(() => signalTypesWith([{ ...pixelSha1, name: 'pdq' }])).toThrow("signal type 'pdq' is already registered");
  });
});

describe('a hash process', () => {
  const pool = new HashPool({ processes: 1, taskTimeoutMs: 30_000, maxRssMb: 1024 });
  afterAll(() => pool.close());

  it('computes registered pixel types by name, and refuses a name the registry does not have', async () => {
    const job = { decode: { maxPixels: 1e8, grey16: 'high_byte' }, params: { mode: 'fullres', dihedral: false, minQuality: 50, dedupDistance: 0 } } as const;
    const inProcess = await new InProcessHasher().photo(photo, { ...job, types: ['pdq'] });
    expect(await pool.photo(photo, { ...job, types: ['pdq'] })).toEqual(inProcess);
    // A bug of the caller, not a typed media error.
    await expect(pool.photo(photo, { ...job, types: ['pdq', 'pixel_sha1'] })).rejects.toThrow("signal type 'pixel_sha1' has no photo-pixels hasher here");
  });
});
