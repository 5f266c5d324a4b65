/**
 * Bit-exactness against the reference C++ core (reference-core-outputs.json: every file and
 * every synthetic case, hash and quality, both modes, the 8 dihedral hashes) and against the
 * values published in the reference repository (expected.json).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, probeImage } from '../../src/hashing/decode-image.js';
import { hashPhoto } from '../../src/hashing/photo.js';
import { hash256ToHex, hammingDistanceHex } from '../../src/signals/pdq/hash256.js';
import { PdqHasher } from '../../src/signals/pdq/hasher.js';
import type { PdqMode, PixelImage } from '../../src/signals/pdq/image.js';
import { expectedPdq, pdqDir, referenceOutputs, type ReferenceCase } from './testdata.js';

const ref = referenceOutputs();
const expected = expectedPdq();
const hasher = new PdqHasher();
const decodeOpts = { maxPixels: 100_000_000, grey16: 'high_byte' } as const;
const file = (name: string) => path.join(pdqDir(), name);

function hashOf(img: PixelImage, mode: PdqMode) {
  const r = hasher.hash(img, mode);
  return { hash: hash256ToHex(r.hash), quality: r.quality };
}

function dihedralOf(img: PixelImage): Record<string, string | number> {
  const r = hasher.hashDihedral(img, 'fullres');
  const out: Record<string, string | number> = { quality: r.quality };
  for (const [name, h] of Object.entries(r.hashes)) out[name] = hash256ToHex(h);
  return out;
}

async function decode(name: string): Promise<PixelImage> {
  const meta = await probeImage(file(name), decodeOpts);
  return decodeImage(file(name), meta, decodeOpts);
}

/** The formulas of reference-core-outputs.json → synthetic._about. */
function synthetic(kind: string, width: number, height: number): PixelImage {
  const grey = kind.startsWith('grey');
  const channels = grey ? 1 : 3;
  const data = new Uint8Array(width * height * channels);
  const constant = /^grey_const(\d+)$/.exec(kind);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * channels;
      if (constant) data[p] = Number(constant[1]);
      else if (kind === 'grey_ramp') data[p] = (7 * x + 13 * y) % 256;
      else if (kind === 'rgb_pattern') {
        data[p] = (3 * x + 5 * y) % 256;
        data[p + 1] = (11 * x + 2 * y) % 256;
        data[p + 2] = (x * x + y) % 256;
      } else throw new Error(`unknown synthetic kind ${kind}`);
    }
  }
  return { data, width, height, channels, colour: grey ? 'grey' : 'rgb' };
}

function expectCase(img: PixelImage, c: ReferenceCase): void {
  expect(hashOf(img, 'fullres')).toEqual(c.fullres);
  expect(hashOf(img, 'cli512nn')).toEqual(c.cli512nn);
  expect(dihedralOf(img)).toEqual(c.dihedral_fullres);
}

describe('reference core outputs: synthetic images', () => {
  const cases = Object.entries(ref.synthetic.cases);
  it('covers the documented edge cases', () => expect(cases.length).toBeGreaterThanOrEqual(11));
  it.each(cases)('%s', (_name, c) => expectCase(synthetic(c.kind, c.width, c.height), c));
});

describe('reference core outputs: every image file', () => {
  const images = Object.entries(ref.images);
  it('covers all 55 files', () => expect(images.length).toBe(55));
  it.each(images)('%s', async (name, c) => {
    // The full adapter path (probe, limits, decode, core) for the default mode…
    const viaAdapter = await hashPhoto(file(name), { ...decodeOpts, mode: 'fullres' });
    expect({ hash: viaAdapter.hash, quality: viaAdapter.quality }).toEqual(c.fullres);
    expect([viaAdapter.width, viaAdapter.height]).toEqual([c.width, c.height]);
    // …and the same pixels through the cli512nn squash and the dihedral entry point.
    expectCase(await decode(name), c);
  });
});

describe('values published in the reference repository (expected.json)', () => {
  const exact = Object.entries(expected.files).filter(([, e]) => e.reproduced_bit_exact === true);
  it('has the 28 bit-exact repository values', () => expect(exact.length).toBe(28));

  it.each(exact)('%s', async (name, e) => {
    expect(e.pipeline).toMatch(/^fullres/);
    const r = await hashPhoto(file(name), { ...decodeOpts, mode: 'fullres' });
    expect(r.hash).toBe(e.hash);
    if (e.quality !== null) expect(r.quality).toBe(e.quality);
  });

  const cliAlternates = Object.entries(expected.files).flatMap(([name, e]) =>
    (e.alternates ?? []).filter((a) => a.pipeline.startsWith('cli512nn') && a.reproduced_bit_exact).map((a) => [name, a.hash] as const),
  );
  it.each(cliAlternates)('%s in cli512nn mode (WASM CLI value)', async (name, hash) => {
    expect((await hashPhoto(file(name), { ...decodeOpts, mode: 'cli512nn' })).hash).toBe(hash);
  });

  it('I16.png matches only with the opt-in Pillow clamp (and the core value without it)', async () => {
    const e = expected.files['ptx-resources/I16.png'];
    const clamped = await hashPhoto(file('ptx-resources/I16.png'), { mode: 'fullres', maxPixels: 1e8, grey16: 'clamp' });
    expect({ hash: clamped.hash, quality: clamped.quality }).toEqual({ hash: e.hash, quality: e.quality });
    const plain = await hashPhoto(file('ptx-resources/I16.png'), { ...decodeOpts, mode: 'fullres' });
    expect(plain.hash).toBe(ref.images['ptx-resources/I16.png'].fullres.hash);
  });

  it('LA.png pixel-domain rotations (python-threatexchange) are reproduced', async () => {
    const img = await decode('ptx-resources/LA.png');
    const rotations = expected.files['ptx-resources/LA.png'].pixel_rotations?.hashes ?? {};
    expect(Object.keys(rotations)).toHaveLength(8);
    for (const [name, hash] of Object.entries(rotations)) {
      expect([name, hashOf(transform(img, name), 'fullres').hash]).toEqual([name, hash]);
    }
  });

  it('pairwise distances asserted by the Java tests', async () => {
    for (const p of expected._pairwise_distances) {
      const [a, b] = await Promise.all([p.a, p.b].map((n) => hashPhoto(file(n), { ...decodeOpts, mode: 'fullres' })));
      expect(hammingDistanceHex(a.hash, b.hash)).toBe(p.distance);
    }
  });

  it('hash-only distance pair from the HMA API test', () => {
    for (const p of expected._hash_only_pairs) expect(hammingDistanceHex(p.a, p.b)).toBe(p.distance);
  });
});

describe('DCT-domain dihedral hashes name the right image operations', () => {
  // docs/reference/pdq.md §5: each derived hash lies within 0–8 bits of hashing the actually transformed pixels.
  const files: Record<string, string> = {
    rotate90: 'bridge-2-rotate-90.jpg',
    rotate180: 'bridge-3-rotate-180.jpg',
    rotate270: 'bridge-4-rotate-270.jpg',
    flipx: 'bridge-5-flipx.jpg',
    flipy: 'bridge-6-flipy.jpg',
    flipplus1: 'bridge-7-flip-plus-1.jpg',
    flipminus1: 'bridge-8-flip-minus-1.jpg',
  };
  let derived: Record<string, string | number>;
  beforeAll(async () => {
    derived = dihedralOf(await decode('pdq-data/reg-test-input/dih/bridge-1-original.jpg'));
  });
  it.each(Object.entries(files))('%s', async (name, f) => {
    const actual = await hashPhoto(file(`pdq-data/reg-test-input/dih/${f}`), { ...decodeOpts, mode: 'fullres' });
    const d = hammingDistanceHex(String(derived[name]), actual.hash);
    expect(d).toBeLessThanOrEqual(8);
    // …and far from every other variant.
    for (const other of Object.keys(files)) {
      if (other !== name) expect(hammingDistanceHex(String(derived[other]), actual.hash)).toBeGreaterThan(40);
    }
  });
});

/** Lossless pixel transforms, named as python-threatexchange names them (rotate90 = counter-clockwise). */
function transform(img: PixelImage, name: string): PixelImage {
  const { width: w, height: h, channels: ch } = img;
  const swap = ['rotate90', 'rotate270', 'flipplus1', 'flipminus1'].includes(name);
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new Uint8Array(ow * oh * ch);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      // Source coordinates of output pixel (x, y).
      const [sx, sy] = (
        {
          original: [x, y],
          rotate90: [w - 1 - y, x],
          rotate180: [w - 1 - x, h - 1 - y],
          rotate270: [y, h - 1 - x],
          flipx: [x, h - 1 - y],
          flipy: [w - 1 - x, y],
          flipplus1: [y, x],
          flipminus1: [w - 1 - y, h - 1 - x],
        } as Record<string, [number, number]>
      )[name];
      out.set(img.data.subarray((sy * w + sx) * ch, (sy * w + sx + 1) * ch), (y * ow + x) * ch);
    }
  }
  return { ...img, data: out, width: ow, height: oh };
}
