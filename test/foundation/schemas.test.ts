import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Partitioners, type Consumer, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.js';
import { isHmaError } from '../../src/errors/errors.js';
import { createKafka, withAdmin } from '../../src/kafka/client.js';
import { NOT_YET, TopicCodec } from '../../src/kafka/codec.js';
import { createRegistry, registerSchemas, subjectCompatibility } from '../../src/kafka/registry.js';
import { valueSchema } from '../../src/kafka/schemas.js';
import { applyTopics } from '../../src/kafka/topology.js';
import { mediaInline, mediaOf, mediaUrl, type TopicValues } from '../../src/kafka/values.js';
import { topicName, topics, valueSubject, type TopicName } from '../../topology/topics.js';

const cfg: Config = loadConfig({ ...process.env, TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}schemas.`, TOPIC_PARTITIONS: '1' });
const registry = createRegistry(cfg);
const codec = new TopicCodec(registry, cfg.TOPIC_PREFIX);
const now = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

/** One value of every topic, typed: a field the schema has and the type lacks (or the reverse) fails below. */
const samples: { readonly [T in TopicName]: TopicValues[T] } = {
  'content.submitted': {
    submission_id: 'sub-1', content_id: 'post-1', content_type: 'photo',
    media: mediaInline(Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x10]), 'image/jpeg'),
    metadata: { uploader: 'u1' }, trace_id: 'trace-1', submitted_at: now,
  },
  'content.hashed': {
    submission_id: 'sub-1', content_id: 'post-1', content_type: 'photo',
    signals: [
      { signal_type: 'pdq', value: 'f'.repeat(64), quality: 100 },
      { signal_type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e', quality: null },
    ],
    hasher_version: 'hma-stream/0.1.0', trace_id: null, metadata: null, submitted_at: now,
    timings: { fetch_ms: 0, hash_ms: 12.5, hashed_at: now + 20 },
  },
  'match.results': {
    submission_id: 'sub-1', content_id: 'post-1', content_type: 'photo', matched: true,
    matches: [{ bank_id: 7, bank_name: 'SEED_BANK_0', bank_content_id: 9_007_199_254_740, signal_type: 'pdq', distance: 12, bank_labels: ['spam'], quarantined: false, provenance: { exchange: 'NCMEC_LIST', exchange_type: 'ncmec', record_id: '43-1', tags: ['csam'] } }],
    suppressed: [{ match: { bank_id: 8, bank_name: 'SHARED', bank_content_id: 3, signal_type: 'pdq', distance: 4, bank_labels: ['spam'], quarantined: false, provenance: null }, allow_list_bank_id: 9, allow_list_bank_name: 'MEMES', allow_list_content_id: 11, allow_list_signal_type: 'pdq', allow_list_distance: 2 }],
    index_positions: { pdq: 1234, md5: 5 }, trace_id: 'trace-1', metadata: { uploader: 'u1' }, submitted_at: now,
    timings: { hashed_at: now + 20, match_ms: 0.4, matched_at: now + 25 },
    retroactive: { signal_type: 'pdq', bank_id: 7, bank_content_id: 9_007_199_254_740, change_seq: 1300 },
  },
  deadletter: {
    original_topic: 'hma.content.submitted', original_partition: 3, original_offset: 42, original_key: 'post-2',
    original_value: Buffer.from('not avro'), stage: 'hasher', reason: 'unsupported_media', message: 'not an image',
    attempts: 1, failed_at: now,
  },
  signals: {
    signal_type: 'pdq', content_id: 17, bank_id: 7, value: '0'.repeat(64), disable_until_ts: null, change_seq: 99, changed_at: now, quarantined: true,
  },
  banks: { bank_id: 7, name: 'SEED_BANK_0', matching_enabled_ratio: 0.5, labels: ['spam', 'ncii'], change_seq: 100, changed_at: now, match_thresholds: { pdq: 20 }, allow_list: true, allow_list_scope: ['spam'] },
};

let producer: Producer;
let consumer: Consumer;

describe('Avro schemas through the registry and the real broker', () => {
  beforeAll(async () => {
    await withAdmin(createKafka(cfg, 'test-schemas'), (admin) => applyTopics(admin, cfg, { fix: false }));
    const kafka = createKafka(cfg, 'test-schemas');
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    consumer = kafka.consumer({ groupId: `${cfg.TOPIC_PREFIX}schemas-test` });
    await Promise.all([producer.connect(), consumer.connect()]);
  });
  afterAll(async () => {
    await Promise.all([producer?.disconnect(), consumer?.disconnect()]);
  });

  it('registers every value schema under <topic>-value with compatibility BACKWARD, idempotently', async () => {
    const first = await registerSchemas(cfg, registry);
    expect(first.map((r) => r.subject).sort()).toEqual(topics.map((t) => valueSubject(cfg.TOPIC_PREFIX, t.name)).sort());
    const again = await registerSchemas(cfg, registry);
    expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
    for (const r of first) expect(await subjectCompatibility(cfg, r.subject)).toBe(COMPATIBILITY.BACKWARD);
  });

  it('has a typed sample for every topic with exactly the schema\'s fields', () => {
    for (const t of topics) {
      expect(Object.keys(samples[t.name]).sort(), t.name).toEqual(valueSchema(t.name).json.fields.map((f) => f.name).sort());
    }
  });

  it('produces each topic\'s value registry-encoded and consumes it decoded to the same value', async () => {
    const received = new Map<string, { key: string | undefined; value: Buffer | null }[]>();
    let count = 0;
    const expected = topics.length + 1; // plus one tombstone
    await consumer.subscribe({ topics: topics.map((t) => topicName(cfg.TOPIC_PREFIX, t.name)), fromBeginning: true });
    const allIn = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ topic, message }) => {
          const list = received.get(topic) ?? [];
          list.push({ key: message.key?.toString(), value: message.value });
          received.set(topic, list);
          if (++count === expected) resolve();
        },
      });
    });

    for (const t of topics) {
      const value = await codec.encode(t.name, samples[t.name] as never);
      expect(value[0]).toBe(0); // Confluent wire format: magic byte, then the schema id
      expect(value.readUInt32BE(1)).toBe(await codec.schemaId(t.name));
      await producer.send({ topic: topicName(cfg.TOPIC_PREFIX, t.name), messages: [{ key: `key-${t.name}`, value }] });
    }
    await producer.send({ topic: topicName(cfg.TOPIC_PREFIX, 'signals'), messages: [{ key: 'pdq:17', value: null }] });
    await Promise.race([allIn, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${count} messages arrived`)), 45_000))]);

    for (const t of topics) {
      const [msg] = received.get(topicName(cfg.TOPIC_PREFIX, t.name)) ?? [];
      expect(msg?.key).toBe(`key-${t.name}`);
      expect(await codec.decode(t.name, msg!.value as Buffer)).toEqual(samples[t.name]);
    }
    const tombstone = received.get(topicName(cfg.TOPIC_PREFIX, 'signals'))?.[1];
    expect(tombstone?.key).toBe('pdq:17');
    expect(await codec.decode('signals', tombstone!.value)).toBeNull();
  });

  it('wraps and unwraps the media union', () => {
    expect(mediaOf(mediaUrl('https://example.org/a.jpg'))).toEqual({ kind: 'url', url: 'https://example.org/a.jpg' });
    expect(mediaOf(mediaInline(Buffer.from('x')))).toEqual({ kind: 'inline', data: Buffer.from('x'), mimeType: null });
  });

  it('refuses values that do not fit and bytes that are not registry-encoded, with typed errors', async () => {
    const bad = { ...samples.banks, matching_enabled_ratio: 'half' } as unknown as TopicValues['banks'];
    await expect(codec.encode('banks', bad)).rejects.toSatisfy((e) => isHmaError(e) && e.code === 'invalid_input' && /matching_enabled_ratio/.test(e.message));
    await expect(codec.decode('banks', Buffer.from('plain text'))).rejects.toSatisfy((e) => isHmaError(e) && e.code === 'invalid_input');
    const truncated = (await codec.encode('banks', samples.banks)).subarray(0, 8);
    await expect(codec.decode('banks', truncated)).rejects.toSatisfy((e) => isHmaError(e) && e.code === 'invalid_input');
  });

  it('decodes without a promise once the writer schema is known (the replay path), and says NOT_YET before', async () => {
    const bytes = await codec.encode('signals', samples.signals);
    const fresh = new TopicCodec(registry, cfg.TOPIC_PREFIX);
    expect(fresh.decodeNow('signals', bytes)).toBe(NOT_YET);
    expect(await fresh.decode('signals', bytes)).toEqual(samples.signals);
    expect(fresh.decodeNow('signals', bytes)).toEqual(samples.signals);
    // Known per topic: the banks reader is not the signals reader.
    expect(fresh.decodeNow('banks', await codec.encode('banks', samples.banks))).toBe(NOT_YET);
    expect(() => fresh.decodeNow('signals', Buffer.from('plain text'))).toThrow(/not in schema-registry wire format/);
    let err: unknown;
    try {
      fresh.decodeNow('signals', bytes.subarray(0, 8));
    } catch (e) {
      err = e;
    }
    expect(isHmaError(err) && err.code === 'invalid_input').toBe(true);
  });

  it('enforces BACKWARD: rejects an incompatible change, and old readers decode a compatible newer writer', async () => {
    const subject = valueSubject(cfg.TOPIC_PREFIX, 'banks');
    const base = valueSchema('banks').json;
    const incompatible = { ...base, fields: [...base.fields, { name: 'owner', type: 'string' }] };
    await expect(
      registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(incompatible) }, { subject, compatibility: COMPATIBILITY.BACKWARD }),
    ).rejects.toThrow(/incompatib/i);

    const evolved = { ...base, fields: [...base.fields, { name: 'owner', type: ['null', 'string'], default: null }] };
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(evolved) }, { subject, compatibility: COMPATIBILITY.BACKWARD });
    const newer = await registry.encode(id, { ...samples.banks, owner: 'trust-and-safety' });
    expect(await codec.decode('banks', newer)).toEqual(samples.banks);
  });
});
