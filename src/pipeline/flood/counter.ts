/**
 * The flood counter: a consumer group on match.results (read committed) that keeps the
 * per-minute match counts of every bank content in Postgres and quarantines an entry whose
 * count in the sliding window exceeds the limits (store.ts). Any number of counters may run:
 * partitions are shared out by the group, counts add up in Postgres, and each batch is
 * counted in one transaction with its partition's offset, so exactly once across restarts
 * and rebalances. Composed by src/processes/flood.ts.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Config } from '../../config/config.js';
import type { Db } from '../../curation/db.js';
import type { TopicCodec } from '../../kafka/codec.js';
import { isOutageError, keepTrying } from '../../kafka/connectivity.js';
import type { MatchResultValue } from '../../kafka/values.js';
import { log } from '../../observability/logger.js';
import { topicName } from '../../../topology/topics.js';
import { pipelineConsumerConfig } from '../stage/stage.js';
import { floodMetrics } from './metrics.js';
import { countMatches, type FloodLimits } from './rules.js';
import { countBatch, pruneBuckets, quarantinedCount } from './store.js';

export const floodGroupId = (prefix: string) => `${prefix}flood`;

export function floodLimits(config: Config): FloodLimits {
  return {
    windowMs: config.FLOOD_WINDOW_SECONDS * 1000,
    maxMatches: config.FLOOD_MAX_MATCHES,
    baselineFactor: config.FLOOD_BASELINE_FACTOR,
    baselineMs: config.FLOOD_BASELINE_HOURS * 3_600_000,
  };
}

const HOUSEKEEPING_MS = 15_000;

export interface FloodCounterDeps {
  readonly config: Config;
  readonly db: Db;
  readonly kafka: Kafka;
  readonly codec: TopicCodec;
  readonly clock?: () => number;
}

export class FloodCounter {
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private stopping = false;
  private running = false;
  private housekeeping: NodeJS.Timeout | undefined;
  private readonly logger = log('flood');
  private readonly topic: string;
  private readonly groupId: string;
  private readonly limits: FloodLimits;
  private readonly clock: () => number;

  constructor(private readonly deps: FloodCounterDeps) {
    this.topic = topicName(deps.config.TOPIC_PREFIX, 'match.results');
    this.groupId = floodGroupId(deps.config.TOPIC_PREFIX);
    this.limits = floodLimits(deps.config);
    this.clock = deps.clock ?? Date.now;
  }

  /** Undefined once consuming, else why not. */
  readiness(): string | undefined {
    return this.running ? undefined : 'FLOOD-COUNTER-STARTING';
  }

  /** Connects in the background (Kafka may be down); returns at once. */
  start(): void {
    this.connect();
    void this.houseKeep();
    this.housekeeping = setInterval(() => void this.houseKeep(), HOUSEKEEPING_MS);
  }

  private connect(): void {
    void keepTrying(() => this.startConsumer(), {
      stopped: () => this.stopping,
      onError: (err) => {
        const c = this.consumer;
        this.consumer = undefined;
        void c?.disconnect().catch(() => undefined);
        if (isOutageError(err)) this.logger.debug({ err }, 'cannot start yet; retrying');
        else this.logger.warn({ err }, 'flood counter could not start; retrying');
      },
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.housekeeping);
    await this.consumer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }

  private async startConsumer(): Promise<void> {
    const cfg = this.deps.config;
    const consumer = this.deps.kafka.consumer(pipelineConsumerConfig(this.groupId, cfg));
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (isOutageError(payload.error)) this.logger.debug({ err: payload.error }, 'flood consumer crashed; kafkajs restarts it');
      else this.logger.warn({ err: payload.error, restart: payload.restart }, 'flood consumer crashed');
      if (!payload.restart && !this.stopping) {
        this.running = false;
        this.consumer = undefined;
        // kafkajs gave up on this consumer: a new one, from the offsets Postgres holds.
        void consumer.disconnect().catch(() => undefined).then(() => this.connect());
      }
    });
    this.admin ??= this.deps.kafka.admin();
    await this.admin.connect();
    await consumer.connect();
    // A group with nothing stored starts at the beginning: stored offsets (Postgres) decide what is counted.
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      // Kafka's committed offsets only say where to fetch from after a restart; Postgres has the truth.
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, cfg.TOPIC_PARTITIONS),
      eachBatch: (payload) => this.onBatch(consumer, payload),
    });
    this.running = true;
    this.logger.info({ group: this.groupId, limits: this.limits }, 'flood counter started');
  }

  private async onBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0 || this.stopping) return;
    const at = { consumer: this.groupId, topic: batch.topic, partition: batch.partition };
    // Decoded outside the transaction: the registry may be slow, and row locks should be short.
    const decoded: Array<{ offset: bigint; value: MatchResultValue }> = [];
    for (const m of batch.messages) {
      if (m.value) decoded.push({ offset: BigInt(m.offset), value: await this.deps.codec.decode('match.results', m.value) });
    }
    const firstOffset = BigInt(batch.messages[0]!.offset);
    const lastOffset = BigInt(batch.lastOffset());
    let acceptGap = false;
    for (;;) {
      const outcome = await countBatch(
        this.deps.db,
        at,
        { firstOffset, lastOffset, acceptGap },
        (next) => countMatches(decoded.filter((d) => d.offset >= next).map((d) => d.value)),
        this.limits,
        this.clock(),
      );
      if (outcome.kind === 'counted') {
        floodMetrics.matchesCounted.inc(outcome.counted);
        for (const q of outcome.quarantined) {
          floodMetrics.quarantineEvents.inc();
          this.logger.warn({ bankContentId: q.contentId, windowMatches: q.windowMatches, baselinePerWindow: q.baselinePerWindow }, 'bank content quarantined: match flood');
        }
        if (outcome.quarantined.length > 0) void this.houseKeep();
        payload.resolveOffset(batch.lastOffset());
        await payload.heartbeat();
        return;
      }
      // Fetched past the stored offset (e.g. Kafka's committed offset is ahead of Postgres after
      // a restore): go back, unless the messages in between have expired from the topic.
      const [low] = (await this.admin!.fetchTopicOffsets(batch.topic)).filter((p) => p.partition === batch.partition);
      if (low && BigInt(low.low) > outcome.next) {
        this.logger.warn({ partition: batch.partition, stored: String(outcome.next), low: low.low }, 'results not yet counted have expired from the topic; counting from here');
        acceptGap = true;
        continue;
      }
      consumer.seek({ topic: batch.topic, partition: batch.partition, offset: outcome.next.toString() });
      return;
    }
  }

  private async houseKeep(): Promise<void> {
    try {
      floodMetrics.quarantined.set(await quarantinedCount(this.deps.db));
      const keepMs = Math.max(this.deps.config.FLOOD_RETENTION_HOURS * 3_600_000, this.limits.baselineMs + this.limits.windowMs);
      await pruneBuckets(this.deps.db, new Date(this.clock() - keepMs));
    } catch (err) {
      this.logger.warn({ err }, 'flood housekeeping failed; retrying later');
    }
  }
}
