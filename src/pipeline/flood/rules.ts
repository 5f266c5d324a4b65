/**
 * Flood quarantine rules (pure): which bank content a batch of match results counts
 * against, in which minute, and when an entry's recent matches make it a flood.
 */
import type { MatchResultValue } from '../../kafka/values.js';

export const BUCKET_MS = 60_000;

export interface FloodLimits {
  /** The sliding window, in ms (whole minutes). */
  readonly windowMs: number;
  /** Matches in the window must exceed this… */
  readonly maxMatches: number;
  /** …and this many times the entry's baseline (its average matches per window before it). */
  readonly baselineFactor: number;
  /** How far back before the window the baseline looks, in ms. */
  readonly baselineMs: number;
}

/** One entry's matches in one minute. */
export interface BucketCount {
  readonly contentId: number;
  readonly bankId: number;
  /** Start of the minute, epoch ms. */
  readonly bucket: number;
  matches: number;
}

export const bucketOf = (epochMs: number): number => Math.floor(epochMs / BUCKET_MS) * BUCKET_MS;

/**
 * Match counts per (entry, minute) of some results, by event time (matched_at). A result
 * counts once per entry however many of its signals matched that entry. Sorted by entry
 * and minute, so concurrent counters lock bucket rows in one order (no deadlocks).
 */
export function countMatches(results: readonly MatchResultValue[]): BucketCount[] {
  const counts = new Map<string, BucketCount>();
  for (const r of results) {
    const bucket = bucketOf(r.timings.matched_at);
    const seen = new Set<number>();
    for (const m of r.matches) {
      if (seen.has(m.bank_content_id)) continue;
      seen.add(m.bank_content_id);
      const key = `${m.bank_content_id}:${bucket}`;
      const c = counts.get(key);
      if (c) c.matches++;
      else counts.set(key, { contentId: m.bank_content_id, bankId: m.bank_id, bucket, matches: 1 });
    }
  }
  return [...counts.values()].sort((a, b) => a.contentId - b.contentId || a.bucket - b.bucket);
}

/** Whether `windowMatches` in the window is a flood against a baseline of `baselinePerWindow` (absolute AND relative). */
export function isFlood(windowMatches: number, baselinePerWindow: number, limits: FloodLimits): boolean {
  return windowMatches > limits.maxMatches && windowMatches > limits.baselineFactor * baselinePerWindow;
}
