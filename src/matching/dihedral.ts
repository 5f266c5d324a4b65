/**
 * Dihedral lookup: a query matches stored content within the radius of any of its
 * rotation/flip variants (computed by src/signals/pdq, passed in its order: original,
 * rotate90, rotate180, rotate270, flipX, flipY, flipPlus1, flipMinus1). Each stored entry
 * is reported once, with its closest variant (the earliest on ties).
 */
export interface VariantMatch<V, M> {
  readonly match: M;
  readonly variant: V;
}

export function bestOverVariants<V, M extends { readonly distance: number }>(
  variants: readonly V[],
  query: (variant: V) => readonly M[],
  entryId: (match: M) => number,
): VariantMatch<V, M>[] {
  const best = new Map<number, VariantMatch<V, M>>();
  for (const variant of variants) {
    for (const match of query(variant)) {
      const seen = best.get(entryId(match));
      if (seen === undefined || match.distance < seen.match.distance) best.set(entryId(match), { match, variant });
    }
  }
  return [...best.values()];
}
