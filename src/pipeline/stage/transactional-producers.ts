/**
 * One transactional producer per input partition a stage owns, with the
 * transactional id `<group>.<topic>.<partition>`. Fencing follows the partition:
 * whichever process takes a partition over (a restarted instance, or another one
 * after a rebalance) initialises the same id, which aborts the previous owner's
 * open transaction at once and fences it if it is still alive. An id per
 * instance would leave a dead instance's transaction open until it times out,
 * and would not fence a stalled instance that lost its partitions.
 */
import kafkajs, { type Kafka, type Producer } from 'kafkajs';

// kafkajs is CommonJS: Node's ESM interop sees only some of its exports by name.
const { Partitioners } = kafkajs;

export interface ProducerSettings {
  readonly groupId: string;
  readonly transactionTimeoutMs: number;
}

export class TransactionalProducers {
  private readonly producers = new Map<string, Promise<Producer>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: ProducerSettings,
  ) {}

  static transactionalId(groupId: string, topic: string, partition: number): string {
    return `${groupId}.${topic}.${partition}`;
  }

  /** The connected producer of a partition, created (and fencing its predecessor) on first use. */
  get(topic: string, partition: number): Promise<Producer> {
    const id = TransactionalProducers.transactionalId(this.settings.groupId, topic, partition);
    let producer = this.producers.get(id);
    if (!producer) {
      producer = this.connect(id);
      producer.catch(() => this.producers.delete(id));
      this.producers.set(id, producer);
    }
    return producer;
  }

  private async connect(transactionalId: string): Promise<Producer> {
    const producer = this.kafka.producer({
      transactionalId,
      // Java's partitioner (murmur2 of the key), so our topics partition like any other client's.
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.settings.transactionTimeoutMs,
      // After a commit the broker is briefly busy writing markers and answers the next
      // transaction with CONCURRENT_TRANSACTIONS: kafkajs's default 300 ms first retry
      // would cost that much per transaction; the broker is usually done within a few ms.
      retry: { initialRetryTime: 5, maxRetryTime: 1000, retries: Number.MAX_SAFE_INTEGER },
    });
    await producer.connect(); // initialises the transactional id: fences the previous owner
    return producer;
  }

  /** Closes the producers of partitions this process no longer owns (or all when `keep` is empty). */
  async release(keep: ReadonlySet<string> = new Set()): Promise<void> {
    const doomed = [...this.producers.entries()].filter(([id]) => !keep.has(id));
    for (const [id] of doomed) this.producers.delete(id);
    await Promise.all(doomed.map(([, p]) => p.then((producer) => producer.disconnect()).catch(() => undefined)));
  }

  /** Drops one producer after a failure (e.g. fenced): the next use creates a fresh one. */
  async discard(topic: string, partition: number): Promise<void> {
    const id = TransactionalProducers.transactionalId(this.settings.groupId, topic, partition);
    const producer = this.producers.get(id);
    this.producers.delete(id);
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  }
}
