import { describe, expect, it } from 'vitest';
import { PdqIndex } from '../../src/index/pdq-index.js';
import { bestOverVariants } from '../../src/matching/dihedral.js';
import type { KeyInput } from '../../src/index/types.js';
import { flip, randomHash, rng } from '../index/support.js';

/** Best match per index entry over the given variant hashes, naming the variant by position. */
function queryDihedral(index: PdqIndex, variants: readonly KeyInput[], radius: number) {
  return bestOverVariants(
    variants.map((hash, position) => ({ hash, position })),
    (v) => index.query(v.hash, radius),
    (m) => m.id,
  ).map(({ match, variant }) => ({ id: match.id, distance: match.distance, variant: variant.position }));
}

describe('bestOverVariants (dihedral lookup)', () => {
  it('returns each entry once, with the closest variant (earliest on ties)', () => {
    const next = rng(3);
    const variants = Array.from({ length: 8 }, () => randomHash(next));
    const index = new PdqIndex();
    index.add(1, flip(variants[5], 4, next)); // only near variant 5
    index.add(2, variants[2]); // exactly variant 2
    index.add(3, randomHash(next)); // near nothing
    const same = flip(variants[0], 6, next);
    index.add(4, same);
    const got = queryDihedral(index, [...variants.slice(0, 7), same], 31).sort((a, b) => a.id - b.id);
    expect(got).toEqual([
      { id: 1, distance: 4, variant: 5 },
      { id: 2, distance: 0, variant: 2 },
      { id: 4, distance: 0, variant: 7 },
    ]);
    // A tie between variants keeps the earliest.
    const tie = queryDihedral(index, [variants[2], variants[2]], 0);
    expect(tie).toEqual([{ id: 2, distance: 0, variant: 0 }]);
  });

  it('finds nothing without variants', () => {
    expect(queryDihedral(new PdqIndex(), [], 31)).toEqual([]);
  });
});
