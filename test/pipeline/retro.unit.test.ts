/**
 * The retro-matcher's pure core: the recent-content store (indexes, fields, forward state,
 * eviction with slot reuse) and the decision for one signal change (already matched by
 * position or entry, undecided without a forward result, lookup rules).
 */
import { describe, expect, it } from 'vitest';
import type { ContentHashedValue, MatchResultValue, SignalChangeValue } from '../../src/kafka/values.js';
import { drawCoinflip } from '../../src/matching/coinflip.js';
import { RecentContent, entryKey } from '../../src/pipeline/retro/recent-content.js';
import { decideRetro, type RetroBank } from '../../src/pipeline/retro/retro-match.js';
import { newIndexFor } from '../../src/processes/signal-types.js';

const H = 'f'.repeat(64);
const H_NEAR = `${'f'.repeat(63)}0`; // 4 bits away
const FAR = '0'.repeat(64);
const MD5 = '0123456789abcdef0123456789abcdef';

const recentStore = () =>
  new RecentContent(
    new Map([
      ['pdq', newIndexFor('pdq')],
      ['video_md5', newIndexFor('video_md5')],
    ]),
  );

const hashed = (id: string, signals: Array<[string, string]>, hashedAt = 1000): ContentHashedValue => ({
  submission_id: `sub-${id}`,
  content_id: id,
  content_type: 'photo',
  signals: signals.map(([signal_type, value]) => ({ signal_type, value, quality: null })),
  hasher_version: 't',
  trace_id: `trace-${id}`,
  metadata: { k: 'v' },
  submitted_at: hashedAt - 10,
  timings: { fetch_ms: 0, hash_ms: 1, hashed_at: hashedAt },
});

const forward = (id: string, positions: Record<string, number>, matches: Array<[string, number]> = []): MatchResultValue => ({
  submission_id: `sub-${id}`,
  content_id: id,
  content_type: 'photo',
  matched: matches.length > 0,
  matches: matches.map(([signal_type, bank_content_id]) => ({ bank_id: 1, bank_name: 'B', bank_content_id, signal_type, distance: 0, bank_labels: [], provenance: null })),
  suppressed: [], index_positions: positions,
  trace_id: null,
  metadata: null,
  submitted_at: 0,
  timings: { hashed_at: 0, match_ms: 0, matched_at: 0 },
});

const change = (type: string, entry: number, value: string, seq: number, disable: number | null = null): SignalChangeValue => ({
  signal_type: type,
  content_id: entry,
  bank_id: 1,
  value,
  disable_until_ts: disable,
  change_seq: seq,
  changed_at: 0,
});

const bank: RetroBank = { id: 1, name: 'BANK', ratio: 1, labels: ['l'] };

describe('retroactive matching, pure', () => {
  it('matches content the forward matcher decided without the change, once per content', () => {
    const r = recentStore();
    r.addHashed(hashed('old', [['pdq', H_NEAR]]));
    r.addResult(forward('old', { pdq: 5 }));
    r.addHashed(hashed('far', [['pdq', FAR]]));
    r.addResult(forward('far', { pdq: 5 }));
    const d = decideRetro(change('pdq', 77, H, 10), bank, r, 31, 5000);
    expect(d.hits).toHaveLength(1);
    const res = d.hits[0].result;
    expect(res).toMatchObject({
      submission_id: 'sub-old',
      content_id: 'old',
      matched: true,
      trace_id: 'trace-old',
      metadata: { k: 'v' },
      submitted_at: 990,
      suppressed: [], index_positions: { pdq: 10 },
      retroactive: { signal_type: 'pdq', bank_id: 1, bank_content_id: 77, change_seq: 10 },
    });
    expect(res.matches).toEqual([{ bank_id: 1, bank_name: 'BANK', bank_content_id: 77, signal_type: 'pdq', distance: 4, bank_labels: ['l'], quarantined: false, provenance: null }]);
    expect(res.timings.hashed_at).toBe(1000);
    // Marked (as the process does), the same entry published again matches nothing more.
    r.markMatched(d.hits[0].slot, entryKey('pdq', 77));
    expect(decideRetro(change('pdq', 77, H, 11), bank, r, 31).hits).toHaveLength(0);
  });

  it('leaves content already covered: forward position at or past the change, or already matched to the entry', () => {
    const r = recentStore();
    r.addHashed(hashed('after', [['pdq', H]]));
    r.addResult(forward('after', { pdq: 10 }));
    r.addHashed(hashed('matched', [['pdq', H]]));
    r.addResult(forward('matched', { pdq: 3 }, [['pdq', 77]]));
    r.addHashed(hashed('retro-before', [['pdq', H]]));
    r.addResult(forward('retro-before', { pdq: 3 }));
    r.addResult({ ...forward('retro-before', { pdq: 9 }, [['pdq', 77]]), retroactive: { signal_type: 'pdq', bank_id: 1, bank_content_id: 77, change_seq: 9 } });
    const d = decideRetro(change('pdq', 77, H, 10), bank, r, 31);
    expect(d.hits).toHaveLength(0);
    expect(d.covered).toBe(3);
    // A retroactive result does not move the forward position.
    const slot = r.query('pdq', H, 0).find((q) => r.fields(q.slot).content_id === 'retro-before')!.slot;
    expect(r.forward(slot, 'pdq', entryKey('pdq', 1)).position).toBe(3);
  });

  it('reports content without a forward result as undecided, and a result read before its content counts', () => {
    const r = recentStore();
    r.addHashed(hashed('pending', [['pdq', H]]));
    r.addResult(forward('early', { pdq: 2 }));
    r.addHashed(hashed('early', [['video_md5', MD5]]));
    const d = decideRetro(change('pdq', 1, H, 10), bank, r, 31);
    expect(d.undecided).toHaveLength(1);
    expect(d.hits).toHaveLength(0);
    // 'early' was matched without video_md5 (not indexed by the forward matcher): decided, not matched.
    const md5 = decideRetro(change('video_md5', 2, MD5, 10), bank, r, 0);
    expect(md5.hits.map((h) => h.result.content_id)).toEqual(['early']);
    expect(md5.hits[0].result.matches[0].distance).toBe(0);
  });

  it('applies the matcher\'s lookup rules: disabled content and the coinflip seeded by the content id', () => {
    const r = recentStore();
    const ids = Array.from({ length: 40 }, (_, i) => `c${i}`);
    for (const id of ids) {
      r.addHashed(hashed(id, [['pdq', H]]));
      r.addResult(forward(id, { pdq: 1 }));
    }
    expect(decideRetro(change('pdq', 5, H, 10, 0), bank, r, 31).hits).toHaveLength(0);
    const half = decideRetro(change('pdq', 5, H, 10), { ...bank, ratio: 0.5 }, r, 31);
    const expected = ids.filter((id) => 0.5 >= drawCoinflip({ seed: id })).sort();
    expect(half.hits.map((h) => h.result.content_id).sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(ids.length);
  });

  it('evicts content older than the window, oldest first, and reuses its slots', () => {
    const r = recentStore();
    for (let i = 0; i < 3000; i++) r.addHashed(hashed(`e${i}`, [['pdq', i % 2 === 0 ? H : FAR]], 1000 + i));
    expect(r.size).toBe(3000);
    expect(r.evictOlderThan(2000)).toBe(1000);
    expect(r.size).toBe(2000);
    expect(r.query('pdq', H, 0)).toHaveLength(1000);
    for (let i = 0; i < 1000; i++) r.addHashed(hashed(`n${i}`, [['pdq', H]], 5000 + i));
    expect(r.size).toBe(3000);
    const found = r.query('pdq', H, 0).map((q) => r.fields(q.slot).content_id);
    expect(found).toHaveLength(2000);
    expect(found.filter((id) => id.startsWith('e')).every((id) => Number(id.slice(1)) >= 1000)).toBe(true);
    // A repeated hashed event (a replay) is held once.
    r.addHashed(hashed('n1', [['pdq', H]], 5001));
    expect(r.size).toBe(3000);
    expect(r.evictOlderThan(10_000)).toBe(3000);
    expect(r.size).toBe(0);
    expect(r.query('pdq', H, 31)).toHaveLength(0);
  });
});
