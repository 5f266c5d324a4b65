/**
 * The broker settings the pipeline relies on: on a single broker, transactions must
 * commit (transaction state log with one replica) and read_committed consumers must see
 * committed messages only.
 */
import { Partitioners, type Consumer } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createKafka, withAdmin } from '../../src/kafka/client.js';

const cfg = loadConfig(process.env);
const topic = `${cfg.TOPIC_PREFIX}foundation.transactions`;
const kafka = createKafka(cfg, 'test-transactions');
let consumer: Consumer | undefined;

describe('Kafka transactions on the local broker', () => {
  afterAll(async () => {
    await consumer?.disconnect();
  });

  it('commits and aborts, and read_committed consumers see only what was committed', async () => {
    await withAdmin(kafka, (admin) => admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }));
    const producer = kafka.producer({
      transactionalId: `${cfg.TOPIC_PREFIX}foundation-tx`,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({ topic, messages: [{ key: 'k', value: 'committed-1' }, { key: 'k', value: 'committed-2' }] });
      await committed.commit();
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ key: 'k', value: 'aborted' }] });
      await aborted.abort();
      const last = await producer.transaction();
      await last.send({ topic, messages: [{ key: 'k', value: 'committed-3' }] });
      await last.commit();
    } finally {
      await producer.disconnect();
    }

    consumer = kafka.consumer({ groupId: `${cfg.TOPIC_PREFIX}foundation-tx-reader`, readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`saw only ${JSON.stringify(seen)}`)), 30_000);
      void consumer!.run({
        eachMessage: async ({ message }) => {
          seen.push(String(message.value));
          if (seen.includes('committed-3')) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    expect(seen).toEqual(['committed-1', 'committed-2', 'committed-3']);
  });
});

