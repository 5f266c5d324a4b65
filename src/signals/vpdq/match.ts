/**
 * The vPDQ video match rule (docs/reference/pdq.md §8.2–8.4): each side is a bag of frame hashes; count the
 * query hashes within distance of any compared hash and vice versa, as percentages of each
 * side's kept frames. The references disagree on details, so every one is an option; the
 * defaults are python-threatexchange's (the deployed path).
 */
import { hammingDistance, hexToHash256, type Hash256 } from '../pdq/hash256.js';
import type { VpdqCompactFeature } from './signal.js';

export interface VpdqMatchOptions {
  /** Frame distance threshold (31). */
  readonly distance: number;
  /** `≤ distance` (python-threatexchange) or `< distance` (the C++ tools). */
  readonly inclusive: boolean;
  /** Frames below this quality are ignored (50). */
  readonly qualityMin: number;
  /** Minimum percentage of query frames matched (python-threatexchange 80; the vPDQ README 0). */
  readonly queryMatchPercent: number;
  /** Minimum percentage of compared frames matched (python-threatexchange 0; the vPDQ README 80). */
  readonly comparedMatchPercent: number;
  /**
   * Exact-duplicate removal: before the quality filter (python-threatexchange brute matcher),
   * after it (its index), or not at all (the C++ matchers).
   */
  readonly dedupe: 'before_filter' | 'after_filter' | 'none';
}

export const PYTX_VPDQ_MATCH: VpdqMatchOptions = {
  distance: 31,
  inclusive: true,
  qualityMin: 50,
  queryMatchPercent: 80,
  comparedMatchPercent: 0,
  dedupe: 'before_filter',
};

export interface VpdqMatchResult {
  readonly queryMatchPercent: number;
  readonly comparedMatchPercent: number;
  readonly isMatch: boolean;
}

function prepare(features: readonly VpdqCompactFeature[], opts: VpdqMatchOptions): Hash256[] {
  const unique = (fs: readonly VpdqCompactFeature[]) => {
    const seen = new Set<string>();
    return fs.filter((f) => !seen.has(f.hash) && (seen.add(f.hash), true));
  };
  let kept = opts.dedupe === 'before_filter' ? unique(features) : [...features];
  kept = kept.filter((f) => f.quality >= opts.qualityMin);
  if (opts.dedupe === 'after_filter') kept = unique(kept);
  return kept.map((f) => hexToHash256(f.hash));
}

function countMatched(from: readonly Hash256[], to: readonly Hash256[], limit: number): number {
  let matched = 0;
  for (const a of from) {
    for (const b of to) {
      if (hammingDistance(a, b) <= limit) {
        matched++;
        break;
      }
    }
  }
  return matched;
}

/** Compares two videos' frames. A side with no usable frame gives 0 % (the C++ behaviour). */
export function matchVpdq(
  query: readonly VpdqCompactFeature[],
  compared: readonly VpdqCompactFeature[],
  opts: VpdqMatchOptions = PYTX_VPDQ_MATCH,
): VpdqMatchResult {
  const q = prepare(query, opts);
  const c = prepare(compared, opts);
  const limit = opts.inclusive ? opts.distance : opts.distance - 1;
  const queryMatchPercent = q.length === 0 || c.length === 0 ? 0 : (100 * countMatched(q, c, limit)) / q.length;
  const comparedMatchPercent = q.length === 0 || c.length === 0 ? 0 : (100 * countMatched(c, q, limit)) / c.length;
  const isMatch =
    q.length > 0 &&
    c.length > 0 &&
    queryMatchPercent >= opts.queryMatchPercent &&
    comparedMatchPercent >= opts.comparedMatchPercent;
  return { queryMatchPercent, comparedMatchPercent, isMatch };
}
