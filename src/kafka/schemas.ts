/** The Avro value schemas of schemas/*.avsc, read once per process. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { topicSpec, type TopicName } from '../../topology/topics.js';

export const schemasDir = fileURLToPath(new URL('../../schemas/', import.meta.url));

/** Avro schema JSON as written in the file (a record at the top level). */
export interface AvroRecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly fields: ReadonlyArray<{ readonly name: string; readonly type: unknown; readonly default?: unknown }>;
}

const cache = new Map<TopicName, { readonly text: string; readonly json: AvroRecordSchema }>();

export function valueSchema(topic: TopicName): { readonly text: string; readonly json: AvroRecordSchema } {
  let entry = cache.get(topic);
  if (!entry) {
    const file = `${schemasDir}${topicSpec(topic).valueSchema}`;
    const text = readFileSync(file, 'utf8');
    const json = JSON.parse(text) as AvroRecordSchema;
    if (json.type !== 'record') throw new Error(`${file}: the top-level type must be a record`);
    entry = { text, json };
    cache.set(topic, entry);
  }
  return entry;
}
