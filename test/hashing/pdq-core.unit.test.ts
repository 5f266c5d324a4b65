/** Unit properties of the PDQ core that the vectors exercise only indirectly. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DCT_MATRIX } from '../../src/signals/pdq/dct.js';
import { DIHEDRAL_NAMES, dihedralCoefficients } from '../../src/signals/pdq/dihedral.js';
import {
  emptyHash256,
  getBit,
  hammingDistance,
  hammingDistanceHex,
  hash256ToHex,
  hexToHash256,
  popcount32,
} from '../../src/signals/pdq/hash256.js';
import { PdqHasher } from '../../src/signals/pdq/hasher.js';
import { thresholdAtMedian } from '../../src/signals/pdq/threshold.js';
import { naiveHamming } from './testdata.js';

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

describe('hex encoding and bit order (docs/reference/pdq.md §3.7)', () => {
  it('only B[0][0] above the median → the string ends in 0001; only B[15][15] → starts 8000', () => {
    const first = new Float32Array(256).fill(-1);
    first[0] = 1;
    expect(hash256ToHex(thresholdAtMedian(first, new Float32Array(256), emptyHash256()))).toBe('0'.repeat(63) + '1');
    const last = new Float32Array(256).fill(-1);
    last[255] = 1;
    expect(hash256ToHex(thresholdAtMedian(last, new Float32Array(256), emptyHash256()))).toBe('8' + '0'.repeat(63));
  });

  it('bit k lives in hex character 63 − ⌊k/4⌋ with weight 2^(k mod 4)', () => {
    for (let k = 0; k < 256; k++) {
      const h = emptyHash256();
      h[k >>> 5] = (1 << (k & 31)) >>> 0;
      const s = hash256ToHex(h);
      expect(s[63 - (k >> 2)]).toBe((1 << (k & 3)).toString(16));
      expect(getBit(hexToHash256(s), k)).toBe(1);
    }
  });

  it('round-trips', () => fc.assert(fc.property(hex64, (s) => hash256ToHex(hexToHash256(s)) === s)));

  it('values equal to the median give 0, so at most 128 bits are set', () => {
    const bits = (b: Float32Array) => hammingDistance(thresholdAtMedian(b, new Float32Array(256), emptyHash256()), emptyHash256());
    expect(bits(new Float32Array(256).fill(7))).toBe(0);
    expect(bits(new Float32Array(256).map((_, i) => i % 2))).toBe(128);
    expect(bits(new Float32Array(256).map((_, i) => (i < 200 ? 5 : 9)))).toBe(56);
    expect(bits(new Float32Array(256).map((_, i) => i))).toBe(128);
  });
});

describe('Hamming distance without BigInt', () => {
  it('popcount32 of every single bit and of all ones', () => {
    for (let i = 0; i < 32; i++) expect(popcount32((1 << i) >>> 0)).toBe(1);
    expect(popcount32(0xffffffff)).toBe(32);
  });
  it('matches a per-digit count', () =>
    fc.assert(fc.property(hex64, hex64, (a, b) => hammingDistanceHex(a, b) === naiveHamming(a, b))));
  it('is 0..256 and symmetric', () => {
    expect(hammingDistanceHex('0'.repeat(64), 'f'.repeat(64))).toBe(256);
    fc.assert(fc.property(hex64, hex64, (a, b) => hammingDistanceHex(a, b) === hammingDistanceHex(b, a)));
  });
});

describe('DCT matrix (docs/reference/pdq.md §3.6)', () => {
  it('is the stored table (guards against a Math.cos that rounds differently)', () => {
    const sha = createHash('sha256').update(new Uint8Array(DCT_MATRIX.buffer)).digest('hex');
    expect(sha).toBe('db354678fc6c99b7d442c35d8e89b002b71cb35eff6ae436c5f36392277a83c8');
  });
  it('has rows of unit norm (an orthonormal DCT-II basis without the DC term)', () => {
    for (let r = 0; r < 16; r++) {
      let s = 0;
      for (let k = 0; k < 64; k++) s += DCT_MATRIX[r * 64 + k] ** 2;
      expect(s).toBeCloseTo(1, 5);
    }
  });
});

describe('precision rules (docs/reference/pdq.md §4)', () => {
  it('division as s·(1/n) rounds exactly like the float32 quotient', () => {
    // The box filter relies on this; see the proof in box-filter.ts.
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    fc.assert(
      fc.property(fc.integer({ min: 0x00800000, max: 0x7f7fffff }), fc.integer({ min: 1, max: 1 << 17 }), (bits, n) => {
        u32[0] = bits;
        const s = f32[0];
        return Math.fround(s / n) === Math.fround(s * (1 / n));
      }),
      { numRuns: 200_000 },
    );
  });
});

describe('dihedral coefficient rules (docs/reference/pdq.md §5)', () => {
  const b = Float32Array.from({ length: 256 }, (_, i) => Math.sin(i * 1.7) * 100);
  const apply = (name: (typeof DIHEDRAL_NAMES)[number], m: Float32Array) => {
    const out = new Float32Array(256);
    dihedralCoefficients(m, name, out);
    return out;
  };
  it('mirrors are involutions and four quarter turns are the identity', () => {
    for (const n of ['flipx', 'flipy', 'flipplus1', 'flipminus1', 'rotate180'] as const) expect(apply(n, apply(n, b))).toEqual(b);
    expect(apply('rotate90', apply('rotate90', apply('rotate90', apply('rotate90', b))))).toEqual(b);
    expect(apply('rotate90', apply('rotate270', b))).toEqual(b);
    expect(apply('rotate90', apply('rotate90', b))).toEqual(apply('rotate180', b));
  });
  it('all 8 hashes share one quality and the original equals the plain hash off the 64x64 shortcut', () => {
    const img = { data: Uint8Array.from({ length: 100 * 80 * 3 }, (_, i) => (i * 31) % 251), width: 100, height: 80, channels: 3, colour: 'rgb' as const };
    const h = new PdqHasher();
    const d = h.hashDihedral(img);
    expect(Object.keys(d.hashes)).toEqual([...DIHEDRAL_NAMES]);
    const plain = h.hash(img);
    expect(hash256ToHex(d.hashes.original)).toBe(hash256ToHex(plain.hash));
    expect(d.quality).toBe(plain.quality);
  });
});

describe('degenerate sizes (docs/reference/pdq.md §3.2)', () => {
  it('under 5 rows or columns gives the zero hash with quality 0', () => {
    const h = new PdqHasher();
    for (const [w, ht] of [[4, 100], [100, 4], [0, 0]]) {
      const r = h.hash({ data: new Uint8Array(w * ht * 3).fill(200), width: w, height: ht, channels: 3, colour: 'rgb' });
      expect([hash256ToHex(r.hash), r.quality]).toEqual(['0'.repeat(64), 0]);
    }
  });
  it('refuses a pixel buffer that is too short', () => {
    expect(() => new PdqHasher().hash({ data: new Uint8Array(10), width: 10, height: 10, channels: 3, colour: 'rgb' })).toThrow(RangeError);
  });
});
