/**
 * Reading topics from their ends as they are now (less `backfill` events per partition), the
 * way a watcher or a live view needs them: a throw-away consumer group of its own, placed
 * before the consumer joins so nothing produced after `start` is missed, never committed to,
 * and deleted on `stop`. Only committed events are read. Used by `hma submit/scan` waiting for
 * results and by the UI's live results.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { withAdmin } from './client.js';

export interface TailOptions {
  /** The group id is this followed by a random UUID (it carries the deployment's topic prefix). */
  readonly groupIdPrefix: string;
  /** Full topic names. */
  readonly topics: readonly string[];
  /** Events read back per partition before today's end; 0 reads only what comes after `start`. */
  readonly backfill?: number;
  /** Instead of `backfill`: read from the first event at or after this time (epoch ms) in each partition. */
  readonly since?: number;
  readonly maxWaitTimeInMs?: number;
  readonly eachMessage: (payload: EachMessagePayload) => Promise<void>;
  /**
   * After each fetched batch is handled, with its last offset, counting transaction markers
   * (which eachMessage never sees): how a reader knows it reached a transactional topic's end.
   */
  readonly onBatchEnd?: (topic: string, partition: number, lastOffset: string) => void;
  /** When the consumer crashed and kafkajs will not restart it (the tail reads nothing more). */
  readonly onGiveUp?: (err: unknown) => void;
}

export class TopicTail {
  readonly groupId: string;
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: TailOptions,
  ) {
    this.groupId = `${opts.groupIdPrefix}${randomUUID()}`;
  }

  async start(): Promise<void> {
    const { groupId, opts } = this;
    const backfill = opts.backfill ?? 0;
    await withAdmin(this.kafka, async (admin) => {
      for (const topic of opts.topics) {
        const partitions =
          opts.since === undefined
            ? (await admin.fetchTopicOffsets(topic)).map((e) => ({ partition: e.partition, offset: String(Math.max(Number(e.low), Number(e.high) - backfill)) }))
            : // The broker answers the end offset for a partition with nothing that recent.
              (await admin.fetchTopicOffsetsByTimestamp(topic, opts.since)).map((e) => ({ partition: e.partition, offset: e.offset }));
        await admin.setOffsets({ groupId, topic, partitions });
      }
    });
    // Kept before connecting, so that `stop` also ends a consumer still trying to connect.
    const consumer = this.kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: opts.maxWaitTimeInMs ?? 200 });
    this.consumer = consumer;
    const onBatchEnd = opts.onBatchEnd;
    if (onBatchEnd) consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => onBatchEnd(payload.topic, payload.partition, payload.lastOffset));
    const onGiveUp = opts.onGiveUp;
    if (onGiveUp) consumer.on(consumer.events.CRASH, ({ payload }) => payload.restart || this.consumer !== consumer || onGiveUp(payload.error));
    await consumer.connect();
    await consumer.subscribe({ topics: [...opts.topics] });
    await consumer.run({ autoCommit: false, eachMessage: opts.eachMessage });
  }

  async stop(): Promise<void> {
    if (!this.consumer) return;
    await this.consumer.disconnect().catch(() => undefined);
    this.consumer = undefined;
    // The group only ever served this tail: do not leave it on the broker.
    const groupId = this.groupId;
    await withAdmin(this.kafka, (a) => a.deleteGroups([groupId])).catch(() => undefined);
  }
}
