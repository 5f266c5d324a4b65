/**
 * Waits for the outcome of submissions: their match result, or the dead letter of
 * the stage that gave up on them. Reads both topics (committed only) from their
 * ends as they were when `start` was called, so start it before submitting.
 */
import type { Kafka } from 'kafkajs';
import type { Config } from '../../config/config.js';
import type { TopicCodec } from '../../kafka/codec.js';
import { TopicTail } from '../../kafka/tail.js';
import type { DeadLetterValue, MatchResultValue } from '../../kafka/values.js';
import { topicName } from '../../../topology/topics.js';

export type Outcome =
  | { readonly kind: 'result'; readonly result: MatchResultValue }
  | { readonly kind: 'failed'; readonly deadLetter: DeadLetterValue };

export interface WatcherDeps {
  readonly config: Config;
  readonly kafka: Kafka;
  readonly codec: TopicCodec;
}

export class ResultsWatcher {
  private tail: TopicTail | undefined;
  private readonly outcomes = new Map<string, Outcome>();
  private readonly waiters = new Set<() => void>();
  private readonly results: string;
  private readonly deadletters: string;

  constructor(private readonly deps: WatcherDeps) {
    this.results = topicName(deps.config.TOPIC_PREFIX, 'match.results');
    this.deadletters = topicName(deps.config.TOPIC_PREFIX, 'deadletter');
  }

  async start(): Promise<void> {
    const tail = new TopicTail(this.deps.kafka, {
      groupIdPrefix: `${this.deps.config.TOPIC_PREFIX}watch.`,
      topics: [this.results, this.deadletters],
      maxWaitTimeInMs: 200,
      eachMessage: async ({ topic, message }) => {
        if (!message.value) return;
        if (topic === this.results) {
          const result = await this.deps.codec.decode('match.results', message.value);
          this.note(result.submission_id, { kind: 'result', result });
        } else {
          const deadLetter = await this.deps.codec.decode('deadletter', message.value);
          const id = await this.submissionOf(deadLetter);
          if (id) this.note(id, { kind: 'failed', deadLetter });
        }
      },
    });
    this.tail = tail;
    await tail.start();
  }

  /** The submission a dead letter is about, from the original event's bytes (if they decode). */
  private async submissionOf(dl: DeadLetterValue): Promise<string | undefined> {
    const prefix = this.deps.config.TOPIC_PREFIX;
    const name = dl.original_topic.startsWith(prefix) ? dl.original_topic.slice(prefix.length) : '';
    const pipelineTopics = ['content.submitted', 'content.hashed', 'match.results'] as const;
    const topic = pipelineTopics.find((t) => t === name);
    if (!topic || !dl.original_value) return undefined;
    try {
      const original = await this.deps.codec.decode<(typeof pipelineTopics)[number]>(topic, dl.original_value);
      return original.submission_id;
    } catch {
      return undefined; // a malformed event: nobody can be waiting for it by id
    }
  }

  private note(submissionId: string, outcome: Outcome): void {
    // A result wins over a dead letter of a later stage (e.g. an actioner's webhook failure).
    const had = this.outcomes.get(submissionId);
    if (had?.kind === 'result') return;
    this.outcomes.set(submissionId, outcome);
    for (const w of [...this.waiters]) w();
  }

  outcome(submissionId: string): Outcome | undefined {
    return this.outcomes.get(submissionId);
  }

  /** Resolves when every id has an outcome or at the deadline; `onProgress` gets the count so far. */
  async waitFor(ids: readonly string[], timeoutMs: number, onProgress?: (done: number) => void): Promise<Map<string, Outcome>> {
    const deadline = Date.now() + timeoutMs;
    const count = () => ids.reduce((n, id) => n + (this.outcomes.has(id) ? 1 : 0), 0);
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        const n = count();
        onProgress?.(n);
        if (n >= ids.length || Date.now() >= deadline) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      this.waiters.add(check);
      const tick = () => {
        check();
        if (this.waiters.has(check)) timer = setTimeout(tick, 250);
      };
      tick();
    });
    const out = new Map<string, Outcome>();
    for (const id of ids) {
      const o = this.outcomes.get(id);
      if (o) out.set(id, o);
    }
    return out;
  }

  async stop(): Promise<void> {
    await this.tail?.stop();
  }
}
