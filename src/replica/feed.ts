/**
 * Feeds a MatchReplica from the compacted `signals` and `banks` topics: reads both
 * from the beginning on every start (each process holds its own replica), reports
 * ready once caught up with the end offsets seen at start, then applies changes
 * as they arrive. Offsets are never committed: the topics are the state.
 *
 * Kafka may be down when the feed starts or at any time after: it connects in the
 * background until the broker answers, and when its consumer gives up it starts a new
 * one where the replica stands (never replaying from the start again). Meanwhile the
 * replica keeps answering lookups, and `stalenessSeconds` says how old its view may
 * be: the time since the replica was last seen to hold everything on the topics.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { Counter, Gauge, Histogram } from 'prom-client';
import { NOT_YET, type TopicCodec } from '../kafka/codec.js';
import { isKafkaConnectivityError, withDeadline } from '../kafka/connectivity.js';
import { log } from '../observability/logger.js';
import { registry } from '../observability/metrics.js';
import { backoffDelayMs, sleep, type Backoff } from '../retry/backoff.js';
import type { BankChange, SignalChange } from './changes.js';
import { parseSignalKey } from './changes.js';
import type { MatchReplica } from './replica.js';

export interface ReplicaTopics {
  readonly signals: string;
  readonly banks: string;
}

/**
 * Decodes a value: synchronously when it can (a replay is tens of millions of messages with one
 * writer schema, and a promise per message was a fifth of its time), else as a promise.
 */
export type Decode = (topic: string, value: Buffer) => unknown;

/** The feed's `Decode` over the topic codec: `decodeNow` once the writer schema is known, else `decode`. */
export function codecDecode(codec: TopicCodec, topics: ReplicaTopics): Decode {
  return (topic, value) => {
    const name = topic === topics.signals ? 'signals' : 'banks';
    const now = codec.decodeNow(name, value);
    return now === NOT_YET ? codec.decode(name, value) : now;
  };
}

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

// One replica per process; should a process build two, the gauge follows the last one.
let watched: ReplicaFeed | undefined;
new Gauge({
  name: 'hma_replica_staleness_seconds',
  help: 'How old this process\'s replica may be: seconds since it was last seen to hold every change on the signal and bank topics (-1 until first caught up)',
  registers: [registry],
  collect() {
    this.set(watched?.stalenessSeconds() ?? -1);
  },
});

const applyDelay = new Histogram({
  name: 'hma_replica_apply_delay_seconds',
  help: 'From a curation change (changed_at) to this replica applying it, once caught up (replayed changes are not counted)',
  labelNames: ['topic'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

type Offsets = Map<string, Map<number, bigint>>;

const FRESHNESS_EVERY_MS = 1000;
/** Between attempts to start the feed while Kafka is unreachable: 0.5 s doubling to 5 s. */
const reconnectBackoff: Backoff = { baseMs: 500, capMs: 5000, jitter: 'none' };
/** Between attempts to decode while the schema registry is unreachable: 0.25 s doubling to 5 s. */
const registryBackoff: Backoff = { baseMs: 250, capMs: 5000, jitter: 'none' };

export class ReplicaFeed {
  private readonly consumed: Offsets = new Map();
  private startEnds: Offsets | undefined;
  /** When startEnds were read: once they are reached, the replica holds everything as of then. */
  private startEndsAt = 0;
  private consumer: Consumer | undefined;
  private quickAdmin: Admin | undefined;
  private readyFlag = false;
  private stopped = false;
  private connecting: Promise<void> | undefined;
  private freshness: NodeJS.Timeout | undefined;
  /** Epoch ms up to which the replica is known to hold every change (0 = not yet). */
  private freshAsOf = 0;
  /** End offsets seen at a moment, waiting for the replica to reach them. */
  private pendingFresh: { readonly at: number; readonly targets: Offsets } | undefined;
  private readonly waiters: Array<() => void> = [];
  private readonly logger = log('replica');

  /**
   * `kafka` runs the consumer (with kafkajs's retries); `quickKafka` asks for end offsets
   * once with short timeouts, so a bounded wait stays bounded while the broker is down.
   */
  constructor(
    private readonly kafka: Kafka,
    private readonly quickKafka: Kafka,
    private readonly topics: ReplicaTopics,
    private readonly decode: Decode,
    private readonly replica: MatchReplica,
    private readonly groupPrefix: string,
  ) {
    // oxlint-disable-next-line typescript/no-this-alias -- the staleness gauge reads the latest feed, not an alias for `this` in a closure
    watched = this;
  }

  get ready(): boolean {
    return this.readyFlag;
  }

  /** Seconds since the replica was last seen to hold every change on the topics; undefined until first caught up. */
  stalenessSeconds(now = Date.now()): number | undefined {
    return this.freshAsOf === 0 ? undefined : Math.max(0, now - this.freshAsOf) / 1000;
  }

  /** Starts replaying in the background (connecting until the broker answers); returns at once. */
  start(): void {
    for (const topic of [this.topics.signals, this.topics.banks]) this.consumed.set(topic, new Map());
    this.connectInBackground();
    this.freshness = setInterval(() => void this.checkFreshness(), FRESHNESS_EVERY_MS).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.freshness);
    await this.connecting?.catch(() => undefined);
    await this.consumer?.disconnect().catch(() => undefined);
    await this.quickAdmin?.disconnect().catch(() => undefined);
    this.wake();
  }

  /** Resolves once caught up with the end offsets at start (or rejects after timeoutMs). */
  waitReady(timeoutMs: number): Promise<void> {
    return this.waitFor(() => this.readyFlag, timeoutMs, 'replica not ready');
  }

  /**
   * Waits until every change published before this call has been applied
   * (read-your-writes). Bounded: resolves false if timeoutMs passes first or the
   * broker cannot be asked.
   */
  /**
   * Whether the replica has applied everything the topics held a moment ago, without waiting
   * for it to: the end offsets are asked for (within `offsetsTimeoutMs`, false if the broker
   * does not answer) and compared with what was applied.
   */
  async caughtUpNow(offsetsTimeoutMs = 2000): Promise<boolean> {
    try {
      return this.reached(await withDeadline(this.allEndOffsets(), offsetsTimeoutMs));
    } catch {
      return false;
    }
  }

  async catchUp(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const at = Date.now();
    let targets: Offsets;
    try {
      targets = await withDeadline(this.allEndOffsets(), timeoutMs);
    } catch {
      return false;
    }
    try {
      await this.waitFor(() => this.reached(targets), Math.max(0, deadline - Date.now()), 'catch-up timed out');
      this.markFresh(at);
      return true;
    } catch {
      return false;
    }
  }

  private connectInBackground(): void {
    if (this.stopped || this.connecting) return;
    this.connecting = (async () => {
      for (let retry = 1; !this.stopped; retry++) {
        try {
          await this.connect();
          return;
        } catch (err) {
          const old = this.consumer;
          this.consumer = undefined;
          await old?.disconnect().catch(() => undefined);
          if (this.stopped) return;
          // A broker outage is logged once by the health probe; anything else here is worth a line each time.
          if (isKafkaConnectivityError(err)) this.logger.debug({ err }, 'cannot reach Kafka yet; retrying');
          else this.logger.warn({ err }, 'replica feed could not start; retrying');
          await sleep(backoffDelayMs(reconnectBackoff, retry));
        }
      }
    })().finally(() => {
      this.connecting = undefined;
    });
  }

  private async connect(): Promise<void> {
    if (!this.startEnds) {
      const at = Date.now();
      this.startEnds = await this.allEndOffsets();
      this.startEndsAt = at;
      this.checkReady(at);
    }
    // A group of one, new on every start, so the replica always reads everything.
    const consumer = this.kafka.consumer({
      groupId: `${this.groupPrefix}replica.${randomUUID()}`,
      maxBytes: 50 * 1024 * 1024,
      // A replay reads whole topics: 16 MB per partition per fetch instead of kafkajs's 1 MB
      // means a sixteenth of the fetch round trips, each of which the replay waits out.
      maxBytesPerPartition: 16 * 1024 * 1024,
      // A group of one: nobody waits for a rebalance, but a long synchronous step (placing a
      // 100M replay's queued entries takes ~30 s) must not cost the membership.
      sessionTimeout: 300_000,
      rebalanceTimeout: 300_000,
      // Never restarted in place by kafkajs: its group would wait for the crashed member's
      // session to expire (up to 30 s after a broker outage) before assigning anything.
      // A crashed consumer is replaced by one in a new group, positioned where the replica stands.
      retry: { restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopped || consumer !== this.consumer) return;
      this.logger.debug({ err: payload.error }, 'replica consumer stopped; starting a new one where the replica stands');
      void consumer.disconnect().catch(() => undefined);
      this.consumer = undefined;
      this.connectInBackground();
    });
    // Should the group rebalance anyway (the broker restarted, a session expired), the consumer
    // would start again from the topics' beginning (no offsets are committed): go on from where
    // the replica stands instead of reading everything again.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [topic, parts] of this.consumed) {
        for (const [partition, next] of parts) consumer.seek({ topic, partition, offset: next.toString() });
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topics.signals, this.topics.banks], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatch: (p) => this.onBatch(p) });
    // A replacement consumer goes on from where the replica stands, not from the beginning.
    for (const [topic, parts] of this.consumed) {
      for (const [partition, next] of parts) consumer.seek({ topic, partition, offset: next.toString() });
    }
    this.logger.info({ topics: this.topics }, this.readyFlag ? 'replica consuming again' : 'replaying signal and bank topics');
  }

  private async quick(): Promise<Admin> {
    if (!this.quickAdmin) {
      const admin = this.quickKafka.admin();
      try {
        await admin.connect();
      } catch (err) {
        await admin.disconnect().catch(() => undefined);
        throw err;
      }
      this.quickAdmin = admin;
    }
    return this.quickAdmin;
  }

  private async allEndOffsets(): Promise<Offsets> {
    try {
      const admin = await this.quick();
      const out: Offsets = new Map();
      for (const topic of [this.topics.signals, this.topics.banks]) {
        const parts = new Map<number, bigint>();
        for (const p of await admin.fetchTopicOffsets(topic)) parts.set(p.partition, BigInt(p.high));
        out.set(topic, parts);
      }
      return out;
    } catch (err) {
      const admin = this.quickAdmin;
      this.quickAdmin = undefined;
      await admin?.disconnect().catch(() => undefined);
      throw err;
    }
  }

  /** Once a second: have we reached the topics' ends as they are now (or as they were at the last look)? */
  private async checkFreshness(): Promise<void> {
    if (!this.readyFlag || this.stopped) return;
    const at = Date.now();
    let targets: Offsets;
    try {
      targets = await withDeadline(this.allEndOffsets(), FRESHNESS_EVERY_MS * 3);
    } catch {
      return; // the broker cannot say: the replica's view ages
    }
    if (this.reached(targets)) this.markFresh(at);
    // Keep the oldest unreached target: a moving end under steady writes must not starve freshness.
    else this.pendingFresh ??= { at, targets };
  }

  private markFresh(at: number): void {
    if (at > this.freshAsOf) this.freshAsOf = at;
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

  private checkReady(at: number): void {
    if (this.readyFlag || !this.startEnds) return;
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
      // Ready means matchable at full speed: the replay's queued index work is done first.
      this.replica.settle();
      this.readyFlag = true;
      this.markFresh(at);
      this.logger.info({ banks: this.replica.bankCount }, 'replica caught up: ready');
    }
  }
  private async onBatch({ batch, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    const topic = batch.topic;
    const signals = topic === this.topics.signals;
    const tracking = this.readyFlag;
    let bad = 0;
    for (const message of batch.messages) {
      const key = message.key?.toString('utf8') ?? '';
      try {
        let value: unknown = null;
        if (message.value !== null) {
          value = this.decode(topic, message.value);
          if (value instanceof Promise) value = await this.decodeWaiting(topic, message.value, value);
        }
        if (signals) {
          const parsed = parseSignalKey(key);
          if (!parsed) throw new Error(`malformed signal key '${key}'`);
          this.replica.applySignalTo(parsed.signalType, parsed.contentId, value as SignalChange | null);
        } else {
          if (!/^\d+$/.test(key)) throw new Error(`malformed bank key '${key}'`);
          this.replica.applyBank(key, value as BankChange | null);
        }
        if (tracking && value !== null) {
          const changedAt = (value as SignalChange | BankChange).changed_at;
          applyDelay.observe({ topic }, Math.max(0, Date.now() - changedAt) / 1000);
        }
      } catch (err) {
        // One bad event must never stop the replica: count it, log it, move on.
        bad++;
        this.logger.error({ err, topic, partition: batch.partition, offset: message.offset }, 'skipping bad change event');
      }
    }
    // Per batch, not per message: at replay speed the counters and offsets were a tenth of the time.
    const n = batch.messages.length;
    if (n > 0) {
      const last = batch.messages[n - 1].offset;
      this.consumed.get(topic)?.set(batch.partition, BigInt(last) + 1n);
      resolveOffset(last);
      if (n > bad) applied.inc({ topic }, n - bad);
      if (bad > 0) rejected.inc({ topic }, bad);
    }
    await heartbeat();
    this.checkReady(this.startEndsAt);
    const pending = this.pendingFresh;
    if (pending && this.reached(pending.targets)) {
      this.markFresh(pending.at);
      this.pendingFresh = undefined;
    }
    this.wake();
  }

  /** Waits for a decode, retrying while the registry cannot be reached: skipping the event would leave the replica without it for good. */
  private async decodeWaiting(topic: string, value: Buffer, first: Promise<unknown>): Promise<unknown> {
    let attempt = first;
    for (let retry = 1; ; retry++) {
      try {
        return await attempt;
      } catch (err) {
        if (!isUnavailable(err) || this.stopped) throw err;
        await sleep(backoffDelayMs(registryBackoff, retry));
        attempt = Promise.resolve(this.decode(topic, value));
      }
    }
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

const isUnavailable = (err: unknown) => (err as { code?: unknown })?.code === 'unavailable';
