/**
 * The retro-matcher on the real broker and registry: content hashed (and matched forward)
 * before a signal is added gets exactly one retroactive result per matching content, none
 * where the forward matcher already covered it (index position at or past the change, or the
 * entry already matched), none for a disabled signal, none again when the entry is
 * republished; a content whose forward result comes after the signal is decided once it comes;
 * allow-listed content gets a result that matches nothing and says what was suppressed, and by which entry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentHashedValue, MatchResultValue, SignalChangeValue } from '../../src/kafka/values.js';
import { startRetroMatcher } from '../../src/processes/retro-matcher.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { readTopic, testPipeline, type TestPipeline } from './support/topics.js';

let p: TestPipeline;
let runtime: Runtime;

const H_OLD = 'f'.repeat(64);
const H_NEW = `${'0f'.repeat(32)}`;
const H_NEW_NEAR = `${'0f'.repeat(31)}00`; // 4 bits away
const FAR = '0'.repeat(64);
const MD5 = '0123456789abcdef0123456789abcdef';
const now = Date.now();

const hashed = (id: string, signals: Array<[string, string]>): ContentHashedValue => ({
  submission_id: `sub-${id}`,
  content_id: id,
  content_type: 'photo',
  signals: signals.map(([signal_type, value]) => ({ signal_type, value, quality: null })),
  hasher_version: 'test',
  trace_id: `trace-${id}`,
  metadata: { source: 'retro-test' },
  submitted_at: now - 1000,
  timings: { fetch_ms: 0, hash_ms: 1, hashed_at: now - 900 },
});

const forward = (id: string, position: number, matches: number[] = []): MatchResultValue => ({
  submission_id: `sub-${id}`,
  content_id: id,
  content_type: 'photo',
  matched: matches.length > 0,
  matches: matches.map((m) => ({ bank_id: 1, bank_name: 'RETRO_BANK', bank_content_id: m, signal_type: 'pdq', distance: 0, bank_labels: [], provenance: null })),
  suppressed: [], index_positions: { pdq: position, video_md5: position },
  trace_id: null,
  metadata: null,
  submitted_at: now - 1000,
  timings: { hashed_at: now - 900, match_ms: 0.1, matched_at: now - 800 },
});

const signal = (type: string, entry: number, value: string, seq: number, disable: number | null = null, bank = 1): { key: string; value: SignalChangeValue } => ({
  key: `${type}:${entry}`,
  value: { signal_type: type, content_id: entry, bank_id: bank, value, disable_until_ts: disable, change_seq: seq, changed_at: Date.now() },
});

beforeAll(async () => {
  p = await testPipeline('retro');
  await p.produce('banks', [{ key: '1', value: { bank_id: 1, name: 'RETRO_BANK', matching_enabled_ratio: 1, labels: ['retro'], change_seq: 1, changed_at: now, match_thresholds: {}, allow_list: false, allow_list_scope: null } }]);
  await p.produce('signals', [signal('pdq', 5, H_OLD, 5)]);
  const contents: Array<[string, Array<[string, string]>]> = [
    ['old-1', [['pdq', H_NEW]]],
    ['old-2', [['pdq', H_NEW_NEAR], ['video_md5', MD5]]],
    ['forward-saw-it', [['pdq', H_NEW]]],
    ['already-matched', [['pdq', H_NEW]]],
    ['far', [['pdq', FAR]]],
    ['late', [['pdq', H_NEW]]],
  ];
  await p.produce('content.hashed', contents.map(([id, s]) => ({ key: id, value: hashed(id, s) })));
  await p.produce('match.results', [
    { key: 'old-1', value: forward('old-1', 5) },
    { key: 'old-2', value: forward('old-2', 5) },
    { key: 'forward-saw-it', value: forward('forward-saw-it', 14) }, // position past every change below
    { key: 'already-matched', value: forward('already-matched', 6, [20]) },
    { key: 'far', value: forward('far', 5) },
  ]);
  runtime = new Runtime(p.config, 'retro-test');
  await startRetroMatcher(runtime);
});

afterAll(async () => {
  await runtime?.stop();
  await p?.close();
});

describe('retro-matcher stage', () => {
  it('publishes one retroactive result per matching content hashed before the signal, and none for covered content', { timeout: 120_000 }, async () => {
    await p.produce('signals', [
      signal('pdq', 20, H_NEW, 10),
      signal('video_md5', 21, MD5, 11),
      signal('pdq', 22, H_NEW, 12, 0), // disabled: matches nothing
      { key: 'pdq:5', value: null }, // a deletion: nothing to do
    ]);
    // The forward matcher is behind on 'late': its result (decided without the change) comes after the signal.
    await new Promise((r) => setTimeout(r, 1500));
    await p.produce('match.results', [{ key: 'late', value: forward('late', 9) }]);
    // The entry published again (e.g. an edit): nothing is matched twice.
    await new Promise((r) => setTimeout(r, 1500));
    await p.produce('signals', [signal('pdq', 20, H_NEW, 13)]);

    // 6 forward results and 4 retroactive ones; the settle time lets a duplicate show.
    const all = await readTopic(p, 'match.results', { count: 6 + 4, timeoutMs: 60_000, settleMs: 4000 });
    const retro = all.filter((r) => r.value.retroactive);
    const got = retro.map((r) => `${r.value.content_id} ${r.value.matches[0].signal_type}:${r.value.matches[0].bank_content_id}`).sort();
    expect(got).toEqual(['late pdq:20', 'old-1 pdq:20', 'old-2 pdq:20', 'old-2 video_md5:21']);
    const old2 = retro.find((r) => r.value.content_id === 'old-2' && r.value.matches[0].signal_type === 'pdq')!;
    expect(old2.key).toBe('old-2');
    expect(old2.value).toMatchObject({
      submission_id: 'sub-old-2',
      matched: true,
      trace_id: 'trace-old-2',
      metadata: { source: 'retro-test' },
      submitted_at: now - 1000,
      suppressed: [], index_positions: { pdq: 10 },
      retroactive: { signal_type: 'pdq', bank_id: 1, bank_content_id: 20, change_seq: 10 },
    });
    expect(old2.value.matches[0]).toEqual({ bank_id: 1, bank_name: 'RETRO_BANK', bank_content_id: 20, signal_type: 'pdq', distance: 4, bank_labels: ['retro'], quarantined: false, provenance: null });
    // Forward results read back decode with retroactive null (the field's default).
    expect(all.find((r) => r.value.content_id === 'far')!.value.retroactive).toBeNull();
    // Nothing dead-lettered (the tombstone is consumed, not a malformed event).
    const dead = await readTopic(p, 'deadletter', { count: 1, timeoutMs: 1000 });
    expect(dead).toHaveLength(0);
  });

  it('suppresses a retroactive match of allow-listed content: the result matches nothing and names the allow-list entry', { timeout: 120_000 }, async () => {
    const H_MEME = 'a5'.repeat(32);
    const H_MEME_NEAR = `${'a5'.repeat(31)}a0`; // 2 bits away
    await p.produce('banks', [{ key: '2', value: { bank_id: 2, name: 'MEMES', matching_enabled_ratio: 1, labels: [], change_seq: 30, changed_at: Date.now(), match_thresholds: {}, allow_list: true, allow_list_scope: null } }]);
    await p.produce('content.hashed', [{ key: 'meme', value: hashed('meme', [['pdq', H_MEME]]) }]);
    await p.produce('match.results', [{ key: 'meme', value: forward('meme', 14) }]);
    // The allow-list entry (an allow-list bank's signal makes no result of its own), then a shared-list entry.
    await p.produce('signals', [signal('pdq', 40, H_MEME_NEAR, 31, null, 2)]);
    await new Promise((r) => setTimeout(r, 1500));
    await p.produce('signals', [signal('pdq', 41, H_MEME, 32)]);

    const all = await readTopic(p, 'match.results', { count: 7 + 4 + 1, timeoutMs: 60_000, settleMs: 4000 });
    const meme = all.filter((r) => r.value.content_id === 'meme' && r.value.retroactive);
    expect(meme).toHaveLength(1);
    expect(meme[0].value).toMatchObject({
      matched: false,
      matches: [],
      retroactive: { signal_type: 'pdq', bank_id: 1, bank_content_id: 41, change_seq: 32 },
      suppressed: [
        {
          match: { bank_id: 1, bank_name: 'RETRO_BANK', bank_content_id: 41, signal_type: 'pdq', distance: 0 },
          allow_list_bank_id: 2,
          allow_list_bank_name: 'MEMES',
          allow_list_content_id: 40,
          allow_list_signal_type: 'pdq',
          allow_list_distance: 2,
        },
      ],
    });
  });
});
