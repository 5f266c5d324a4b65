/**
 * Puts submissions on content.submitted, keyed by the platform content id so one
 * content's events stay ordered. An idempotent producer: a retried send is never
 * written twice.
 *
 * A submission is accepted only once the broker has it; when Kafka (or, before the
 * schema ids are known, the registry) is down it is refused at once with an
 * `unavailable` error (503 with Retry-After), and a send that has not been acknowledged
 * within SUBMIT_TIMEOUT_MS is refused too. Such a send may still land later: the
 * platform's retry then makes a second submission of the same content (a duplicate
 * result), never a lost one.
 */
import kafkajs, { type Kafka, type Producer } from 'kafkajs';
import type { Config } from '../../config/config.js';
import { HmaError, isHmaError } from '../../errors/errors.js';
import type { TopicCodec } from '../../kafka/codec.js';
import { isKafkaConnectivityError, withDeadline } from '../../kafka/connectivity.js';
import type { Dependencies } from '../../kafka/health.js';
import type { ContentSubmittedValue } from '../../kafka/values.js';
import { topicName } from '../../../topology/topics.js';
import { chunkBySize } from '../stage/send-chunks.js';
import { newSubmission, type SubmissionInput } from './submission.js';

const { Partitioners } = kafkajs;

export class Submitter {
  private producer: Promise<Producer> | undefined;
  private readonly topic: string;

  constructor(
    private readonly deps: {
      readonly config: Config;
      readonly kafka: Kafka;
      readonly codec: TopicCodec;
      /** The process's view of Kafka and the registry: refuse at once while either is known down. */
      readonly health?: Dependencies;
    },
  ) {
    this.topic = topicName(deps.config.TOPIC_PREFIX, 'content.submitted');
  }

  private connected(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.deps.kafka.producer({ idempotent: true, maxInFlightRequests: 5, createPartitioner: Partitioners.DefaultPartitioner });
      this.producer = producer.connect().then(() => producer);
      this.producer.catch(() => {
        this.producer = undefined;
      });
    }
    return this.producer;
  }

  /** Validates, builds and sends one submission; resolves once the broker has it. */
  async submit(input: SubmissionInput): Promise<ContentSubmittedValue> {
    const value = newSubmission(input, { maxInlineBytes: this.deps.config.MAX_INLINE_MEDIA_BYTES });
    await this.guarded([value], this.deps.config.SUBMIT_TIMEOUT_MS);
    return value;
  }

  /** Sends already-built submissions (bulk: no time limit); an `unavailable` HmaError when Kafka cannot take them now. */
  send(values: readonly ContentSubmittedValue[]): Promise<void> {
    return this.guarded(values, undefined);
  }

  private async guarded(values: readonly ContentSubmittedValue[], timeoutMs: number | undefined): Promise<void> {
    if (values.length === 0) return;
    const health = this.deps.health;
    if (health && !health.kafka.available) throw kafkaUnavailable('Kafka is unavailable');
    try {
      const sent = this.sendNow(values);
      await (timeoutMs === undefined ? sent : withDeadline(sent, timeoutMs, () => kafkaUnavailable(`Kafka did not acknowledge within ${timeoutMs} ms`)));
    } catch (err) {
      if (isHmaError(err)) {
        if (err.code === 'unavailable' && err.details?.service === 'kafka') health?.kafka.suspect();
        throw err;
      }
      if (isKafkaConnectivityError(err)) {
        health?.kafka.suspect();
        throw kafkaUnavailable(`Kafka is unavailable: ${(err as Error).message}`);
      }
      throw err;
    }
  }

  private async sendNow(values: readonly ContentSubmittedValue[]): Promise<void> {
    const messages = await Promise.all(
      values.map(async (v) => ({ key: v.content_id, value: await this.deps.codec.encode('content.submitted', v) })),
    );
    const producer = await this.connected();
    for (const chunk of chunkBySize(messages)) await producer.send({ topic: this.topic, acks: -1, messages: chunk });
  }

  async close(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    await p?.then((producer) => producer.disconnect()).catch(() => undefined);
  }
}

const kafkaUnavailable = (message: string) => new HmaError('unavailable', `${message}: submission not accepted, retry later`, { service: 'kafka', retryAfterSeconds: 5 });
