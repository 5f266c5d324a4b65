/**
 * Per-test-file topics (unique prefix) for the outbox relay, with their value schemas
 * registered, and a reader that drains a topic from the beginning.
 */
import { randomBytes } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig, type Config } from '../../../src/config/config.js';
import { CHANGE_SEQ_HEADER } from '../../../src/curation/outbox/kafka-publisher.js';

// The value schemas of docs/ARCHITECTURE.md; to be read from schemas/ once those land there.
const signalChange = {
  type: 'record',
  name: 'SignalChange',
  namespace: 'hma',
  fields: [
    { name: 'signal_type', type: 'string' },
    { name: 'content_id', type: 'long' },
    { name: 'bank_id', type: 'long' },
    { name: 'value', type: 'string' },
    { name: 'disable_until_ts', type: ['null', 'long'], default: null },
    { name: 'change_seq', type: 'long' },
    { name: 'changed_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};
const bankChange = {
  type: 'record',
  name: 'BankChange',
  namespace: 'hma',
  fields: [
    { name: 'bank_id', type: 'long' },
    { name: 'name', type: 'string' },
    { name: 'matching_enabled_ratio', type: 'double' },
    { name: 'labels', type: { type: 'array', items: 'string' } },
    { name: 'change_seq', type: 'long' },
    { name: 'changed_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};

export interface ScratchTopics {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  readonly kafka: Kafka;
  readonly registry: SchemaRegistry;
}

export async function scratchTopics(label: string, databaseUrl: string): Promise<ScratchTopics> {
  const base = loadConfig(process.env);
  const env = {
    ...process.env,
    TOPIC_PREFIX: `${base.TOPIC_PREFIX}${label}-${randomBytes(3).toString('hex')}.`,
    DATABASE_URL: databaseUrl,
  };
  const config = loadConfig(env);
  const kafka = new Kafka({ clientId: 'curation-test', brokers: [...config.KAFKA_BROKERS], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: ['signals', 'banks'].map((t) => ({
      topic: `${config.TOPIC_PREFIX}${t}`,
      numPartitions: 3,
      replicationFactor: 1,
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
    })),
  });
  await admin.disconnect();
  const registry = new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL });
  await registry.register({ type: 'AVRO' as never, schema: JSON.stringify(signalChange) }, { subject: `${config.TOPIC_PREFIX}signals-value` });
  await registry.register({ type: 'AVRO' as never, schema: JSON.stringify(bankChange) }, { subject: `${config.TOPIC_PREFIX}banks-value` });
  return { config, env, kafka, registry };
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
  const name = `${t.config.TOPIC_PREFIX}${topic}`;
  const admin = t.kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(name);
  await admin.disconnect();
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
            value: message.value ? ((await t.registry.decode(message.value)) as Record<string, unknown>) : null,
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
