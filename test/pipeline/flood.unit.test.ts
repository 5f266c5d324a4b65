/** Flood quarantine rules: per-minute counts by event time, once per result and entry; absolute AND relative limits. */
import { describe, expect, it } from 'vitest';
import type { MatchResultValue } from '../../src/kafka/values.js';
import { BUCKET_MS, countMatches, isFlood } from '../../src/pipeline/flood/rules.js';

const T = Date.UTC(2026, 11, 3, 10, 0, 0);
const result = (matchedAt: number, entries: Array<[contentId: number, bankId: number]>): MatchResultValue => ({
  submission_id: 's', content_id: 'c', content_type: 'photo', matched: entries.length > 0, suppressed: [], index_positions: {},
  matches: entries.map(([id, bank]) => ({ bank_id: bank, bank_name: 'B', bank_content_id: id, signal_type: 'pdq', distance: 0, bank_labels: [], provenance: null })),
  trace_id: null, metadata: null, submitted_at: 0, timings: { hashed_at: 0, match_ms: 0, matched_at: matchedAt },
});

describe('flood counting', () => {
  it('counts each entry once per result, per minute of matched_at, sorted by entry then minute', () => {
    const counts = countMatches([
      result(T + 5_000, [[7, 1], [7, 1], [3, 2]]), // two signals matching entry 7 count once
      result(T + 59_999, [[7, 1]]),
      result(T + BUCKET_MS, [[7, 1]]),
      result(T, []),
    ]);
    expect(counts).toEqual([
      { contentId: 3, bankId: 2, bucket: T, matches: 1 },
      { contentId: 7, bankId: 1, bucket: T, matches: 2 },
      { contentId: 7, bankId: 1, bucket: T + BUCKET_MS, matches: 1 },
    ]);
  });

  it('is a flood only past the absolute limit and past the factor times the baseline', () => {
    const limits = { windowMs: 600_000, maxMatches: 100, baselineFactor: 10, baselineMs: 86_400_000 };
    expect(isFlood(100, 0, limits)).toBe(false); // not past the absolute limit
    expect(isFlood(101, 0, limits)).toBe(true); // a new entry: any baseline is exceeded
    expect(isFlood(500, 50, limits)).toBe(false); // busy, but its usual busy
    expect(isFlood(501, 50, limits)).toBe(true);
  });
});
