/**
 * Feeds a MatchReplica from the compacted `signals` and `banks` topics: reads both
 * from the beginning on every start (each process holds its own replica), reports
 * ready once caught up with the end offsets seen at start, then applies changes
 * as they arrive. Offsets are never committed: the topics are the state.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { Counter, Gauge, Histogram } from 'prom-client';
import { log } from '../observability/logger.js';
import { registry } from '../observability/metrics.js';
import type { BankChange, SignalChange } from './changes.js';
import { parseSignalKey } from './changes.js';
import type { MatchReplica } from './replica.js';

export interface ReplicaTopics {
  readonly signals: string;
  readonly banks: string;
}

export type Decode = (topic: string, value: Buffer) => Promise<unknown>;

const applied = new Counter({
  name: 'hma_replica_events_applied_total',
  help: 'Change events applied to this process\'s match replica, by topic',
  labelNames: ['topic'] as const,
  registers: [registry],
});
const rejected = new Counter({
  name: 'hma_replica_events_rejected_total',
  help: 'Change events that could not be decoded or had a malformed key, by topic',
  labelNames: ['topic'] as const,
  registers: [registry],
});
const replayRemaining = new Gauge({
  name: 'hma_replica_replay_remaining_messages',
  help: 'Messages left to read before the replica has caught up with the end offsets seen at start',
  registers: [registry],
});

const applyDelay = new Histogram({
  name: 'hma_replica_apply_delay_seconds',
  help: 'From a curation change (changed_at) to this replica applying it, once caught up (replayed changes are not counted)',
  labelNames: ['topic'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

type Offsets = Map<string, Map<number, bigint>>;

export class ReplicaFeed {
  private readonly consumed: Offsets = new Map();
  private readonly startEnds: Offsets = new Map();
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private readyFlag = false;
  private readonly waiters: Array<() => void> = [];
  private readonly logger = log('replica');

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: ReplicaTopics,
    private readonly decode: Decode,
    private readonly replica: MatchReplica,
    private readonly groupPrefix: string,
  ) {}

  get ready(): boolean {
    return this.readyFlag;
  }

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    for (const topic of [this.topics.signals, this.topics.banks]) {
      this.startEnds.set(topic, await this.endOffsets(topic));
      this.consumed.set(topic, new Map());
    }
    this.checkReady();
    // A group of one, new on every start, so the replica always reads everything.
    this.consumer = this.kafka.consumer({
      groupId: `${this.groupPrefix}replica.${randomUUID()}`,
      maxBytes: 50 * 1024 * 1024,
      sessionTimeout: 30_000,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topics.signals, this.topics.banks], fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatch: (p) => this.onBatch(p) });
    this.logger.info({ topics: this.topics }, 'replaying signal and bank topics');
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.admin?.disconnect();
  }

  /** Resolves once caught up with the end offsets at start (or rejects after timeoutMs). */
  waitReady(timeoutMs: number): Promise<void> {
    return this.waitFor(() => this.readyFlag, timeoutMs, 'replica not ready');
  }

  /**
   * Waits until every change published before this call has been applied
   * (read-your-writes). Bounded: resolves false if timeoutMs passes first.
   */
  async catchUp(timeoutMs: number): Promise<boolean> {
    const targets: Offsets = new Map();
    for (const topic of [this.topics.signals, this.topics.banks]) targets.set(topic, await this.endOffsets(topic));
    try {
      await this.waitFor(() => this.reached(targets), timeoutMs, 'catch-up timed out');
      return true;
    } catch {
      return false;
    }
  }

  private async endOffsets(topic: string): Promise<Map<number, bigint>> {
    const admin = this.admin;
    if (!admin) throw new Error('replica feed not started');
    const out = new Map<number, bigint>();
    for (const p of await admin.fetchTopicOffsets(topic)) out.set(p.partition, BigInt(p.high));
    return out;
  }

  private reached(targets: Offsets): boolean {
    let remaining = 0n;
    for (const [topic, parts] of targets) {
      const done = this.consumed.get(topic);
      for (const [partition, end] of parts) {
        const next = done?.get(partition) ?? 0n;
        if (next < end) remaining += end - next;
      }
    }
    return remaining === 0n;
  }

  private checkReady(): void {
    if (this.readyFlag) return;
    let remaining = 0n;
    for (const [topic, parts] of this.startEnds) {
      const done = this.consumed.get(topic);
      for (const [partition, end] of parts) {
        const next = done?.get(partition) ?? 0n;
        if (next < end) remaining += end - next;
      }
    }
    replayRemaining.set(Number(remaining));
    if (remaining === 0n) {
      this.readyFlag = true;
      this.logger.info({ banks: this.replica.bankCount }, 'replica caught up: ready');
    }
  }

  private async onBatch({ batch, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    const topic = batch.topic;
    const kind = topic === this.topics.signals ? 'signal' : 'bank';
    for (const message of batch.messages) {
      const key = message.key?.toString('utf8') ?? '';
      try {
        const value = message.value === null ? null : await this.decode(topic, message.value);
        if (kind === 'signal') {
          if (!parseSignalKey(key)) throw new Error(`malformed signal key '${key}'`);
          this.replica.applySignal(key, value as SignalChange | null);
        } else {
          if (!/^\d+$/.test(key)) throw new Error(`malformed bank key '${key}'`);
          this.replica.applyBank(key, value as BankChange | null);
        }
        applied.inc({ topic });
        if (this.readyFlag && value !== null) {
          const changedAt = (value as SignalChange | BankChange).changed_at;
          applyDelay.observe({ topic }, Math.max(0, Date.now() - changedAt) / 1000);
        }
      } catch (err) {
        // One bad event must never stop the replica: count it, log it, move on.
        rejected.inc({ topic });
        this.logger.error({ err, topic, partition: batch.partition, offset: message.offset }, 'skipping bad change event');
      }
      this.consumed.get(topic)?.set(batch.partition, BigInt(message.offset) + 1n);
      resolveOffset(message.offset);
    }
    await heartbeat();
    this.checkReady();
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const check = () => {
        if (cond()) return resolve();
        if (Date.now() >= deadline) return reject(new Error(what));
        this.waiters.push(check);
        setTimeout(() => this.wake(), Math.min(50, Math.max(1, deadline - Date.now()))).unref();
      };
      check();
    });
  }
}
