/**
 * Exactly once under kill -9 and stalls: two hasher and two matcher processes
 * (`hma hasher`, `hma matcher`) work through a few thousand submissions while one of
 * them at a time is either killed with SIGKILL at a random moment and restarted (under
 * the same instance id or a new one), or frozen with SIGSTOP past its session timeout
 * and then let go on (a zombie: the group has given its partitions to another process,
 * and it wakes up mid-transaction). Reading committed, every submission ends up with
 * exactly one hashed event and exactly one match result (matched where the bank says
 * so), and nothing is dead-lettered.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaInline, type ContentSubmittedValue } from '../../src/kafka/values.js';
import { topicName } from '../../topology/topics.js';
import { HmaProcess } from './support/processes.js';
import { testPipeline, type TestPipeline } from './support/topics.js';

const PDQ_DATA = '/work/shared/testdata/pdq/pdq-data';
const WEE_PDQ = '6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d';
const TOTAL = 3000;
const SESSION_TIMEOUT_MS = 6000;
/** One disruption after each wave of submissions, so that every one lands while work remains. */
const DISRUPTIONS = 12;
const WAVES = DISRUPTIONS;

let p: TestPipeline;
const procs: HmaProcess[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  p = await testPipeline('eos', { TOPIC_PARTITIONS: '4', HASHER_MAX_IN_FLIGHT: '4', PIPELINE_BATCH_BUDGET_MS: '3000' });
  const now = Date.now();
  await p.produce('banks', [{ key: '1', value: { bank_id: 1, name: 'EOS_BANK', matching_enabled_ratio: 1, labels: ['eos'], change_seq: 1, changed_at: now, match_thresholds: {}, allow_list: false, allow_list_scope: null } }]);
  await p.produce('signals', [{
    key: 'pdq:7',
    value: { signal_type: 'pdq', content_id: 7, bank_id: 1, value: WEE_PDQ, disable_until_ts: null, change_seq: 2, changed_at: now },
  }]);
  const env = { ...p.env, LOG_LEVEL: 'error', HASH_WORKERS: '1', PIPELINE_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS) };
  for (const [role, n] of [['hasher', 2], ['matcher', 2]] as const) {
    for (let i = 1; i <= n; i++) procs.push(new HmaProcess([role], { ...env, HMA_INSTANCE_ID: `${role}-${i}` }));
  }
  for (const proc of procs) proc.start();
});

afterAll(async () => {
  await Promise.all(procs.map((proc) => proc.stop()));
  await p?.close();
});

describe('pipeline under kill -9', () => {
  it('gives every submission exactly one result across repeated kills and restarts', { timeout: 600_000 }, async () => {
    const images = [await readFile(`${PDQ_DATA}/misc-images/wee.jpg`), await readFile(`${PDQ_DATA}/misc-images/small.jpg`)];
    const run = randomBytes(3).toString('hex');
    const subs: ContentSubmittedValue[] = Array.from({ length: TOTAL }, (_, i) => ({
      submission_id: `eos-${run}-${i}`,
      content_id: `content-${i}`,
      content_type: 'photo',
      media: mediaInline(images[i % 2], 'image/jpeg'),
      metadata: null,
      trace_id: null,
      submitted_at: Date.now(),
    }));

    // Count everything committed on the output topics as it arrives.
    const seen = { 'content.hashed': new Map<string, number>(), 'match.results': new Map<string, number>() };
    const matched = new Map<string, boolean>();
    let deadLetters = 0;
    const consumer = p.kafka.consumer({ groupId: `${p.config.TOPIC_PREFIX}eos-check`, readUncommitted: false, maxWaitTimeInMs: 200 });
    await consumer.connect();
    const names = { hashed: topicName(p.config.TOPIC_PREFIX, 'content.hashed'), results: topicName(p.config.TOPIC_PREFIX, 'match.results'), dead: topicName(p.config.TOPIC_PREFIX, 'deadletter') };
    await consumer.subscribe({ topics: Object.values(names), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === names.dead) {
          deadLetters++;
          return;
        }
        const which = topic === names.hashed ? 'content.hashed' : 'match.results';
        const v = await p.codec.decode(which, message.value!);
        seen[which].set(v.submission_id, (seen[which].get(v.submission_id) ?? 0) + 1);
        if (which === 'match.results') matched.set(v.submission_id, (v as { matched: boolean }).matched);
      },
    });

    const done = () => seen['match.results'].size;
    let disruptions = 0;
    let produced = 0;
    const deadline = Date.now() + 480_000;
    // Waves of submissions, and a kill or stall of a random process every few seconds while work remains.
    while (done() < TOTAL && Date.now() < deadline) {
      if (produced < TOTAL) {
        const wave = subs.slice(produced, produced + TOTAL / WAVES);
        await p.produce('content.submitted', wave.map((value) => ({ key: value.content_id, value })));
        produced += wave.length;
      }
      await sleep(2000 + Math.random() * 3000);
      if (done() < TOTAL && disruptions < DISRUPTIONS) {
        const victim = procs[Math.floor(Math.random() * procs.length)];
        disruptions++;
        if (disruptions % 3 === 2) {
          // A zombie: frozen until the group has moved its partitions, then awake mid-work.
          await victim.stall(SESSION_TIMEOUT_MS + 3000);
          continue;
        }
        await victim.kill('SIGKILL');
        await sleep(Math.random() * 1500);
        // Every other restart under a new instance id (fencing does not depend on it).
        const sameId = disruptions % 2 === 0;
        victim.start(sameId ? {} : { HMA_INSTANCE_ID: `${victim.command[0]}-new-${disruptions}` });
      }
    }
    // Let any duplicate that would come show up.
    await sleep(8000);
    await consumer.disconnect();

    const sum = (role: string, what: 'kills' | 'stalls') => procs.filter((x) => x.command[0] === role).reduce((n, x) => n + x[what], 0);
    console.log(
      `[exactly-once] ${TOTAL} submissions, ${disruptions} disruptions mid-stream: ` +
        `hasher ${sum('hasher', 'kills')} kills ${sum('hasher', 'stalls')} stalls, matcher ${sum('matcher', 'kills')} kills ${sum('matcher', 'stalls')} stalls`,
    );
    expect(disruptions).toBeGreaterThanOrEqual(DISRUPTIONS - 1);
    expect(sum('hasher', 'kills') + sum('matcher', 'kills')).toBeGreaterThanOrEqual(6);
    expect(sum('hasher', 'stalls') + sum('matcher', 'stalls')).toBeGreaterThanOrEqual(3);
    expect(sum('hasher', 'kills') + sum('hasher', 'stalls')).toBeGreaterThan(0);
    expect(sum('matcher', 'kills') + sum('matcher', 'stalls')).toBeGreaterThan(0);
    expect(deadLetters).toBe(0);
    for (const which of ['content.hashed', 'match.results'] as const) {
      const counts = seen[which];
      const missing = subs.filter((s) => !counts.has(s.submission_id)).length;
      const duplicated = [...counts.values()].filter((n) => n > 1).length;
      expect({ which, missing, duplicated, distinct: counts.size }).toEqual({ which, missing: 0, duplicated: 0, distinct: TOTAL });
    }
    // wee.jpg (even indexes) is in the bank; small.jpg is not.
    subs.forEach((s, i) => expect(matched.get(s.submission_id), s.submission_id).toBe(i % 2 === 0));
  });
});
