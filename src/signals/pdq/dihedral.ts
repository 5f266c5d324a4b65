/**
 * The 8 dihedral variants of a PDQ hash derived from one DCT matrix, without touching pixels
 * (docs/reference/pdq.md §5). Mirroring the image negates the odd-frequency coefficient rows/columns (even
 * 0-based index); a quarter turn is a transpose plus one mirror. The median is recomputed for
 * each variant. These approximate, but do not equal, hashes of actually transformed pixels.
 */
import { emptyHash256, type Hash256 } from './hash256.js';
import { thresholdAtMedian } from './threshold.js';

/** Names as python-threatexchange spells them; rotate90 is counter-clockwise, flipx is top↔bottom. */
export const DIHEDRAL_NAMES = [
  'original',
  'rotate90',
  'rotate180',
  'rotate270',
  'flipx',
  'flipy',
  'flipplus1',
  'flipminus1',
] as const;
export type DihedralName = (typeof DIHEDRAL_NAMES)[number];

interface Rule {
  readonly transpose: boolean;
  /** Whether B[r][c] is negated, from its source indices. */
  readonly negate: (r: number, c: number) => boolean;
}

const even = (v: number) => (v & 1) === 0;
const RULES: Readonly<Record<DihedralName, Rule>> = {
  original: { transpose: false, negate: () => false },
  rotate90: { transpose: true, negate: (_r, c) => even(c) },
  rotate180: { transpose: false, negate: (r, c) => !even(r + c) },
  rotate270: { transpose: true, negate: (r) => even(r) },
  flipx: { transpose: false, negate: (r) => even(r) },
  flipy: { transpose: false, negate: (_r, c) => even(c) },
  flipplus1: { transpose: true, negate: () => false },
  flipminus1: { transpose: true, negate: (r, c) => !even(r + c) },
};

/** Writes the coefficient matrix of variant `name` of `b` into `out`. */
export function dihedralCoefficients(b: Float32Array, name: DihedralName, out: Float32Array): void {
  const rule = RULES[name];
  for (let r = 0; r < 16; r++) {
    for (let c = 0; c < 16; c++) {
      const v = rule.negate(r, c) ? -b[r * 16 + c] : b[r * 16 + c];
      out[rule.transpose ? c * 16 + r : r * 16 + c] = v;
    }
  }
}

/** All 8 hashes from one coefficient matrix. */
export function dihedralHashes(b: Float32Array): Record<DihedralName, Hash256> {
  const variant = new Float32Array(256);
  const scratch = new Float32Array(256);
  const out = {} as Record<DihedralName, Hash256>;
  for (const name of DIHEDRAL_NAMES) {
    dihedralCoefficients(b, name, variant);
    out[name] = thresholdAtMedian(variant, scratch, emptyHash256());
  }
  return out;
}
