/**
 * Feeds the retro-matcher's RecentContent from Kafka: `content.hashed` (the contents) and
 * `match.results` (what the forward matcher, and earlier retroactive results, decided), read
 * committed from the start of the window (the first event at or after now − window) in a
 * throw-away group of its own (the one topic tail, src/kafka/tail.ts). Nothing is committed:
 * after a restart, or kill -9, the window is read again, which also brings back every
 * retroactive result already published.
 *
 * `caughtUp()` resolves once everything on both topics at the time of the call has been read,
 * coalescing concurrent callers into one end-offset request.
 */
import type { Admin, EachMessagePayload, Kafka } from 'kafkajs';
import type { TopicCodec } from '../../kafka/codec.js';
import { isOutageError } from '../../kafka/connectivity.js';
import { TopicTail } from '../../kafka/tail.js';
import type { TopicValues } from '../../kafka/values.js';
import { log } from '../../observability/logger.js';
import { backoffDelayMs, sleep, type Backoff } from '../../retry/backoff.js';
import type { RecentContent } from './recent-content.js';

export interface ContentWindowSettings {
  readonly hashedTopic: string;
  readonly resultsTopic: string;
  readonly windowMs: number;
  readonly groupIdPrefix: string;
}

const EVICT_EVERY_MS = 10_000;
const registryBackoff: Backoff = { baseMs: 250, capMs: 5000, jitter: 'none' };
const reconnectBackoff: Backoff = { baseMs: 500, capMs: 5000, jitter: 'none' };

export class ContentWindow {
  private readonly consumed = new Map<string, Map<number, bigint>>();
  /** Where the tail started in each partition (`topic:partition`). */
  private readonly startOffsets = new Map<string, bigint>();
  private tail: TopicTail | undefined;
  private admin: Admin | undefined;
  private evictTimer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  /** The catch-up in flight and when it asked for the end offsets. */
  private pending: { readonly askedAt: number; readonly done: Promise<void> } | undefined;
  private readyFlag = false;
  /** The window's start (epoch ms) as first read: a replacement reader starts there too. */
  private since = 0;
  private stopped = false;
  private readonly logger = log('retro-matcher');

  constructor(
    private readonly kafka: Kafka,
    private readonly codec: TopicCodec,
    private readonly recent: RecentContent,
    private readonly settings: ContentWindowSettings,
    private readonly clock: () => number = Date.now,
  ) {}

  get ready(): boolean {
    return this.readyFlag;
  }

  /** Starts reading the window; resolves once caught up with the topics' ends at start. On failure it can be called again. */
  async start(): Promise<void> {
    try {
      await this.open();
    } catch (err) {
      clearInterval(this.evictTimer);
      await this.tail?.stop().catch(() => undefined);
      await this.admin?.disconnect().catch(() => undefined);
      this.tail = undefined;
      this.admin = undefined;
      this.consumed.clear();
      this.startOffsets.clear();
      throw err;
    }
  }

  private async open(): Promise<void> {
    const { hashedTopic, resultsTopic, windowMs } = this.settings;
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const since = this.clock() - windowMs;
    for (const topic of [hashedTopic, resultsTopic]) {
      for (const p of await this.admin.fetchTopicOffsetsByTimestamp(topic, since)) this.startOffsets.set(`${topic}:${p.partition}`, BigInt(p.offset));
    }
    this.since = since;
    this.tail = this.newTail();
    await this.tail.start();
    this.evictTimer = setInterval(() => this.evict(), EVICT_EVERY_MS).unref();
    await this.caughtUp();
    this.evict();
    this.readyFlag = true;
    this.logger.info({ contents: this.recent.size }, 'recent content window loaded');
  }

  private newTail(): TopicTail {
    const { hashedTopic, resultsTopic, groupIdPrefix } = this.settings;
    return new TopicTail(this.kafka, {
      groupIdPrefix,
      topics: [hashedTopic, resultsTopic],
      since: this.since,
      maxWaitTimeInMs: 100,
      eachMessage: (p) => this.onMessage(p),
      onBatchEnd: (topic, partition, lastOffset) => this.advance(topic, partition, BigInt(lastOffset) + 1n),
      onGiveUp: (err) => void this.replaceTail(err),
    });
  }

  /**
   * A tail whose consumer gave up (e.g. a long broker outage) is replaced by one reading the
   * window again from its start: what is read twice is ignored (the store is idempotent).
   */
  private async replaceTail(err: unknown): Promise<void> {
    if (this.stopped) return;
    // A broker outage is logged once by the process's health probe.
    if (isOutageError(err)) this.logger.debug({ err }, 'recent content reader stopped; starting a new one');
    else this.logger.warn({ err }, 'recent content reader stopped; starting a new one');
    const old = this.tail;
    await old?.stop().catch(() => undefined);
    for (let retry = 1; !this.stopped; retry++) {
      const tail = this.newTail();
      this.tail = tail;
      try {
        await tail.start();
        return;
      } catch (e) {
        await tail.stop().catch(() => undefined);
        this.logger.debug({ err: e }, 'cannot start the recent content reader yet; retrying');
        await sleep(backoffDelayMs(reconnectBackoff, retry));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.evictTimer);
    await this.tail?.stop();
    await this.admin?.disconnect().catch(() => undefined);
    this.wake();
  }

  /** Resolves once every event on both topics when this was called has been read. */
  caughtUp(): Promise<void> {
    const now = this.clock();
    // A catch-up that asked for the ends after we were called covers us; else start one (after the current one).
    const current = this.pending;
    if (current && current.askedAt >= now) return current.done;
    const done = (current?.done.catch(() => undefined) ?? Promise.resolve()).then(() => this.catchUpOnce());
    const entry = { askedAt: now, done };
    this.pending = entry;
    void done.catch(() => undefined).finally(() => {
      if (this.pending === entry) this.pending = undefined;
    });
    return done;
  }

  /** Resolves when `cond` holds (re-checked as events are read), or false after `timeoutMs`. */
  async waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (this.stopped || Date.now() >= deadline) return false;
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(Math.min(200, Math.max(1, deadline - Date.now())))]);
    }
    return true;
  }

  private async catchUpOnce(): Promise<void> {
    const admin = this.admin;
    if (!admin) throw new Error('content window not started');
    let targets: Array<[string, number, bigint]> = [];
    // While Kafka is away the change waits (it must not be decided, or dead-lettered, without the window).
    for (let retry = 1; ; retry++) {
      try {
        targets = [];
        for (const topic of [this.settings.hashedTopic, this.settings.resultsTopic]) {
          for (const p of await admin.fetchTopicOffsets(topic)) targets.push([topic, p.partition, BigInt(p.high)]);
        }
        break;
      } catch (err) {
        if (this.stopped || !this.readyFlag) throw err;
        this.logger.debug({ err }, 'cannot read the topic ends yet; retrying');
        await sleep(backoffDelayMs(reconnectBackoff, retry));
      }
    }
    // A partition the tail has read nothing of stands at the window's start.
    const reached = () =>
      targets.every(([t, p, end]) => (this.consumed.get(t)?.get(p) ?? this.startOffsets.get(`${t}:${p}`) ?? 0n) >= end);
    while (!reached()) {
      if (this.stopped) throw new Error('content window stopped');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100).unref();
      });
    }
  }

  private async onMessage({ topic, partition, message }: EachMessagePayload): Promise<void> {
    if (message.value !== null) {
      try {
        if (topic === this.settings.hashedTopic) this.recent.addHashed(await this.decodeWaiting('content.hashed', message.value));
        else this.recent.addResult(await this.decodeWaiting('match.results', message.value));
      } catch (err) {
        // An undecodable event is the stages' to dead-letter; here it only cannot be matched.
        this.logger.warn({ err, topic, partition, offset: message.offset }, 'skipping an event the retro-matcher cannot read');
      }
    }
    this.advance(topic, partition, BigInt(message.offset) + 1n);
  }

  private advance(topic: string, partition: number, next: bigint): void {
    let parts = this.consumed.get(topic);
    if (!parts) this.consumed.set(topic, (parts = new Map()));
    if (next > (parts.get(partition) ?? -1n)) parts.set(partition, next);
    this.wake();
  }

  /** Waits while the registry is away: skipping the event would leave content out of the window for good. */
  private async decodeWaiting<T extends 'content.hashed' | 'match.results'>(topic: T, bytes: Buffer): Promise<TopicValues[T]> {
    for (let retry = 1; ; retry++) {
      try {
        return await this.codec.decode(topic, bytes);
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'unavailable' || this.stopped) throw err;
        await sleep(backoffDelayMs(registryBackoff, retry));
      }
    }
  }

  private evict(): void {
    const n = this.recent.evictOlderThan(this.clock() - this.settings.windowMs);
    if (n > 0) this.logger.debug({ evicted: n, contents: this.recent.size }, 'evicted content older than the window');
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
