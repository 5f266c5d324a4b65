/**
 * The generic exactly-once consume–transform–produce runner every pipeline stage
 * (hasher, matcher, actioner) is built on.
 *
 * Each claimed partition has a commit window (window.ts) that outlives fetched batches:
 * events are admitted in offset order, decoded and handled with at most `maxInFlight`
 * at once, and contiguous completed runs are committed (outputs, dead letters and the
 * consumer offset together) in Kafka transactions of that partition's own
 * transactional producer (partition-committer.ts). Consumers read committed only, so
 * downstream never sees output of an aborted or crashed attempt, and the offset moves
 * only with the outputs it produced. kafkajs is told an event is handled once it is
 * admitted, so it fetches on while the window works; after a rebalance or a restart it
 * reads the committed offsets again, so uncommitted work is fetched again, never lost.
 *
 * Claiming a partition: before the first event of a partition in a group generation,
 * the runner initialises the partition's transactional id (fencing any other process
 * still holding it, and completing or aborting that holder's open transaction), then
 * re-reads the group's committed offset and skips what is below it. kafkajs read its
 * offsets earlier, possibly before a fenced holder's last commit landed.
 *
 * Back-pressure: a batch's handler waits while its partition's window is full
 * (`maxInFlight` processing, or 4× that not yet committed), and kafkajs fetches again
 * only once every batch of the previous fetch has been handed over, so a backlog waits
 * in Kafka, not in memory.
 *
 * Failures: a malformed event is dead-lettered with its raw bytes; a transient one is
 * retried with backoff, then dead-lettered; a permanent one is dead-lettered at once.
 * A failed transaction (e.g. fenced) restarts the consumer, which then resumes from
 * the committed offsets.
 */
import type { Admin, Consumer, ConsumerConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Config } from '../../config/config.js';
import { consumerRestart, isConsumerRestart } from '../../kafka/client.js';
import type { TopicCodec } from '../../kafka/codec.js';
import { isOutageError, keepTrying } from '../../kafka/connectivity.js';
import type { DeadLetterValue, TopicValues } from '../../kafka/values.js';
import { log } from '../../observability/logger.js';
import { topicName, type TopicName } from '../../../topology/topics.js';
import { backoffDelayMs, sleep, type Backoff } from '../../retry/backoff.js';
import { classify, malformedEvent, type DeadLetterReason } from '../deadletter/reasons.js';
import { LagMonitor } from './lag.js';
import { pipelineMetrics as m } from './metrics.js';
import { PartitionCommitter, type CommitRecord } from './partition-committer.js';
import { CommitWindow } from './window.js';

export type StageName = 'hasher' | 'matcher' | 'actioner' | 'retro-matcher';

/** One value to produce, typed by its topic. */
export type Output = { [T in TopicName]: { readonly topic: T; readonly key: string; readonly value: TopicValues[T] } }[TopicName];

/** Bytes for a topic outside the topology (e.g. an actioner's target topic), name as on the broker. */
export interface RawOutput {
  readonly rawTopic: string;
  readonly key: string;
  readonly value: Buffer;
}

export interface HandleResult {
  readonly outputs: ReadonlyArray<Output | RawOutput>;
  /** Runs once the transaction carrying the outputs has committed (not at all if it fails). */
  readonly afterCommit?: () => Promise<void>;
}

/** Where an event came from, as read. */
export interface Source {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
}

export interface HandleContext {
  /** 1 on the first attempt. */
  readonly attempt: number;
  readonly source: Source;
}

export interface StageSpec<I extends TopicName> {
  readonly name: StageName;
  readonly input: I;
  readonly maxInFlight: number;
  /** Throws (e.g. `malformedEvent`) when a decoded event lacks what the stage needs. */
  readonly validate?: (value: TopicValues[I]) => void;
  /** Transforms one event into outputs; may throw typed errors (see deadletter/reasons.ts). */
  readonly handle: (value: TopicValues[I], ctx: HandleContext) => Promise<readonly Output[] | HandleResult>;
  /** Submission time (epoch ms) of the content an event is about, for end-to-end latency. */
  readonly submittedAt: (value: TopicValues[I]) => number;
  /** Topics `handle` may produce to (their schema ids are looked up before consuming). */
  readonly outputs: readonly TopicName[];
  /** Handle events with the same key one after the other (else a batch's events run concurrently). */
  readonly orderByKey?: boolean;
  /** An input that is a compacted topic (the retro-matcher's `signals`): a tombstone is consumed with no output instead of dead-lettered. */
  readonly skipTombstones?: boolean;
  /** Told when the stage gives up its claims: work handled but not committed will be handled again. */
  readonly onRelease?: () => void;
}

export interface StageDeps {
  readonly config: Config;
  readonly kafka: Kafka;
  readonly codec: TopicCodec;
}

interface Claim {
  readonly committer: PartitionCommitter;
  readonly window: CommitWindow<KafkaMessage, Processed>;
  /** Offset of the next event to admit: the group's committed offset at the claim, then after the last admitted. */
  next: bigint;
}

interface Processed {
  readonly records: readonly CommitRecord[];
  /** Set for events whose outputs carry the content on (not dead-lettered). */
  readonly submittedAt: number | undefined;
  readonly afterCommit?: () => Promise<void>;
}

/** Retries of a handler: the configured base, doubling, at most 30 s apart. */
const handlerBackoff = (baseMs: number): Backoff => ({ baseMs, capMs: 30_000, jitter: 'none' });
/** Waiting for the schema registry to come back. */
const registryBackoff: Backoff = { baseMs: 250, capMs: 30_000, jitter: 'none' };
const HEARTBEAT_EVERY_MS = 1000;

/** The consumer group of a stage: one per stage and deployment prefix. */
export const stageGroupId = (prefix: string, name: StageName) => `${prefix}${name}`;

/** The consumer settings of every pipeline consumer group (stages, the flood counter): read committed only. */
export const pipelineConsumerConfig = (groupId: string, cfg: Pick<Config, 'PIPELINE_SESSION_TIMEOUT_MS'>): ConsumerConfig => ({
  groupId,
  sessionTimeout: cfg.PIPELINE_SESSION_TIMEOUT_MS,
  heartbeatInterval: Math.max(500, Math.floor(cfg.PIPELINE_SESSION_TIMEOUT_MS / 10)),
  readUncommitted: false,
  maxWaitTimeInMs: 500,
});

export function buildDeadLetter(
  source: Source,
  stage: StageName,
  reason: DeadLetterReason,
  message: string,
  attempts: number,
): Output {
  const value: DeadLetterValue = {
    original_topic: source.topic,
    original_partition: source.partition,
    original_offset: Number(source.offset),
    original_key: source.key,
    original_value: source.value,
    stage,
    reason,
    message,
    attempts,
    failed_at: Date.now(),
  };
  return { topic: 'deadletter', key: source.key ?? '', value };
}

export class Stage<I extends TopicName> {
  readonly groupId: string;
  private readonly inputTopic: string;
  /** This generation's claimed partitions: their committers and the offset below which events are done. */
  private claims = new Map<number, Promise<Claim>>();
  /** Committers of the previous generation, closing. */
  private releasing: Promise<unknown> = Promise.resolve();
  private readonly admin: Admin;
  private readonly lag: LagMonitor;
  private readonly logger;
  private consumer: Consumer | undefined;
  private stopping = false;
  private joined = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarting = false;
  /** Set when a transaction failed: batches refuse work until the consumer restarts from committed offsets. */
  private poisoned = false;

  constructor(
    private readonly deps: StageDeps,
    private readonly spec: StageSpec<I>,
  ) {
    const prefix = deps.config.TOPIC_PREFIX;
    this.groupId = stageGroupId(prefix, spec.name);
    this.inputTopic = topicName(prefix, spec.input);
    this.admin = deps.kafka.admin();
    this.lag = new LagMonitor(this.admin, this.groupId, this.inputTopic);
    this.logger = log(spec.name);
  }

  /** Claims a partition once per generation (see the header). */
  private claim(partition: number): Promise<Claim> {
    let claim = this.claims.get(partition);
    if (!claim) {
      const opened = this.openClaim(partition);
      this.claims.set(partition, opened);
      opened.catch(() => {
        if (this.claims.get(partition) === opened) this.claims.delete(partition);
      });
      claim = opened;
    }
    return claim;
  }

  private async openClaim(partition: number): Promise<Claim> {
    await this.releasing;
    const cfg = this.deps.config;
    const stage = this.spec.name;
    const committer = new PartitionCommitter(
      this.deps.kafka,
      {
        groupId: this.groupId,
        inputTopic: this.inputTopic,
        partition,
        transactionTimeoutMs: cfg.PIPELINE_TRANSACTION_TIMEOUT_MS,
      },
      (outcome, seconds) => {
        m.transactions.inc({ stage, outcome });
        if (outcome === 'commit') m.transactionSeconds.observe({ stage }, seconds);
      },
    );
    try {
      await committer.connect();
      const [offsets] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.inputTopic] });
      const committed = offsets?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      const byKey = this.spec.orderByKey ? new KeyChains() : undefined;
      const window = new CommitWindow<KafkaMessage, Processed>({
        maxInFlight: this.spec.maxInFlight,
        maxUncommitted: this.spec.maxInFlight * 4,
        lingerMs: cfg.PIPELINE_COMMIT_LINGER_MS,
        backlogLingerMs: cfg.PIPELINE_BACKLOG_LINGER_MS,
        process: (message) =>
          byKey ? byKey.run(message.key?.toString('latin1') ?? '', () => this.process(partition, message)) : this.process(partition, message),
        commit: (messages, results) => this.commit(committer, results, BigInt(messages[messages.length - 1].offset) + 1n),
        onFailure: (err) => this.onWindowFailure(partition, err),
      });
      return { committer, window, next: BigInt(committed) < 0n ? 0n : BigInt(committed) };
    } catch (err) {
      await committer.close();
      throw err;
    }
  }

  /**
   * Gives up every claim (on a new generation, a restart or stop): uncommitted work is
   * dropped (kafkajs fetches it again from the committed offset) and the next batch
   * claims afresh.
   */
  private releaseClaims(): Promise<unknown> {
    const old = [...this.claims.values()];
    this.claims = new Map();
    this.spec.onRelease?.();
    const closing = Promise.allSettled(
      old.map((c) =>
        c.then((claim) => {
          claim.window.close();
          return claim.committer.close();
        }),
      ),
    );
    this.releasing = Promise.all([this.releasing, closing]);
    return this.releasing;
  }

  /** Undefined when consuming, else why not (for /status). */
  readiness(): string | undefined {
    // Upper-case tokens, as HMA's own /status reasons.
    if (this.stopping) return `${this.spec.name.toUpperCase()}-STOPPING`;
    if (!this.joined) return `${this.spec.name.toUpperCase()}-NOT-CONSUMING`;
    return undefined;
  }

  /**
   * Resolves once consuming. Kafka or the registry being down is waited out (the process
   * reports why it is not ready meanwhile); a schema missing from the registry is
   * retried too, and logged, since `hma topology apply` may be running.
   */
  async start(): Promise<void> {
    await keepTrying(
      async () => {
        // Schema ids first, so that no transaction ever fails for want of one.
        for (const topic of new Set<TopicName>([this.spec.input, ...this.spec.outputs, 'deadletter'])) {
          await this.deps.codec.schemaId(topic);
        }
        await this.admin.connect();
        await this.startConsumer();
      },
      {
        stopped: () => this.stopping,
        onError: (err) => {
          const consumer = this.consumer;
          this.consumer = undefined;
          void consumer?.disconnect().catch(() => undefined);
          if (isOutageError(err)) this.logger.debug({ err }, 'cannot start yet; retrying');
          else this.logger.warn({ err }, 'could not start; retrying');
        },
      },
    );
    if (!this.stopping) this.lag.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    // Batches stop admitting; what was admitted is finished and committed while the partitions are still ours.
    await Promise.allSettled([...this.claims.values()].map((c) => c.then((claim) => claim.window.drain())));
    await this.consumer?.disconnect();
    await this.releaseClaims();
    this.lag.stop();
    await this.admin.disconnect();
  }

  private async startConsumer(): Promise<void> {
    const cfg = this.deps.config;
    const consumer = this.deps.kafka.consumer(pipelineConsumerConfig(this.groupId, cfg));
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      // A replaced consumer that kafkajs restarted anyway (its restart was under way when we
      // disconnected it, e.g. during a broker outage): it must not consume next to its successor.
      if (consumer !== this.consumer) {
        void consumer.disconnect().catch(() => undefined);
        return;
      }
      this.joined = true;
      // kafkajs has read the committed offsets again: the new generation claims afresh.
      void this.releaseClaims();
      this.logger.info({ partitions: payload.memberAssignment[this.inputTopic] ?? [] }, 'joined group');
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (consumer !== this.consumer) return; // a replaced consumer going down
      this.joined = false;
      // A broker outage is logged once by the process's health probe.
      if (isOutageError(payload.error) || isConsumerRestart(payload.error)) this.logger.debug({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      else this.logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      if (!payload.restart && !this.stopping) this.scheduleRestart();
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.inputTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, cfg.TOPIC_PARTITIONS),
      // A replaced consumer takes no work (see GROUP_JOIN above): it leaves the batch unresolved
      // (its successor reads it from the committed offset), pauses and goes away quietly.
      // Failing it instead would make kafkajs log a crash at error level for a normal restart.
      eachBatch: async (payload) => {
        if (consumer === this.consumer) return this.onBatch(payload);
        payload.pause();
        void consumer.disconnect().catch(() => undefined);
      },
    });
  }

  private scheduleRestart(): void {
    if (this.restarting) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      const old = this.consumer;
      this.restarting = true;
      void (async () => {
        await old?.disconnect().catch(() => undefined);
        await this.releaseClaims();
        this.poisoned = false;
        await this.startConsumer();
      })()
        .catch((err: unknown) => {
          if (isOutageError(err)) this.logger.debug({ err }, 'consumer restart failed; retrying');
          else this.logger.error({ err }, 'consumer restart failed; retrying');
          this.restarting = false;
          this.scheduleRestart();
        })
        .finally(() => {
          this.restarting = false;
        });
    }, 1000);
  }

  /** A transaction of the partition failed (e.g. fenced): restart from the committed offsets. */
  private onWindowFailure(partition: number, err: unknown): void {
    this.poisoned = true;
    if (isOutageError(err)) this.logger.debug({ err, partition }, 'transaction failed: restarting the consumer from the committed offsets');
    else this.logger.warn({ err, partition }, 'transaction failed: restarting the consumer from the committed offsets');
    if (!this.stopping) this.scheduleRestart();
  }

  /** Hands a fetched batch to its partition's window; returns once every event is admitted (or intake stops). */
  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    const { partition } = batch;
    if (this.poisoned) throw consumerRestart('a transaction failed');

    // kafkajs heartbeats only between batches; admission may wait for room in the window.
    let rebalance: unknown;
    let beating = false;
    const beat = setInterval(() => {
      if (beating) return;
      beating = true;
      heartbeat()
        .catch((err: unknown) => {
          rebalance ??= err;
        })
        .finally(() => {
          beating = false;
        });
    }, HEARTBEAT_EVERY_MS);
    const started = Date.now();
    const budget = this.deps.config.PIPELINE_BATCH_BUDGET_MS;
    let claim: Claim;
    try {
      claim = await this.claim(partition);
    } catch (err) {
      clearInterval(beat);
      throw err;
    }
    let skipped = 0;
    try {
      for (const message of batch.messages) {
        const offset = BigInt(message.offset);
        // Committed by the partition's previous holder (kafkajs read an older offset).
        if (offset < claim.next) {
          skipped++;
          resolveOffset(message.offset);
          continue;
        }
        if (rebalance !== undefined || this.stopping || this.poisoned || !isRunning() || isStale() || Date.now() - started > budget) break;
        await claim.window.admit(message);
        claim.next = offset + 1n;
        resolveOffset(message.offset);
      }
    } catch (err) {
      this.poisoned = true;
      if (isOutageError(err)) this.logger.debug({ err, partition }, 'admitting an event failed: restarting the consumer from the committed offsets');
      else this.logger.warn({ err, partition }, 'admitting an event failed: restarting the consumer from the committed offsets');
      throw consumerRestart(`partition ${partition}: ${(err as Error).message}`);
    } finally {
      clearInterval(beat);
    }
    if (skipped > 0) this.logger.info({ partition, skipped, next: String(claim.next) }, 'skipped events committed by the previous holder');
    if (rebalance !== undefined) throw rebalance;
    // Stopping: the windows drain while kafkajs still fetches; don't spin on a batch we won't take.
    if (this.stopping) await sleep(200);
    if (this.poisoned) throw consumerRestart('a transaction failed');
  }

  private async commit(committer: PartitionCommitter, results: readonly Processed[], nextOffset: bigint): Promise<void> {
    const stage = this.spec.name;
    const records = results.flatMap((r) => r.records);
    await committer.commit({ records, nextOffset });
    const now = Date.now();
    const perTopic = new Map<string, number>();
    for (const r of records) perTopic.set(r.topic, (perTopic.get(r.topic) ?? 0) + 1);
    for (const [topic, n] of perTopic) m.eventsOut.inc({ stage, topic }, n);
    for (const r of results) {
      if (r.submittedAt !== undefined) m.endToEnd.observe({ stage }, Math.max(0, now - r.submittedAt) / 1000);
    }
    for (const r of results) {
      await r.afterCommit?.().catch((err: unknown) => this.logger.error({ err }, 'after-commit step failed'));
    }
  }

  private async process(partition: number, message: KafkaMessage): Promise<Processed> {
    const stage = this.spec.name;
    const source: Source = {
      topic: this.inputTopic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      value: message.value,
    };
    m.eventsIn.inc({ stage });
    m.inFlight.inc({ stage });
    const t0 = performance.now();
    try {
      let value: TopicValues[I];
      if (message.value === null && this.spec.skipTombstones) return { records: [], submittedAt: undefined };
      try {
        if (message.value === null) throw malformedEvent('empty value (tombstone) on a pipeline topic');
        value = await this.decodeWaiting(message.value);
        this.spec.validate?.(value);
      } catch (err) {
        // Stopping while the registry is away: fail the window (nothing committed, the event is read again), never dead-letter.
        if ((err as { code?: unknown }).code === 'unavailable') throw err;
        const reason = 'malformed_event';
        m.errors.inc({ stage, reason });
        return await this.deadLetter(source, reason, (err as Error).message, 1);
      }
      const cfg = this.deps.config;
      for (let attempt = 1; ; attempt++) {
        try {
          const handled = await this.spec.handle(value, { attempt, source });
          const { outputs, afterCommit } = Array.isArray(handled) ? { outputs: handled as readonly Output[], afterCommit: undefined } : (handled as HandleResult);
          return { records: await this.encode(outputs), submittedAt: this.spec.submittedAt(value), afterCommit };
        } catch (err) {
          const c = classify(err);
          m.errors.inc({ stage, reason: c.reason });
          if (c.disposition === 'retry' && attempt < cfg.PIPELINE_RETRY_ATTEMPTS && !this.stopping) {
            await sleep(backoffDelayMs(handlerBackoff(cfg.PIPELINE_RETRY_BACKOFF_MS), attempt));
            continue;
          }
          if (c.reason === 'internal_error') this.logger.error({ err, offset: message.offset, partition }, 'unexpected failure: dead-lettering');
          return await this.deadLetter(source, c.reason, c.message, attempt);
        }
      }
    } finally {
      m.inFlight.dec({ stage });
      m.stageLatency.observe({ stage }, (performance.now() - t0) / 1000);
    }
  }

  /** Decodes, waiting while the registry cannot be reached (the event is not malformed, the registry is away). */
  private async decodeWaiting(bytes: Buffer): Promise<TopicValues[I]> {
    for (let retry = 1; ; retry++) {
      try {
        return await this.deps.codec.decode(this.spec.input, bytes);
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'unavailable' || this.stopping) throw err;
        await sleep(backoffDelayMs(registryBackoff, retry));
      }
    }
  }

  private async deadLetter(source: Source, reason: DeadLetterReason, message: string, attempts: number): Promise<Processed> {
    m.deadLetters.inc({ stage: this.spec.name, reason });
    return { records: await this.encode([buildDeadLetter(source, this.spec.name, reason, message, attempts)]), submittedAt: undefined };
  }

  private async encode(outputs: ReadonlyArray<Output | RawOutput>): Promise<CommitRecord[]> {
    const prefix = this.deps.config.TOPIC_PREFIX;
    return Promise.all(
      outputs.map(async (o) => {
        if ('rawTopic' in o) return { topic: o.rawTopic, key: o.key, value: o.value };
        return {
          topic: topicName(prefix, o.topic),
          key: o.key,
          // The union pairs each topic with its value type; TypeScript cannot follow that pairing through a generic call.
          value: await this.deps.codec.encode(o.topic, o.value as never),
        };
      }),
    );
  }
}

/** Runs tasks of the same key one after another, tasks of different keys concurrently. */
class KeyChains {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<R>(key: string, task: () => Promise<R>): Promise<R> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const mine = before.then(task, task);
    const tail = mine.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return mine;
  }
}
