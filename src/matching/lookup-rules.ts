/**
 * The filtering steps of a lookup (docs/reference/hma-api.md §1.5 steps 2–5) over raw index matches that the caller
 * has joined with their content and bank: drop disabled content, drop banks the coinflip
 * excludes, keep only the requested banks, group by bank name (first-seen order).
 * `/m/raw_lookup` applies none of this.
 */
import { bankTakesPart } from './coinflip.js';
import { isContentEnabled } from './content-enabled.js';

export interface LookupCandidate {
  readonly bankName: string;
  readonly matchingEnabledRatio: number;
  readonly disableUntilTs: number | null;
}

export interface LookupRuleOptions {
  /** The lookup's draw (drawCoinflip). */
  readonly coinflip: number;
  readonly nowSeconds: number;
  /** Bank names the caller asked for; undefined = all banks. */
  readonly banks?: ReadonlySet<string> | undefined;
}

export function applyLookupRules<C extends LookupCandidate>(candidates: readonly C[], options: LookupRuleOptions): Map<string, C[]> {
  const byBank = new Map<string, C[]>();
  for (const c of candidates) {
    if (!isContentEnabled(c.disableUntilTs, options.nowSeconds)) continue;
    if (!bankTakesPart(c.matchingEnabledRatio, options.coinflip)) continue;
    if (options.banks !== undefined && !options.banks.has(c.bankName)) continue;
    const list = byBank.get(c.bankName);
    if (list === undefined) byBank.set(c.bankName, [c]);
    else list.push(c);
  }
  return byBank;
}
