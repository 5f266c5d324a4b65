/**
 * Publishes change records to Kafka: values Avro-encoded by the shared topic codec
 * (schema registry, TopicNameStrategy), keys plain strings, null values as tombstones.
 * The producer is idempotent with one request in flight, and `publish` awaits acks
 * from all in-sync replicas, so an acknowledged batch is durable and a retried one is
 * neither duplicated nor reordered by the producer.
 */
import kafkajs, { type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { Config } from '../../config/config.js';
import { createKafka, type KafkaClientConfig } from '../../kafka/client.js';
import { TopicCodec } from '../../kafka/codec.js';
import { createRegistry } from '../../kafka/registry.js';
import { topicName } from '../../../topology/topics.js';
import type { ChangeRecord, OutboxTopic } from './events.js';
import type { ChangePublisher } from './publisher.js';

export type KafkaPublisherConfig = KafkaClientConfig & Pick<Config, 'TOPIC_PREFIX' | 'SCHEMA_REGISTRY_URL'>;

/** Every message carries its outbox seq: tombstones have no value to hold change_seq. */
export const CHANGE_SEQ_HEADER = 'hma-change-seq';

export async function kafkaPublisher(cfg: KafkaPublisherConfig): Promise<ChangePublisher> {
  const codec = new TopicCodec(createRegistry(cfg), cfg.TOPIC_PREFIX);
  // Fail at start, not at the first change, when `hma topology apply` has not run.
  await codec.schemaId('signals');
  await codec.schemaId('banks');
  const producer: Producer = createKafka(cfg, 'outbox-relay').producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // The Java client's murmur2 key hashing: a key lands where other clients put it.
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();

  const encode = async (r: ChangeRecord): Promise<Message> => ({
    key: r.key,
    headers: { [CHANGE_SEQ_HEADER]: String(r.seq) },
    value: r.change === null ? null : r.change.topic === 'signals'
      ? await codec.encode('signals', r.change.value)
      : await codec.encode('banks', r.change.value),
  });

  return {
    async publish(records) {
      if (records.length === 0) return;
      const byTopic = new Map<OutboxTopic, TopicMessages>();
      for (const r of records) {
        let entry = byTopic.get(r.topic);
        if (!entry) byTopic.set(r.topic, (entry = { topic: topicName(cfg.TOPIC_PREFIX, r.topic), messages: [] }));
        entry.messages.push(await encode(r));
      }
      await producer.sendBatch({ topicMessages: [...byTopic.values()], acks: -1 });
    },
    async close() {
      await producer.disconnect();
    },
  };
}
