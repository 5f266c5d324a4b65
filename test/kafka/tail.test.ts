/**
 * The one "tail a topic from its end" helper (src/kafka/tail.ts), on the real broker: what was
 * there before `start` is skipped (or the last `backfill` events read back), what comes after
 * is read, and `stop` leaves no group behind.
 */
import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createKafka, withAdmin } from '../../src/kafka/client.js';
import { TopicTail } from '../../src/kafka/tail.js';

const cfg = loadConfig(process.env);
const topic = `${cfg.TOPIC_PREFIX}test.tail.${randomUUID()}`;
const kafka = createKafka(cfg, 'test-tail');
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });

const send = (...values: string[]) => producer.send({ topic, messages: values.map((value) => ({ key: 'k', value })) });

async function seenBy(tail: (seen: string[]) => TopicTail): Promise<{ seen: string[]; t: TopicTail }> {
  const seen: string[] = [];
  const t = tail(seen);
  await t.start();
  return { seen, t };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (const end = Date.now() + 30_000; !cond(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  await withAdmin(kafka, (a) => a.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }));
  await producer.connect();
  await send('old-1', 'old-2', 'old-3');
});
afterAll(async () => {
  await producer.disconnect();
  await withAdmin(kafka, (a) => a.deleteTopics({ topics: [topic] })).catch(() => undefined);
});

describe('TopicTail', () => {
  it('reads what comes after start, or the last `backfill` events too, and deletes its group on stop', async () => {
    const make = (backfill: number) => (seen: string[]) =>
      new TopicTail(kafka, {
        groupIdPrefix: `${cfg.TOPIC_PREFIX}test-tail.`,
        topics: [topic],
        backfill,
        eachMessage: async ({ message }) => {
          seen.push(String(message.value));
        },
      });
    const fromEnd = await seenBy(make(0));
    const backfilled = await seenBy(make(2));
    await send('new-1');
    await until(() => fromEnd.seen.includes('new-1') && backfilled.seen.includes('new-1'), 'new-1 on both tails');
    expect(fromEnd.seen).toEqual(['new-1']);
    expect(backfilled.seen).toEqual(['old-2', 'old-3', 'new-1']);
    expect(fromEnd.t.groupId.startsWith(`${cfg.TOPIC_PREFIX}test-tail.`)).toBe(true);

    await fromEnd.t.stop();
    await backfilled.t.stop();
    const groups = await withAdmin(kafka, (a) => a.listGroups());
    const ids = new Set(groups.groups.map((g) => g.groupId));
    expect([ids.has(fromEnd.t.groupId), ids.has(backfilled.t.groupId)]).toEqual([false, false]);
  });
});
