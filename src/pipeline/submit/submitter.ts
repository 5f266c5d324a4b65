/**
 * Puts submissions on content.submitted, keyed by the platform content id so one
 * content's events stay ordered. An idempotent producer: a retried send is never
 * written twice.
 */
import kafkajs, { type Kafka, type Producer } from 'kafkajs';
import type { Config } from '../../config/config.js';
import type { TopicCodec } from '../../kafka/codec.js';
import type { ContentSubmittedValue } from '../../kafka/values.js';
import { topicName } from '../../../topology/topics.js';
import { chunkBySize } from '../stage/send-chunks.js';
import { newSubmission, type SubmissionInput } from './submission.js';

const { Partitioners } = kafkajs;

export class Submitter {
  private producer: Promise<Producer> | undefined;
  private readonly topic: string;

  constructor(
    private readonly deps: { readonly config: Config; readonly kafka: Kafka; readonly codec: TopicCodec },
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
    await this.send([value]);
    return value;
  }

  /** Sends already-built submissions in one request. */
  async send(values: readonly ContentSubmittedValue[]): Promise<void> {
    if (values.length === 0) return;
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
