/**
 * Dihedral lookup: a query matches a stored hash within the radius of any of its rotation/flip
 * variants. The variants are computed by the hashing code (src/signals/pdq) and passed in, in
 * its order (original, rotate90, rotate180, rotate270, flipX, flipY, flipPlus1, flipMinus1).
 */
import { invalidInput } from '../errors/errors.js';
import type { PdqIndex } from './pdq-index.js';
import type { KeyInput } from './types.js';

export interface DihedralMatch {
  readonly id: number;
  readonly distance: number;
  /** Position in the given variants of the closest one (the earliest on ties). */
  readonly variant: number;
}

export const DIHEDRAL_VARIANTS = 8;

/** Best match per entry over all variants; each entry appears once. */
export function queryDihedral(index: PdqIndex, variants: readonly KeyInput[], radius = 31): DihedralMatch[] {
  if (!Array.isArray(variants) || variants.length === 0 || variants.length > DIHEDRAL_VARIANTS) {
    throw invalidInput(`expected 1..${DIHEDRAL_VARIANTS} variant hashes`, { count: Array.isArray(variants) ? variants.length : null });
  }
  const best = new Map<number, DihedralMatch>();
  variants.forEach((hash, variant) => {
    for (const m of index.query(hash, radius)) {
      const seen = best.get(m.id);
      if (seen === undefined || m.distance < seen.distance) best.set(m.id, { id: m.id, distance: m.distance, variant });
    }
  });
  return [...best.values()];
}
