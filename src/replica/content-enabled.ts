/**
 * Whether bank content takes part in lookups, from its disable_until_ts (epoch seconds), per
 * docs/reference/hma-api.md §2.8: null (never set) or 1 → enabled; 0 → disabled indefinitely; any other value → disabled
 * until that instant, enabled once now ≥ it. Disabled content stays in the indexes and is
 * filtered at lookup time, so enabling it again needs no index change.
 */
export const DISABLED_INDEFINITELY = 0;

export function isContentEnabled(disableUntilTs: number | null | undefined, nowSeconds: number): boolean {
  if (disableUntilTs === null || disableUntilTs === undefined) return true;
  if (disableUntilTs === DISABLED_INDEFINITELY) return false;
  return nowSeconds >= disableUntilTs;
}
