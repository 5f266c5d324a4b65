/**
 * The matcher stage on the real broker: banks and signals produced to the compacted
 * topics, hashed content to content.hashed; results carry the matches the replica
 * gives (enabled content only, bank coinflip seeded by the content id), one per event;
 * malformed events are dead-lettered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentHashedValue } from '../../src/kafka/values.js';
import { drawCoinflip } from '../../src/matching/coinflip.js';
import { startMatcher } from '../../src/processes/matcher.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { readTopic, testPipeline, type TestPipeline } from './support/topics.js';

let p: TestPipeline;
let runtime: Runtime;

const H1 = 'f'.repeat(64);
const H1_NEAR = `${'f'.repeat(63)}0`; // 4 bits away
const H2 = `${'0f'.repeat(32)}`;
const MD5 = '0123456789abcdef0123456789abcdef';
const now = Date.now();

const bank = (id: number, name: string, ratio: number, labels: string[]) => ({
  key: String(id),
  value: { bank_id: id, name, matching_enabled_ratio: ratio, labels, change_seq: id, changed_at: now, match_thresholds: {}, allow_list: false, allow_list_scope: null },
});
const signal = (type: string, contentId: number, bankId: number, value: string, disableUntil: number | null = null) => ({
  key: `${type}:${contentId}`,
  value: { signal_type: type, content_id: contentId, bank_id: bankId, value, disable_until_ts: disableUntil, change_seq: 100 + contentId, changed_at: now },
});
const hashed = (contentId: string, signals: Array<[string, string]>): ContentHashedValue => ({
  submission_id: `sub-${contentId}`,
  content_id: contentId,
  content_type: 'photo',
  signals: signals.map(([signal_type, value]) => ({ signal_type, value, quality: signal_type === 'pdq' ? 100 : null })),
  hasher_version: 'test',
  trace_id: `trace-${contentId}`,
  metadata: { source: 'test' },
  submitted_at: now,
  timings: { fetch_ms: 0, hash_ms: 1, hashed_at: now },
});

beforeAll(async () => {
  p = await testPipeline('matcher');
  await p.produce('banks', [bank(1, 'BANK_A', 1, ['csam', 'review']), bank(2, 'BANK_NEVER', 0, ['x']), bank(3, 'BANK_HALF', 0.5, ['half'])]);
  await p.produce('signals', [
    signal('pdq', 10, 1, H1),
    signal('pdq', 11, 2, H1),
    signal('pdq', 12, 1, H2, 0), // disabled indefinitely
    signal('video_md5', 13, 1, MD5),
    signal('pdq', 14, 3, H1),
  ]);
  // Content planted before the matcher starts must be in its index when it consumes.
  await p.produce('content.hashed', [{ key: 'early', value: hashed('early', [['pdq', H1]]) }]);
  runtime = new Runtime(p.config, 'matcher-test');
  await startMatcher(runtime);
});

afterAll(async () => {
  await runtime?.stop();
  await p?.close();
});

describe('matcher stage', () => {
  it('produces one result per hashed content with the replica\'s enabled matches', async () => {
    const ids = ['near', 'disabled', 'md5', 'none', ...Array.from({ length: 40 }, (_, i) => `half-${i}`)];
    await p.produce('content.hashed', [
      { key: 'near', value: hashed('near', [['pdq', H1_NEAR]]) },
      { key: 'disabled', value: hashed('disabled', [['pdq', H2]]) },
      { key: 'md5', value: hashed('md5', [['video_md5', MD5], ['unknown_type', 'abc']]) },
      { key: 'none', value: hashed('none', [['pdq', '0'.repeat(64)]]) },
      ...ids.slice(4).map((id) => ({ key: id, value: hashed(id, [['pdq', H1]]) })),
    ]);
    const results = await readTopic(p, 'match.results', { count: ids.length + 1, timeoutMs: 60_000, settleMs: 1000 });
    const byId = new Map(results.map((r) => [r.value.content_id, r.value]));
    expect(results).toHaveLength(ids.length + 1);
    expect(byId.size).toBe(ids.length + 1);
    for (const r of results) expect(r.key).toBe(r.value.content_id);

    const early = byId.get('early')!;
    expect(early.matched).toBe(true);
    expect(early.matches.map((m) => m.bank_content_id)).toContain(10);

    const near = byId.get('near')!;
    expect(near.matched).toBe(true);
    const inA = near.matches.filter((m) => m.bank_name === 'BANK_A');
    expect(inA).toEqual([{ bank_id: 1, bank_name: 'BANK_A', bank_content_id: 10, signal_type: 'pdq', distance: 4, bank_labels: ['csam', 'review'], quarantined: false, provenance: null }]);
    expect(near.matches.some((m) => m.bank_name === 'BANK_NEVER')).toBe(false);
    expect(near.trace_id).toBe('trace-near');
    expect(near.metadata).toEqual({ source: 'test' });
    expect(near.index_positions.pdq).toBeGreaterThan(0);

    expect(byId.get('disabled')!.matched).toBe(false);
    expect(byId.get('none')!).toMatchObject({ matched: false, matches: [] });
    const md5 = byId.get('md5')!;
    expect(md5.matches).toEqual([{ bank_id: 1, bank_name: 'BANK_A', bank_content_id: 13, signal_type: 'video_md5', distance: 0, bank_labels: ['csam', 'review'], quarantined: false, provenance: null }]);

    // The 0.5 bank is seen exactly when the coinflip seeded by the content id says so.
    let seen = 0;
    for (const id of ids.slice(4)) {
      const expected = drawCoinflip({ seed: id }) <= 0.5;
      const got = byId.get(id)!.matches.some((m) => m.bank_name === 'BANK_HALF');
      expect(got, id).toBe(expected);
      if (got) seen++;
    }
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(40);
  });

  it('dead-letters malformed events with their bytes and carries on', async () => {
    const garbage = Buffer.from('not avro at all');
    await p.produceRaw('content.hashed', [{ key: 'garbage', value: garbage }]);
    await p.produce('content.hashed', [{ key: 'noid', value: { ...hashed('x', []), content_id: '' } }]);
    await p.produce('content.hashed', [{ key: 'after', value: hashed('after', [['pdq', H1]]) }]);
    const dead = await readTopic(p, 'deadletter', { count: 2, timeoutMs: 30_000 });
    expect(dead.map((d) => d.value.reason).sort()).toEqual(['malformed_event', 'malformed_event']);
    const g = dead.find((d) => d.key === 'garbage')!.value;
    expect(g).toMatchObject({ stage: 'matcher', attempts: 1, original_topic: `${p.config.TOPIC_PREFIX}content.hashed`, original_key: 'garbage' });
    expect(Buffer.compare(g.original_value!, garbage)).toBe(0);
    const results = await readTopic(p, 'match.results', { count: 46, timeoutMs: 30_000 });
    expect(results.some((r) => r.value.content_id === 'after')).toBe(true);
  });
});
