/**
 * Publishes change records to Kafka: values Avro-encoded through the schema registry
 * (subjects `<topic>-value`, TopicNameStrategy), keys plain strings, null values as
 * tombstones. The producer is idempotent with one request in flight, and `publish`
 * awaits acks from all in-sync replicas, so an acknowledged batch is durable and a
 * retried one is neither duplicated nor reordered by the producer.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, type Producer, type TopicMessages } from 'kafkajs';
import type { Config } from '../../config/config.js';
import type { ChangeRecord, OutboxTopic } from './events.js';
import type { ChangePublisher } from './publisher.js';

export type KafkaPublisherConfig = Pick<
  Config,
  'KAFKA_BROKERS' | 'KAFKA_CLIENT_ID' | 'KAFKA_SSL' | 'KAFKA_SASL_MECHANISM' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD' | 'TOPIC_PREFIX' | 'SCHEMA_REGISTRY_URL'
>;

function kafkaFrom(cfg: KafkaPublisherConfig): Kafka {
  const sasl =
    cfg.KAFKA_SASL_MECHANISM === 'none'
      ? undefined
      : { mechanism: cfg.KAFKA_SASL_MECHANISM, username: cfg.KAFKA_SASL_USERNAME, password: cfg.KAFKA_SASL_PASSWORD };
  return new Kafka({
    clientId: `${cfg.KAFKA_CLIENT_ID}-outbox-relay`,
    brokers: [...cfg.KAFKA_BROKERS],
    ssl: cfg.KAFKA_SSL,
    ...(sasl ? { sasl: sasl as never } : {}),
    logLevel: logLevel.NOTHING,
  });
}

export const CHANGE_SEQ_HEADER = 'hma-change-seq';

export const topicName = (cfg: Pick<Config, 'TOPIC_PREFIX'>, topic: OutboxTopic) => `${cfg.TOPIC_PREFIX}${topic}`;

export async function kafkaPublisher(cfg: KafkaPublisherConfig): Promise<ChangePublisher> {
  const registry = new SchemaRegistry({ host: cfg.SCHEMA_REGISTRY_URL });
  const schemaIds = new Map<OutboxTopic, number>();
  for (const topic of ['signals', 'banks'] as const) {
    const subject = `${topicName(cfg, topic)}-value`;
    try {
      schemaIds.set(topic, await registry.getLatestSchemaId(subject));
    } catch (err) {
      throw new Error(`no schema registered for ${subject} (run \`hma topology apply\`): ${(err as Error).message}`);
    }
  }
  const producer: Producer = kafkaFrom(cfg).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();

  return {
    async publish(records) {
      if (records.length === 0) return;
      const byTopic = new Map<OutboxTopic, TopicMessages>();
      for (const r of records) {
        let entry = byTopic.get(r.topic);
        if (!entry) byTopic.set(r.topic, (entry = { topic: topicName(cfg, r.topic), messages: [] }));
        entry.messages.push({
          key: r.key,
          // Tombstones carry no value: the header lets consumers order them too.
          headers: { [CHANGE_SEQ_HEADER]: String(r.seq) },
          value: r.value === null ? null : await registry.encode(schemaIds.get(r.topic)!, r.value),
        });
      }
      await producer.sendBatch({ topicMessages: [...byTopic.values()], acks: -1 });
    },
    async close() {
      await producer.disconnect();
    },
  };
}

export type { ChangeRecord };
