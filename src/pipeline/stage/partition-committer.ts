/**
 * The transactional producer of one input partition: it commits a partition's outputs,
 * dead letters and next offset together, one transaction at a time.
 *
 * Why one per partition: kafkajs has no KIP-447 (the group generation in
 * TxnOffsetCommit), so the broker cannot tell a process that lost a partition without
 * noticing (a "zombie", e.g. one starved of CPU past its session timeout) from the
 * partition's new owner. The transactional id therefore names the partition,
 * `<group>.<partition>`: whoever takes the partition initialises that id, which bumps
 * its epoch, completes or aborts the previous holder's open transaction before
 * returning, and makes every later request of the previous holder fail as fenced.
 * This is the classic (pre-KIP-447) Kafka exactly-once design.
 */
import kafkajs, { type Kafka, type Producer } from 'kafkajs';
import { chunkBySize } from './send-chunks.js';

// kafkajs is CommonJS: Node's ESM interop sees only some of its exports by name.
const { Partitioners } = kafkajs;

export interface CommitRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
}

export interface CommitRequest {
  /** In order: outputs of the partition's events, oldest first. */
  readonly records: readonly CommitRecord[];
  /** Offset of the partition's next event to consume once this commits. */
  readonly nextOffset: bigint;
}

export interface PartitionCommitSettings {
  readonly groupId: string;
  readonly inputTopic: string;
  readonly partition: number;
  readonly transactionTimeoutMs: number;
}

/** The transactional id that fences every other holder of a stage's input partition. */
export const partitionTransactionalId = (groupId: string, partition: number) => `${groupId}.${partition}`;

export class PartitionCommitter {
  private producer: Producer | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: PartitionCommitSettings,
    private readonly onCommit: (outcome: 'commit' | 'abort', seconds: number) => void = () => undefined,
  ) {}

  /**
   * Initialises the partition's transactional id. When this resolves, the previous
   * holder is fenced and its last transaction is complete (committed or aborted), so
   * the group's committed offset for the partition is final.
   */
  async connect(): Promise<void> {
    if (this.producer) return;
    const producer = this.kafka.producer({
      transactionalId: partitionTransactionalId(this.settings.groupId, this.settings.partition),
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.settings.transactionTimeoutMs,
      // Java's partitioner (murmur2 of the key), so our topics partition like any other client's.
      createPartitioner: Partitioners.DefaultPartitioner,
      // Right after a commit (or while a fenced holder's transaction is being completed) the
      // broker answers CONCURRENT_TRANSACTIONS until the markers are written, usually within
      // a few ms; kafkajs's default first retry (300 ms) would cost that much each time.
      retry: { initialRetryTime: 5, maxRetryTime: 100, retries: Number.MAX_SAFE_INTEGER },
    });
    try {
      await producer.connect();
      // kafkajs's connect() initialises only an idempotent producer id; the transactional id
      // is initialised by the first transaction. An empty one does that without sending
      // EndTxn, so the fencing happens here, before the caller reads the committed offset.
      const txn = await producer.transaction();
      await txn.abort();
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    this.producer = producer;
  }

  /** Resolves once the records and the offset are committed; rejects if the transaction failed (e.g. fenced). */
  commit(request: CommitRequest): Promise<void> {
    const run = this.tail.then(() => this.transaction(request));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async transaction(request: CommitRequest): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error(`partition ${this.settings.partition}: committer not connected`);
    const t0 = performance.now();
    const byTopic = new Map<string, Array<{ key: string; value: Buffer }>>();
    for (const rec of request.records) {
      let list = byTopic.get(rec.topic);
      if (!list) byTopic.set(rec.topic, (list = []));
      list.push({ key: rec.key, value: rec.value });
    }
    const seconds = () => (performance.now() - t0) / 1000;
    const txn = await producer.transaction();
    try {
      for (const [topic, messages] of byTopic) {
        for (const chunk of chunkBySize(messages)) await txn.send({ topic, messages: chunk });
      }
      await txn.sendOffsets({
        consumerGroupId: this.settings.groupId,
        topics: [{ topic: this.settings.inputTopic, partitions: [{ partition: this.settings.partition, offset: String(request.nextOffset) }] }],
      });
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => undefined);
      this.onCommit('abort', seconds());
      throw err;
    }
    this.onCommit('commit', seconds());
  }

  async close(): Promise<void> {
    await this.tail;
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}
