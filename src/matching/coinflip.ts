/**
 * Bank rollout coinflip (docs/reference/hma-api.md §2.2). One draw c in [0, 1) per lookup call (per signal type),
 * shared by every bank; a bank takes part iff matching_enabled_ratio ≥ c, so inclusion is
 * nested (a bank with ratio r is seen whenever any bank with a smaller ratio is).
 *  - bypass → c = 0: every bank, ratio 0 included.
 *  - seed (any string, e.g. the caller's content id) → c = Python random.Random(seed).random(),
 *    identical to HMA for the same seed (see python-random.ts), so a decision is repeatable.
 *  - neither → a fresh random draw.
 */
import { MersenneTwister } from './python-random.js';

export interface CoinflipOptions {
  readonly seed?: string | undefined;
  readonly bypass?: boolean | undefined;
}

export function drawCoinflip(options: CoinflipOptions = {}, random: () => number = Math.random): number {
  if (options.bypass === true) return 0;
  if (options.seed !== undefined) return MersenneTwister.fromPythonSeed(options.seed).random();
  return random();
}

/** Whether a bank with this ratio takes part in a lookup that drew `coinflip`. */
export function bankTakesPart(matchingEnabledRatio: number, coinflip: number): boolean {
  return matchingEnabledRatio >= coinflip;
}
