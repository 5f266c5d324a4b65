/**
 * Per-test-file topics (a unique prefix) created and registered as `hma topology apply`
 * does, and a reader that drains a topic from the beginning.
 */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { loadConfig, type Config } from '../../../src/config/config.js';
import { CHANGE_SEQ_HEADER } from '../../../src/curation/outbox/kafka-publisher.js';
import { createKafka, withAdmin } from '../../../src/kafka/client.js';
import { TopicCodec } from '../../../src/kafka/codec.js';
import { createRegistry, registerSchemas } from '../../../src/kafka/registry.js';
import { applyTopics } from '../../../src/kafka/topology.js';
import { topicName } from '../../../topology/topics.js';

export interface ScratchTopics {
  readonly config: Config;
  /** Environment for child processes: these topics and the given database. */
  readonly env: NodeJS.ProcessEnv;
  readonly kafka: Kafka;
  readonly codec: TopicCodec;
}

export async function scratchTopics(label: string, databaseUrl: string): Promise<ScratchTopics> {
  const base = loadConfig(process.env);
  const env = {
    ...process.env,
    TOPIC_PREFIX: `${base.TOPIC_PREFIX}${label}-${randomBytes(3).toString('hex')}.`,
    TOPIC_PARTITIONS: '3',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig(env);
  const kafka = createKafka(config, 'curation-test');
  await withAdmin(kafka, (admin) => applyTopics(admin, config, { fix: false }));
  await registerSchemas(config);
  return { config, env, kafka, codec: new TopicCodec(createRegistry(config), config.TOPIC_PREFIX) };
}

export interface ReadMessage {
  readonly key: string;
  readonly value: Record<string, unknown> | null;
  readonly seq: number;
  readonly partition: number;
  readonly offset: number;
}

/** Every message of a topic from the beginning up to its end offsets at call time, in offset order per partition. */
export async function readAll(t: ScratchTopics, topic: 'signals' | 'banks'): Promise<ReadMessage[]> {
  const name = topicName(t.config.TOPIC_PREFIX, topic);
  const ends = await withAdmin(t.kafka, (admin) => admin.fetchTopicOffsets(name));
  const remaining = new Map(ends.filter((e) => Number(e.high) > 0).map((e) => [e.partition, Number(e.high)]));
  const out: ReadMessage[] = [];
  if (remaining.size === 0) return out;
  const consumer = t.kafka.consumer({ groupId: `reader-${randomBytes(6).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topic: name, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const high = remaining.get(partition);
          if (high === undefined) return;
          out.push({
            key: message.key!.toString(),
            value: (await t.codec.decode(topic, message.value)) as Record<string, unknown> | null,
            seq: Number(message.headers?.[CHANGE_SEQ_HEADER]?.toString()),
            partition,
            offset: Number(message.offset),
          });
          if (Number(message.offset) >= high - 1) {
            remaining.delete(partition);
            if (remaining.size === 0) resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
