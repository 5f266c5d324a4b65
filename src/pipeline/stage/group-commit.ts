/**
 * Group commit: the one transactional producer of a stage process commits what every
 * partition has ready (outputs, dead letters, each partition's next offset) in one
 * transaction, one transaction at a time. kafkajs allows one open transaction per
 * producer and a transaction costs ~10 requests (coordinator lookups included), so
 * requests arriving while a transaction commits wait and share the next one: the
 * transaction rate stays bounded however many partitions and events there are.
 *
 * The transactional id is `<group>.<HMA_INSTANCE_ID>`: a restarted instance with the
 * same id aborts its predecessor's open transaction at once; with a new id, the broker
 * aborts it after the transaction timeout, and read_committed consumers never see it.
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
  readonly partition: number;
  /** In order: outputs of the partition's events, oldest first. */
  readonly records: readonly CommitRecord[];
  /** Offset of the partition's next event to consume once this commits. */
  readonly nextOffset: bigint;
}

export interface GroupCommitSettings {
  readonly groupId: string;
  readonly inputTopic: string;
  readonly transactionalId: string;
  readonly transactionTimeoutMs: number;
  /** Wait this long after the first request before committing, to gather more (0 = commit at once). */
  readonly lingerMs: number;
}

export interface CommitStats {
  readonly records: number;
  readonly requests: number;
  readonly seconds: number;
}

interface Pending {
  readonly request: CommitRequest;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class GroupCommitter {
  private producer: Promise<Producer> | undefined;
  private queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: GroupCommitSettings,
    private readonly onCommit: (stats: CommitStats, outcome: 'commit' | 'abort') => void = () => undefined,
  ) {}

  /** Connects (initialising the transactional id, which fences a predecessor with the same id). */
  async connect(): Promise<void> {
    await this.connected();
  }

  private connected(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        transactionalId: this.settings.transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: this.settings.transactionTimeoutMs,
        // Java's partitioner (murmur2 of the key), so our topics partition like any other client's.
        createPartitioner: Partitioners.DefaultPartitioner,
        // Right after a commit the broker answers the next transaction with CONCURRENT_TRANSACTIONS
        // until its markers are written, usually within a few ms; kafkajs's default first retry
        // (300 ms) would cost that much per transaction.
        retry: { initialRetryTime: 5, maxRetryTime: 100, retries: Number.MAX_SAFE_INTEGER },
      });
      const ready = producer.connect().then(() => producer);
      ready.catch(() => {
        if (this.producer === ready) this.producer = undefined;
      });
      this.producer = ready;
    }
    return this.producer;
  }

  /** Resolves once the request's records and offset are committed; rejects if its transaction failed. */
  commit(request: CommitRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        if (this.settings.lingerMs > 0) await new Promise((r) => setTimeout(r, this.settings.lingerMs));
        const batch = this.queue;
        this.queue = [];
        try {
          await this.transaction(batch.map((p) => p.request));
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
          // The producer may be fenced or in an error state: the next use starts afresh.
          await this.close();
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async transaction(requests: readonly CommitRequest[]): Promise<void> {
    const t0 = performance.now();
    const byTopic = new Map<string, Array<{ key: string; value: Buffer }>>();
    const offsets = new Map<number, bigint>();
    let records = 0;
    for (const r of requests) {
      for (const rec of r.records) {
        let list = byTopic.get(rec.topic);
        if (!list) byTopic.set(rec.topic, (list = []));
        list.push({ key: rec.key, value: rec.value });
        records++;
      }
      const had = offsets.get(r.partition);
      if (had === undefined || r.nextOffset > had) offsets.set(r.partition, r.nextOffset);
    }
    const producer = await this.connected();
    const txn = await producer.transaction();
    const stats = () => ({ records, requests: requests.length, seconds: (performance.now() - t0) / 1000 });
    try {
      for (const [topic, messages] of byTopic) {
        for (const chunk of chunkBySize(messages)) await txn.send({ topic, messages: chunk });
      }
      await txn.sendOffsets({
        consumerGroupId: this.settings.groupId,
        topics: [{ topic: this.settings.inputTopic, partitions: [...offsets].map(([partition, offset]) => ({ partition, offset: String(offset) })) }],
      });
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => undefined);
      this.onCommit(stats(), 'abort');
      throw err;
    }
    this.onCommit(stats(), 'commit');
  }

  async close(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    await p?.then((producer) => producer.disconnect()).catch(() => undefined);
  }
}
