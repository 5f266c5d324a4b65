/**
 * Typed encoding and decoding of topic values through the schema registry (Confluent
 * wire format: magic byte 0, 4-byte schema id, Avro body).
 *
 * Writes use the id under which *our* schemas/*.avsc version is registered, looked up
 * once per topic. Reads resolve the writer schema the message names against our version
 * (Avro schema resolution), so the TypeScript type holds for older messages too; the
 * resolver is built once per (topic, writer id), not per message.
 */
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { HmaError } from '../errors/errors.js';
import { isRegistryUnreachable } from './connectivity.js';
import { valueSubject, type TopicName } from '../../topology/topics.js';
import { valueSchema } from './schemas.js';
import type { TopicValues } from './values.js';

type Reader = (payload: Buffer) => unknown;

export class TopicCodec {
  private readonly ids = new Map<TopicName, Promise<number>>();
  private readonly readerTypes = new Map<TopicName, avro.Type>();
  private readonly readers = new Map<string, Promise<Reader>>();
  /** Readers whose writer schema has been fetched, for the synchronous path (`decodeNow`). */
  private readonly readyReaders = new Map<TopicName, Map<number, Reader>>();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly topicPrefix: string,
  ) {}

  /** The registry id of our version of the topic's value schema (cached). */
  schemaId(topic: TopicName): Promise<number> {
    let id = this.ids.get(topic);
    if (!id) {
      const subject = valueSubject(this.topicPrefix, topic);
      id = this.registry
        .getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: valueSchema(topic).text })
        .catch((err: unknown) => {
          this.ids.delete(topic); // a later call retries, e.g. once the registry is back or `hma topology apply` has run
          if (isRegistryUnreachable(err)) {
            throw new HmaError('unavailable', `schema registry unavailable: ${(err as Error).message}`, { service: 'schema-registry', retryAfterSeconds: 5 });
          }
          throw new Error(`schema of ${topic} is not registered under ${subject} (run \`hma topology apply\`): ${(err as Error).message}`);
        });
      this.ids.set(topic, id);
    }
    return id;
  }

  private readerType(topic: TopicName): avro.Type {
    let type = this.readerTypes.get(topic);
    if (!type) {
      type = avro.Type.forSchema(valueSchema(topic).json as unknown as avro.Schema);
      this.readerTypes.set(topic, type);
    }
    return type;
  }

  async encode<T extends TopicName>(topic: T, value: TopicValues[T]): Promise<Buffer> {
    const id = await this.schemaId(topic);
    const type = this.readerType(topic);
    if (!type.isValid(value)) {
      const paths: string[] = [];
      type.isValid(value, { errorHook: (path) => paths.push(path.join('.') || '(root)') });
      throw new HmaError('invalid_input', `value does not fit the ${topic} schema at ${paths.join(', ')}`, { topic });
    }
    const header = Buffer.alloc(5);
    header.writeUInt32BE(id, 1);
    return Buffer.concat([header, type.toBuffer(value)]);
  }

  private reader(topic: TopicName, writerId: number): Promise<Reader> {
    const key = `${topic}\u0000${writerId}`;
    let reader = this.readers.get(key);
    if (!reader) {
      reader = this.registry.getSchema(writerId).then((schema) => {
        const ours = this.readerType(topic);
        const writer = avro.Type.forSchema(schema as unknown as avro.Schema);
        let read: Reader;
        if (ours.equals(writer)) read = (payload: Buffer) => ours.fromBuffer(payload);
        else {
          const resolver = ours.createResolver(writer);
          read = (payload: Buffer) => ours.fromBuffer(payload, resolver);
        }
        let ready = this.readyReaders.get(topic);
        if (!ready) this.readyReaders.set(topic, (ready = new Map()));
        ready.set(writerId, read);
        return read;
      });
      reader.catch(() => this.readers.delete(key));
      this.readers.set(key, reader);
    }
    return reader;
  }

  /** Decodes a value; a tombstone (null) stays null. Malformed bytes are an `invalid_input` HmaError. */
  async decode<T extends TopicName>(topic: T, bytes: Buffer): Promise<TopicValues[T]>;
  async decode<T extends TopicName>(topic: T, bytes: Buffer | null): Promise<TopicValues[T] | null>;
  async decode<T extends TopicName>(topic: T, bytes: Buffer | null): Promise<TopicValues[T] | null> {
    if (bytes === null) return null;
    const writerId = writerIdOf(topic, bytes);
    let read = this.readyReaders.get(topic)?.get(writerId);
    if (!read) {
      try {
        read = await this.reader(topic, writerId);
      } catch (err) {
        // Not the message's fault: the caller waits for the registry rather than discarding the event.
        if (isRegistryUnreachable(err)) {
          throw new HmaError('unavailable', `schema registry unavailable: ${(err as Error).message}`, { service: 'schema-registry', retryAfterSeconds: 5 });
        }
        throw new HmaError('invalid_input', `malformed ${topic} value: writer schema ${writerId} unusable: ${(err as Error).message}`, { topic });
      }
    }
    return readWith<T>(topic, read, bytes);
  }

  /**
   * `decode` without a promise when the message's writer schema has already been fetched (the
   * replay path: 100M messages, one schema); `NOT_YET` otherwise, and the caller uses `decode`.
   */
  decodeNow<T extends TopicName>(topic: T, bytes: Buffer): TopicValues[T] | typeof NOT_YET {
    const read = this.readyReaders.get(topic)?.get(writerIdOf(topic, bytes));
    return read ? readWith<T>(topic, read, bytes) : NOT_YET;
  }
}

/** `TopicCodec.decodeNow`'s answer when the writer schema must be fetched first. */
export const NOT_YET: unique symbol = Symbol('writer schema not fetched yet');

function writerIdOf(topic: TopicName, bytes: Buffer): number {
  if (bytes.length < 5 || bytes[0] !== 0) {
    throw new HmaError('invalid_input', `malformed ${topic} value: not in schema-registry wire format`, { topic });
  }
  return bytes.readUInt32BE(1);
}

function readWith<T extends TopicName>(topic: T, read: Reader, bytes: Buffer): TopicValues[T] {
  try {
    return read(bytes.subarray(5)) as TopicValues[T];
  } catch (err) {
    throw new HmaError('invalid_input', `malformed ${topic} value: ${(err as Error).message}`, { topic });
  }
}
