/**
 * The filtering steps of a lookup (docs/reference/hma-api.md §1.5 steps 2–5) over raw index matches joined with
 * their content and bank: drop disabled content, drop banks the coinflip excludes, keep only
 * the requested banks. The one place this rule lives: LookupService applies it to every
 * /m/lookup, UI and pipeline lookup; `/m/raw_lookup` applies none of it.
 */
import { bankTakesPart } from './coinflip.js';
import { isContentEnabled } from '../replica/content-enabled.js';

export interface LookupCandidate {
  readonly bank: { readonly name: string; readonly ratio: number };
  /** docs/reference/hma-api.md §2.8 value: null/1 = enabled, 0 = disabled indefinitely, else epoch seconds. */
  readonly disableUntil: number | null;
}

export interface LookupRuleOptions {
  /** The lookup's draw (drawCoinflip); 0 when bypassed. */
  readonly coinflip: number;
  readonly nowSeconds: number;
  /** Bank names the caller asked for; undefined = all banks. */
  readonly banks?: readonly string[] | undefined;
}

export function passesLookupRules(c: LookupCandidate, options: LookupRuleOptions): boolean {
  return (
    isContentEnabled(c.disableUntil, options.nowSeconds) &&
    bankTakesPart(c.bank.ratio, options.coinflip) &&
    (options.banks === undefined || options.banks.includes(c.bank.name))
  );
}

/** The candidates that pass, in their order. */
export function applyLookupRules<C extends LookupCandidate>(candidates: readonly C[], options: LookupRuleOptions): C[] {
  return candidates.filter((c) => passesLookupRules(c, options));
}

/**
 * The threshold a bank's content matches at in one lookup: the bank's own for the signal type,
 * narrowed (never widened) by the request's; without one of its own, the request's or the default.
 */
export function bankThreshold(own: number | undefined, requested: number | undefined, defaultThreshold: number): number {
  if (own === undefined) return requested ?? defaultThreshold;
  return requested === undefined ? own : Math.min(own, requested);
}
