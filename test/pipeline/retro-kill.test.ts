/**
 * The retro-matcher exactly once under kill -9: content is hashed and matched forward first,
 * then signals matching it are added in waves while the `hma retro-matcher` process is killed
 * with SIGKILL at random moments and restarted (rebuilding its window of recent content from
 * content.hashed and match.results). Reading committed, every (content, signal) pair that
 * matches gets exactly one retroactive result, and nothing else does.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentHashedValue, MatchResultValue } from '../../src/kafka/values.js';
import { topicName } from '../../topology/topics.js';
import { HmaProcess } from './support/processes.js';
import { testPipeline, type TestPipeline } from './support/topics.js';

const ENTRIES = 600;
const PER_ENTRY = 3;
const UNMATCHED = 300;
const WAVES = 6;
const KILLS = 4;

let p: TestPipeline;
let proc: HmaProcess;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A random PDQ hash and one `bits` bits away from it. */
const randomPdq = () => randomBytes(32).toString('hex');
function flip(hex: string, bits: number): string {
  const b = Buffer.from(hex, 'hex');
  for (let i = 0; i < bits; i++) b[i * 3] ^= 1 << (i % 8);
  return b.toString('hex');
}

const entryValues = Array.from({ length: ENTRIES }, randomPdq);
const now = Date.now();

const hashed = (id: string, pdq: string): ContentHashedValue => ({
  submission_id: `sub-${id}`,
  content_id: id,
  content_type: 'photo',
  signals: [{ signal_type: 'pdq', value: pdq, quality: 100 }],
  hasher_version: 'test',
  trace_id: null,
  metadata: null,
  submitted_at: now - 60_000,
  timings: { fetch_ms: 0, hash_ms: 1, hashed_at: now - 60_000 },
});
const forward = (id: string): MatchResultValue => ({
  submission_id: `sub-${id}`,
  content_id: id,
  content_type: 'photo',
  matched: false,
  matches: [],
  suppressed: [], index_positions: { pdq: 1, video_md5: 1 },
  trace_id: null,
  metadata: null,
  submitted_at: now - 60_000,
  timings: { hashed_at: now - 60_000, match_ms: 0.1, matched_at: now - 59_000 },
});

beforeAll(async () => {
  p = await testPipeline('retrokill', { TOPIC_PARTITIONS: '4' });
  await p.produce('banks', [{ key: '1', value: { bank_id: 1, name: 'KILL_BANK', matching_enabled_ratio: 1, labels: [], change_seq: 1, changed_at: now, match_thresholds: {}, allow_list: false, allow_list_scope: null } }]);
  const contents: Array<[string, string]> = [];
  entryValues.forEach((v, e) => {
    for (let k = 0; k < PER_ENTRY; k++) contents.push([`c-${e}-${k}`, flip(v, 2 + k)]);
  });
  for (let i = 0; i < UNMATCHED; i++) contents.push([`u-${i}`, randomPdq()]);
  await p.produce('content.hashed', contents.map(([id, v]) => ({ key: id, value: hashed(id, v) })));
  await p.produce('match.results', contents.map(([id]) => ({ key: id, value: forward(id) })));
  proc = new HmaProcess(['retro-matcher'], { ...p.env, LOG_LEVEL: 'error', RETRO_MAX_IN_FLIGHT: '4', PIPELINE_SESSION_TIMEOUT_MS: '6000' });
  proc.start();
});

afterAll(async () => {
  await proc?.stop();
  await p?.close();
});

describe('retro-matcher under kill -9', () => {
  it('gives every matching (content, signal) pair exactly one retroactive result across kills and restarts', { timeout: 600_000 }, async () => {
    const seen = new Map<string, number>();
    const consumer = p.kafka.consumer({ groupId: `${p.config.TOPIC_PREFIX}retro-kill-check`, readUncommitted: false, maxWaitTimeInMs: 200 });
    await consumer.connect();
    const dead = topicName(p.config.TOPIC_PREFIX, 'deadletter');
    let deadLetters = 0;
    await consumer.subscribe({ topics: [topicName(p.config.TOPIC_PREFIX, 'match.results'), dead], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === dead) {
          deadLetters++;
          return;
        }
        const v = await p.codec.decode('match.results', message.value!);
        if (!v.retroactive) return;
        const key = `${v.content_id} ${v.retroactive.bank_content_id}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      },
    });

    const expected = new Set<string>();
    entryValues.forEach((_, e) => {
      for (let k = 0; k < PER_ENTRY; k++) expected.add(`c-${e}-${k} ${100 + e}`);
    });
    let kills = 0;
    const perWave = ENTRIES / WAVES;
    for (let w = 0; w < WAVES; w++) {
      await p.produce(
        'signals',
        entryValues.slice(w * perWave, (w + 1) * perWave).map((v, i) => {
          const e = w * perWave + i;
          return { key: `pdq:${100 + e}`, value: { signal_type: 'pdq', content_id: 100 + e, bank_id: 1, value: v, disable_until_ts: null, change_seq: 10 + e, changed_at: Date.now() } };
        }),
      );
      // Killed once the wave is being worked on (results coming), so that work is cut mid-stream.
      const before = seen.size;
      for (const until = Date.now() + 90_000; seen.size === before && Date.now() < until; ) await sleep(50);
      await sleep(Math.random() * 400);
      if (kills < KILLS && seen.size < expected.size) {
        await proc.kill('SIGKILL');
        kills++;
        await sleep(Math.random() * 1000);
        proc.start();
      }
    }
    const deadline = Date.now() + 240_000;
    while (seen.size < expected.size && Date.now() < deadline) await sleep(1000);
    // Let any duplicate that would come show up.
    await sleep(8000);
    await consumer.disconnect();

    console.log(`[retro exactly-once] ${expected.size} pairs, ${proc.kills} kills mid-stream`);
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(deadLetters).toBe(0);
    const missing = [...expected].filter((k) => !seen.has(k)).length;
    const duplicated = [...seen.values()].filter((n) => n > 1).length;
    const unexpected = [...seen.keys()].filter((k) => !expected.has(k)).length;
    expect({ missing, duplicated, unexpected, distinct: seen.size }).toEqual({ missing: 0, duplicated: 0, unexpected: 0, distinct: expected.size });
  });
});
