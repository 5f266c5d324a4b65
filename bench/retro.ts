/**
 * `npm run bench:retro`:
 *  1. memory and throughput of the retro-matcher's core (in-process, no Kafka): BENCH_RECENT
 *     recent PDQ contents (each with its forward result) in the recent-content store, then
 *     BENCH_SIGNALS new signals decided against it (BENCH_HIT_RATE of them near some content);
 *  2. change → retroactive result latency on the real stack: an in-process retro-matcher over
 *     BENCH_P99_CONTENTS hashed contents, BENCH_P99_CHANGES signal changes produced one at a
 *     time, each timed until its retroactive result is read (committed) from match.results.
 *
 * Targets (issue 17): 1M recent PDQ contents in under 300 MB; 10,000 new signals matched in under 10 s.
 *   BENCH_RECENT (default 1000000), BENCH_SIGNALS (10000), BENCH_HIT_RATE (0.1),
 *   BENCH_P99_CONTENTS (5000), BENCH_P99_CHANGES (200), BENCH_PARTS (both; or "core" / "stack");
 *   RETRO_SETTLE_MS (the process setting, default 1000) is part of the latency: set it to 0 for the processing alone
 * Part 2 needs Kafka and the registry (`hma services up`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import type { ContentHashedValue, MatchResultValue } from '../src/kafka/values.js';
import { RecentContent } from '../src/pipeline/retro/recent-content.js';
import { decideRetro } from '../src/pipeline/retro/retro-match.js';
import { startRetroMatcher } from '../src/processes/retro-matcher.js';
import { newIndexFor } from '../src/processes/signal-types.js';
import { configureProcess } from '../src/runtime/configure.js';
import { Runtime } from '../src/runtime/runtime.js';
import { topicName } from '../topology/topics.js';
import { testPipeline } from '../test/pipeline/support/topics.js';

const recentN = Number(process.env.BENCH_RECENT ?? 1_000_000);
const signalsN = Number(process.env.BENCH_SIGNALS ?? 10_000);
const hitRate = Number(process.env.BENCH_HIT_RATE ?? 0.1);
const p99Contents = Number(process.env.BENCH_P99_CONTENTS ?? 5000);
const p99Changes = Number(process.env.BENCH_P99_CHANGES ?? 200);
const parts = process.env.BENCH_PARTS ?? 'core,stack';

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** A PDQ hash `bits` bits away from `hex`. */
function near(hex: string, bits: number): string {
  const b = Buffer.from(hex, 'hex');
  for (let i = 0; i < bits; i++) b[(i * 7) % 32] ^= 1 << (i % 8);
  return b.toString('hex');
}

function hashedEvent(id: string, pdq: string, at: number): ContentHashedValue {
  return {
    submission_id: randomUUID(),
    content_id: id,
    content_type: 'photo',
    signals: [{ signal_type: 'pdq', value: pdq, quality: 100 }],
    hasher_version: 'bench',
    trace_id: null,
    metadata: null,
    submitted_at: at - 50,
    timings: { fetch_ms: 0, hash_ms: 1, hashed_at: at },
  };
}

function forwardResult(h: ContentHashedValue, position: number): MatchResultValue {
  return {
    submission_id: h.submission_id,
    content_id: h.content_id,
    content_type: h.content_type,
    matched: false,
    matches: [],
    suppressed: [], index_positions: { pdq: position },
    trace_id: null,
    metadata: null,
    submitted_at: h.submitted_at,
    timings: { hashed_at: h.timings.hashed_at, match_ms: 0.1, matched_at: h.timings.hashed_at + 5 },
  };
}

function core(): void {
  gc();
  const before = process.memoryUsage();
  const recent = new RecentContent(new Map([['pdq', newIndexFor('pdq')]]));
  const hashes: string[] = [];
  const sample = Math.max(1, Math.floor(recentN / Math.max(1, signalsN * hitRate)));
  const t0 = performance.now();
  const now = Date.now();
  for (let i = 0; i < recentN; i++) {
    const pdq = randomBytes(32).toString('hex');
    if (i % sample === 0) hashes.push(pdq);
    const h = hashedEvent(`post-${i}`, pdq, now - (recentN - i));
    recent.addHashed(h);
    recent.addResult(forwardResult(h, 1));
  }
  const loadSeconds = (performance.now() - t0) / 1000;
  gc();
  const after = process.memoryUsage();
  const bank = { id: 1, name: 'BENCH', ratio: 1, labels: [] };
  let hits = 0;
  const t1 = performance.now();
  for (let s = 0; s < signalsN; s++) {
    const hit = s < signalsN * hitRate && hashes.length > 0;
    const value = hit ? near(hashes[s % hashes.length], 5) : randomBytes(32).toString('hex');
    const d = decideRetro(
      { signal_type: 'pdq', content_id: 1_000_000 + s, bank_id: 1, value, disable_until_ts: null, change_seq: 10 + s, changed_at: now },
      bank,
      recent,
      31,
    );
    hits += d.hits.length;
  }
  const matchSeconds = (performance.now() - t1) / 1000;
  const rss = after.rss - before.rss;
  console.log(`[retro core] ${recentN.toLocaleString('en')} recent PDQ contents (with forward results): loaded in ${loadSeconds.toFixed(1)} s`);
  console.log(
    `  memory: RSS +${mb(rss)} (process ${mb(after.rss)}), JS heap +${mb(after.heapUsed - before.heapUsed)}, array buffers +${mb(after.arrayBuffers - before.arrayBuffers)}  [target < 300 MB: ${rss < 300 * 1024 * 1024 ? 'met' : 'MISSED'}]`,
  );
  console.log(
    `  ${signalsN.toLocaleString('en')} new signals decided in ${matchSeconds.toFixed(2)} s (${Math.round(signalsN / matchSeconds).toLocaleString('en')}/s), ${hits} retroactive results  [target < 10 s: ${matchSeconds < 10 ? 'met' : 'MISSED'}]`,
  );
}

async function stack(): Promise<void> {
  const p = await testPipeline('benchretro', { LOG_LEVEL: 'warn', TOPIC_PARTITIONS: '3', RETRO_FORWARD_WAIT_MS: '5000' });
  configureProcess(p.config);
  const now = Date.now();
  await p.produce('banks', [{ key: '1', value: { bank_id: 1, name: 'BENCH_RETRO', matching_enabled_ratio: 1, labels: [], change_seq: 1, changed_at: now, match_thresholds: {}, allow_list: false, allow_list_scope: null } }]);
  const contents = Array.from({ length: p99Contents }, (_, i) => hashedEvent(`post-${i}`, randomBytes(32).toString('hex'), now - 1000));
  await p.produce('content.hashed', contents.map((h) => ({ key: h.content_id, value: h })));
  await p.produce('match.results', contents.map((h) => ({ key: h.content_id, value: forwardResult(h, 1) })));
  const rt = new Runtime(p.config, 'bench-retro');
  const seen = new Map<number, number>();
  const consumer = p.kafka.consumer({ groupId: `${p.config.TOPIC_PREFIX}bench-retro-read`, readUncommitted: false, maxWaitTimeInMs: 20 });
  try {
    const t0 = performance.now();
    await startRetroMatcher(rt);
    console.log(`[retro stack] retro-matcher up over ${p99Contents.toLocaleString('en')} hashed contents in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(p.config.TOPIC_PREFIX, 'match.results'), fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const v = await p.codec.decode('match.results', message.value!);
        if (v.retroactive) seen.set(v.retroactive.bank_content_id, performance.now());
      },
    });
    await sleep(3000); // the reader's group joined
    const latencies: number[] = [];
    for (let i = 0; i < p99Changes; i++) {
      const target = contents[(i * 7919) % contents.length];
      const value = near(target.signals[0].value, 4);
      const entry = 100 + i;
      const sent = performance.now();
      await p.produce('signals', [
        { key: `pdq:${entry}`, value: { signal_type: 'pdq', content_id: entry, bank_id: 1, value, disable_until_ts: null, change_seq: 10 + i, changed_at: Date.now() } },
      ]);
      for (const until = Date.now() + 30_000; !seen.has(entry) && Date.now() < until; ) await sleep(1);
      const at = seen.get(entry);
      if (at === undefined) throw new Error(`no retroactive result for signal ${entry} within 30 s`);
      latencies.push(at - sent);
    }
    const f = (x: number) => `${x.toFixed(1)} ms`;
    console.log(
      `  change → retroactive result (produce to committed result read, RETRO_SETTLE_MS=${p.config.RETRO_SETTLE_MS} included), ${p99Changes} changes one at a time: p50 ${f(pct(latencies, 0.5))}, p99 ${f(pct(latencies, 0.99))}, max ${f(Math.max(...latencies))}`,
    );
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await rt.stop();
    await p.close();
  }
}

console.log(`bench:retro on ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (parts.includes('core')) core();
if (parts.includes('stack')) await stack();
console.log(`load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
process.exit(0);
