/** Provenance on match results: tags read from any exchange's record metadata; a database outage never holds results back. */
import { describe, expect, it } from 'vitest';
import { recordTags } from '../../src/curation/provenance.js';
import type { MatchResultValue } from '../../src/kafka/values.js';
import { withProvenance } from '../../src/pipeline/matcher/provenance.js';
import { matcherMetrics } from '../../src/pipeline/matcher/metrics.js';

describe('recordTags', () => {
  it('reads top-level tags and the tags of opinion/feedback lists, each once, sorted', () => {
    expect(recordTags({ tags: ['b', 'a'] })).toEqual(['a', 'b']);
    expect(recordTags({ tags: 'x; y;' })).toEqual(['x', 'y']);
    expect(recordTags({ opinions: [{ tags: ['csam'] }, { tags: ['csam', 'ncii'] }], other: [1, 'two'] })).toEqual(['csam', 'ncii']);
    expect(recordTags({ esp_id: 4, entry_id: 'e' })).toEqual([]);
  });
});

const result = (ids: number[]): MatchResultValue => ({
  submission_id: 's', content_id: 'c', content_type: 'photo', matched: ids.length > 0, metadata: null, trace_id: null, submitted_at: 1,
  matches: ids.map((id) => ({ bank_id: 1, bank_name: 'B', bank_content_id: id, signal_type: 'pdq', distance: 0, bank_labels: [], provenance: null })),
  suppressed: [], index_positions: {}, timings: { hashed_at: 1, match_ms: 0, matched_at: 2 },
});

describe('withProvenance', () => {
  const p = { exchange: 'NCMEC', exchange_type: 'ncmec', record_id: '1-2', tags: ['csam'] };

  it('fills the provenance of exchange content and leaves the rest null', async () => {
    const out = await withProvenance(result([7, 8]), async (ids) => new Map(ids.filter((i) => i === 7).map((i) => [i, p])));
    expect(out.matches.map((m) => m.provenance)).toEqual([p, null]);
  });

  it('asks nothing for a result without matches', async () => {
    const r = result([]);
    expect(await withProvenance(r, () => Promise.reject(new Error('asked')))).toBe(r);
  });

  it('publishes without provenance, counted, when the database cannot be read', async () => {
    const before = (await matcherMetrics.provenanceUnavailable.get()).values[0]?.value ?? 0;
    const out = await withProvenance(result([7]), () => Promise.reject(new Error('connection refused')));
    expect(out.matches[0]!.provenance).toBeNull();
    expect((await matcherMetrics.provenanceUnavailable.get()).values[0]?.value).toBe(before + 1);
  });
});
