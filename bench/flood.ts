/**
 * `npm run bench:flood`: the flood counter's Postgres side — how many match results per
 * second one counter adds to the per-minute counts (one transaction per batch with its
 * offset, and the window check of the entries it touched), and the batch time. Kafka and
 * decoding are left out: this is the part that all counters share.
 *
 *   BENCH_RESULTS (default 100000), BENCH_BATCH (default 500), BENCH_ENTRIES (default 5000)
 * Needs Postgres (`hma services up`); a scratch schema is made and dropped.
 */
import { loadConfig } from '../src/config/config.js';
import type { MatchResultValue } from '../src/kafka/values.js';
import { countMatches } from '../src/pipeline/flood/rules.js';
import { countBatch } from '../src/pipeline/flood/store.js';
import { configureProcess } from '../src/runtime/configure.js';
import { scratchDb } from '../test/support/scratch-db.js';

const total = Number(process.env.BENCH_RESULTS ?? 100_000);
const batch = Number(process.env.BENCH_BATCH ?? 500);
const entries = Number(process.env.BENCH_ENTRIES ?? 5000);
configureProcess(loadConfig({ LOG_LEVEL: 'warn', ...process.env }));

const now = Date.now();
// Spread over the last 10 minutes, so every batch updates buckets inside the window.
const result = (i: number): MatchResultValue => ({
  submission_id: `s${i}`, content_id: `c${i}`, content_type: 'photo', matched: true, suppressed: [], index_positions: {},
  matches: [{ bank_id: 1, bank_name: 'B', bank_content_id: 1 + (i % entries), signal_type: 'pdq', distance: 0, bank_labels: [], provenance: null }],
  trace_id: null, metadata: null, submitted_at: now, timings: { hashed_at: now, match_ms: 0, matched_at: now - (i % 600) * 1000 },
});
// Limits no entry reaches: the cost measured is counting and checking, not quarantining.
const limits = { windowMs: 600_000, maxMatches: 1_000_000_000, baselineFactor: 10, baselineMs: 86_400_000 };

const db = await scratchDb('benchflood');
try {
  const times: number[] = [];
  const started = performance.now();
  for (let off = 0; off < total; off += batch) {
    const results = Array.from({ length: Math.min(batch, total - off) }, (_, k) => result(off + k));
    const t = performance.now();
    await countBatch(db.pool, { consumer: 'bench', topic: 'match.results', partition: 0 },
      { firstOffset: BigInt(off), lastOffset: BigInt(off + results.length - 1), acceptGap: false }, () => countMatches(results), limits, now);
    times.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(times.length * q))]!.toFixed(1);
  console.log(`flood counter (Postgres): ${total} results in batches of ${batch} over ${entries} entries: ${Math.round(total / seconds)} results/s; batch p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
} finally {
  await db.drop();
}
