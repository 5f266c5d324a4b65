/**
 * A pipeline of its own for one test file: topics under a unique prefix (below the
 * run's), created and registered as `hma topology apply` does, plus typed produce and
 * read helpers on the real broker and registry.
 */
import { randomBytes } from 'node:crypto';
import kafkajs, { type Kafka, type Producer } from 'kafkajs';
import { loadConfig, type Config } from '../../../src/config/config.js';
import { TopicCodec } from '../../../src/kafka/codec.js';
import { createKafka, withAdmin } from '../../../src/kafka/client.js';
import { createRegistry, registerSchemas } from '../../../src/kafka/registry.js';
import { applyTopics } from '../../../src/kafka/topology.js';
import type { TopicValues } from '../../../src/kafka/values.js';
import { chunkBySize } from '../../../src/pipeline/stage/send-chunks.js';
import { topicName, type TopicName } from '../../../topology/topics.js';

export interface TestPipeline {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  readonly kafka: Kafka;
  readonly codec: TopicCodec;
  produce<T extends TopicName>(topic: T, items: ReadonlyArray<{ key: string; value: TopicValues[T] | null }>): Promise<void>;
  produceRaw(topic: TopicName, items: ReadonlyArray<{ key: string; value: Buffer | null }>): Promise<void>;
  close(): Promise<void>;
}

/** Settings that keep tests quick: short sessions and retries, ports picked by the OS. */
export const quickPipelineEnv = {
  TOPIC_PARTITIONS: '3',
  PIPELINE_SESSION_TIMEOUT_MS: '6000',
  PIPELINE_TRANSACTION_TIMEOUT_MS: '10000',
  PIPELINE_RETRY_BACKOFF_MS: '50',
  PIPELINE_RETRY_ATTEMPTS: '3',
  METRICS_PORT: '0',
  API_HOST: '127.0.0.1',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  PRODUCTION: 'false',
  HASH_WORKERS: '1',
} as const;

export async function testPipeline(label: string, extra: NodeJS.ProcessEnv = {}): Promise<TestPipeline> {
  const base = loadConfig(process.env);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...quickPipelineEnv,
    TOPIC_PREFIX: `${base.TOPIC_PREFIX}${label}-${randomBytes(3).toString('hex')}.`,
    ...extra,
  };
  const config = loadConfig(env);
  const kafka = createKafka(config, `test-${label}`);
  await withAdmin(kafka, (admin) => applyTopics(admin, config, { fix: false }));
  await registerSchemas(config);
  const codec = new TopicCodec(createRegistry(config), config.TOPIC_PREFIX);
  let producer: Producer | undefined;
  const connected = async () => {
    if (!producer) {
      producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
      await producer.connect();
    }
    return producer;
  };
  const produceRaw = async (topic: TopicName, items: ReadonlyArray<{ key: string; value: Buffer | null }>) => {
    const p = await connected();
    for (const chunk of chunkBySize(items)) await p.send({ topic: topicName(config.TOPIC_PREFIX, topic), acks: -1, messages: chunk });
  };
  return {
    config,
    env,
    kafka,
    codec,
    produceRaw,
    async produce(topic, items) {
      const encoded = await Promise.all(
        items.map(async (it) => ({ key: it.key, value: it.value === null ? null : await codec.encode(topic, it.value) })),
      );
      await produceRaw(topic, encoded);
    },
    async close() {
      await producer?.disconnect();
    },
  };
}

export interface ReadRecord<T> {
  readonly key: string;
  readonly value: T;
  readonly partition: number;
  readonly offset: number;
}

/**
 * Every committed message of a topic (read_committed), decoded, read until `count`
 * have arrived or `timeoutMs` passed; then keeps reading for `settleMs` more so a
 * duplicate arriving late would be seen.
 */
export async function readTopic<T extends TopicName>(
  p: TestPipeline,
  topic: T,
  opts: { count: number; timeoutMs: number; settleMs?: number },
): Promise<Array<ReadRecord<TopicValues[T]>>> {
  const out: Array<ReadRecord<TopicValues[T]>> = [];
  const consumer = p.kafka.consumer({ groupId: `${p.config.TOPIC_PREFIX}read.${randomBytes(4).toString('hex')}`, readUncommitted: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic: topicName(p.config.TOPIC_PREFIX, topic), fromBeginning: true });
  let reached: () => void = () => undefined;
  const enough = new Promise<void>((r) => (reached = r));
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      if (!message.value) return;
      out.push({ key: message.key?.toString() ?? '', value: await p.codec.decode(topic, message.value), partition, offset: Number(message.offset) });
      if (out.length >= opts.count) reached();
    },
  });
  await Promise.race([enough, new Promise((r) => setTimeout(r, opts.timeoutMs))]);
  if (opts.settleMs) await new Promise((r) => setTimeout(r, opts.settleMs));
  await consumer.disconnect();
  return out;
}
