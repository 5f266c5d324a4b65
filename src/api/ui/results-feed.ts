/**
 * The live view's source: match results read from the results topic by a consumer of
 * this process's own (throw-away) group, started on first use. It begins a little before
 * the topic's end so the page is not empty, keeps the last `capacity` results, and tells
 * subscribers (server-sent event streams) about each new one.
 */
import type { Kafka } from 'kafkajs';
import type { TopicCodec } from '../../kafka/codec.js';
import { TopicTail } from '../../kafka/tail.js';
import type { MatchResultValue } from '../../kafka/values.js';
import { log } from '../../observability/logger.js';
import { topicName } from '../../../topology/topics.js';

export interface LiveResult {
  /** Position in this feed (for resuming a stream without duplicates). */
  readonly seq: number;
  readonly submission_id: string;
  readonly content_id: string;
  readonly content_type: string;
  readonly matched: boolean;
  readonly matches: ReadonlyArray<{
    readonly bank_name: string;
    readonly bank_content_id: number;
    readonly signal_type: string;
    readonly distance: number;
    readonly bank_labels: readonly string[];
    /** Flood quarantine: recorded, not acted on. */
    readonly quarantined: boolean;
    readonly source: string | null;
  }>;
  /** Matches allow-list banks suppressed, each with the allow-list entry that did. */
  readonly suppressed: ReadonlyArray<{ readonly bank_name: string; readonly bank_content_id: number; readonly allow_list_bank_name: string; readonly allow_list_content_id: number }>;
  readonly submitted_at: number;
  readonly matched_at: number;
  /** Published by the retro-matcher: content hashed before the signal that matched it. */
  readonly retroactive: boolean;
}

export type FeedState = { readonly state: 'idle' | 'starting' | 'live' } | { readonly state: 'failed'; readonly error: string };

/** Results carried by the feed: all, or those with a match in one bank. */
export const inBank = (r: LiveResult, bank: string | undefined): boolean =>
  bank === undefined || r.matches.some((m) => m.bank_name === bank);

export function toLive(seq: number, v: MatchResultValue): LiveResult {
  return {
    seq,
    submission_id: v.submission_id,
    content_id: v.content_id,
    content_type: v.content_type,
    matched: v.matched,
    matches: v.matches.map((m) => ({
      bank_name: m.bank_name,
      bank_content_id: m.bank_content_id,
      signal_type: m.signal_type,
      distance: m.distance,
      bank_labels: [...m.bank_labels],
      quarantined: m.quarantined === true,
      // Where exchange content came from: "<exchange> record <id>".
      source: m.provenance ? `${m.provenance.exchange} record ${m.provenance.record_id}` : null,
    })),
    suppressed: v.suppressed.map((x) => ({
      bank_name: x.match.bank_name,
      bank_content_id: x.match.bank_content_id,
      allow_list_bank_name: x.allow_list_bank_name,
      allow_list_content_id: x.allow_list_content_id,
    })),
    submitted_at: v.submitted_at,
    matched_at: v.timings.matched_at,
    retroactive: Boolean(v.retroactive),
  };
}

export class ResultsFeed {
  private buffer: LiveResult[] = [];
  private nextSeq = 1;
  private current: FeedState = { state: 'idle' };
  private tail: TopicTail | undefined;
  private starting: Promise<void> | undefined;
  private readonly listeners = new Set<(r: LiveResult) => void>();
  private readonly logger = log('ui-results');

  constructor(
    private readonly kafka: () => Kafka,
    private readonly codec: () => TopicCodec,
    private readonly prefix: string,
    private readonly capacity = 200,
    /** Results read back per partition on start. */
    private readonly backfill = 25,
  ) {}

  get state(): FeedState {
    return this.current;
  }

  /** Starts the consumer once; later calls (and failures) do not start another. */
  ensureStarted(): void {
    if (this.starting) return;
    this.current = { state: 'starting' };
    this.starting = this.start().then(
      () => {
        this.current = { state: 'live' };
      },
      (err: unknown) => {
        this.current = { state: 'failed', error: err instanceof Error ? err.message : String(err) };
        this.logger.warn({ err }, 'live results unavailable');
      },
    );
  }

  private async start(): Promise<void> {
    const tail = new TopicTail(this.kafka(), {
      groupIdPrefix: `${this.prefix}ui-results.`,
      topics: [topicName(this.prefix, 'match.results')],
      backfill: this.backfill,
      maxWaitTimeInMs: 250,
      eachMessage: async ({ message }) => {
        if (!message.value) return;
        try {
          this.push(toLive(this.nextSeq++, await this.codec().decode('match.results', message.value)));
        } catch (err) {
          this.logger.warn({ err, offset: message.offset }, 'skipping an undecodable match result');
        }
      },
    });
    this.tail = tail;
    await tail.start();
  }

  push(result: LiveResult): void {
    this.buffer.push(result);
    if (this.buffer.length > this.capacity) this.buffer.splice(0, this.buffer.length - this.capacity);
    for (const listener of this.listeners) listener(result);
  }

  /** Buffered results after `afterSeq`, newest first. */
  recent(bank: string | undefined, afterSeq = 0): LiveResult[] {
    return this.buffer.filter((r) => r.seq > afterSeq && inBank(r, bank)).reverse();
  }

  subscribe(listener: (r: LiveResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.listeners.clear();
    // A start stuck on an unreachable broker must not hold up shutdown for long.
    await Promise.race([this.starting, new Promise((r) => setTimeout(r, 5000).unref())]);
    await this.tail?.stop();
  }
}
