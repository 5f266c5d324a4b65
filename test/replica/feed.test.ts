/**
 * The replica feed on the real broker and registry: a replay of thousands of signal changes
 * arrives in large batches, decoded without a promise per message once the writer schema is
 * known; bad events inside those batches are counted and skipped, never stop the replay, and
 * the counters and offsets (kept per batch) still say exactly what was applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../src/kafka/client.js';
import type { SignalChangeValue } from '../../src/kafka/values.js';
import { PdqIndex } from '../../src/index/pdq-index.js';
import { registry } from '../../src/observability/metrics.js';
import { codecDecode, ReplicaFeed } from '../../src/replica/feed.js';
import { MatchReplica } from '../../src/replica/replica.js';
import { topicName } from '../../topology/topics.js';
import { testPipeline, type TestPipeline } from '../pipeline/support/topics.js';

const N = 6000;
const hashOf = (id: number) => id.toString(16).padStart(8, '0').repeat(8);

async function counter(name: string, topic: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  const got = await metric?.get();
  return got?.values.find((v) => v.labels.topic === topic)?.value ?? 0;
}

describe('replica feed: a large replay with bad events inside its batches', () => {
  let p: TestPipeline;
  let feed: ReplicaFeed | undefined;
  beforeAll(async () => {
    p = await testPipeline('feed');
  });
  afterAll(async () => {
    await feed?.stop();
    await p.close();
  });

  it('applies every good change, skips and counts the bad ones, and is ready at the end', async () => {
    const now = Date.now();
    await p.produce('banks', [{ key: '1', value: { bank_id: 1, name: 'FEED_BANK', matching_enabled_ratio: 1, labels: [], change_seq: 1, changed_at: now, match_thresholds: {}, allow_list: false, allow_list_scope: null } }]);
    const signal = (id: number): SignalChangeValue => ({ signal_type: 'pdq', content_id: id, bank_id: 1, value: hashOf(id), disable_until_ts: null, change_seq: 10 + id, changed_at: now });
    const good = await Promise.all(Array.from({ length: N }, async (_, i) => ({ key: `pdq:${i + 1}`, value: await p.codec.encode('signals', signal(i + 1)) })));
    // Bad events in the middle of the stream (same partitions as good ones: keys hash anywhere).
    const bad = [
      { key: 'pdq:not-a-number', value: good[0].value },
      { key: 'pdq:900001', value: Buffer.from('not registry-encoded') },
      { key: 'pdq:900002', value: good[1].value.subarray(0, 9) },
    ];
    const stream = [...good.slice(0, N / 2), ...bad, ...good.slice(N / 2), { key: 'pdq:7', value: null }];
    await p.produceRaw('signals', stream);

    const topics = { signals: topicName(p.config.TOPIC_PREFIX, 'signals'), banks: topicName(p.config.TOPIC_PREFIX, 'banks') };
    const before = { applied: await counter('hma_replica_events_applied_total', topics.signals), rejected: await counter('hma_replica_events_rejected_total', topics.signals) };
    const index = new PdqIndex();
    const replica = new MatchReplica(new Map([['pdq', index]]));
    const kafka = createKafka(p.config, 'test-feed');
    feed = new ReplicaFeed(kafka, kafka, topics, codecDecode(p.codec, topics), replica, `${p.config.TOPIC_PREFIX}feed-test.`);
    feed.start();
    await feed.waitReady(60_000);
    // Ready means the replay's deferred index work is done: the first lookup does not pay for it.
    expect(index.queued).toBe(0);

    expect(replica.stats('pdq')?.size).toBe(N - 1); // the tombstone removed content 7
    expect(replica.rawLookup('pdq', hashOf(7), 0)).toEqual([]);
    for (const id of [1, N / 2, N / 2 + 1, N]) {
      expect(replica.rawLookup('pdq', hashOf(id), 0).map((m) => m.contentId)).toContain(id);
    }
    expect(await counter('hma_replica_events_rejected_total', topics.signals) - before.rejected).toBe(bad.length);
    // Applied: every good change and the tombstone.
    expect(await counter('hma_replica_events_applied_total', topics.signals) - before.applied).toBe(N + 1);
    expect(await feed.caughtUpNow()).toBe(true);

    // Once caught up, a new change is applied as it arrives.
    await p.produce('signals', [{ key: `pdq:${N + 1}`, value: signal(N + 1) }]);
    expect(await feed.catchUp(30_000)).toBe(true);
    expect(replica.rawLookup('pdq', hashOf(N + 1), 0).map((m) => m.contentId)).toEqual([N + 1]);
  });
});
