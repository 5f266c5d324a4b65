/**
 * The topics as code. `hma topology apply` makes the broker match this list and
 * registers each topic's value schema. Names here carry no prefix: every deployment
 * (and every test run) puts its TOPIC_PREFIX in front.
 */

export type TopicName = 'content.submitted' | 'content.hashed' | 'match.results' | 'deadletter' | 'signals' | 'banks';

export interface TopicSpec {
  readonly name: TopicName;
  /** A count, or 'default' for the deployment's TOPIC_PARTITIONS (pipeline topics scale with it). */
  readonly partitions: number | 'default';
  readonly cleanupPolicy: 'delete' | 'compact';
  /** retention.ms, for 'delete' topics only: compacted topics keep the latest value of every key forever. */
  readonly retentionMs?: number;
  /** Keys are plain UTF-8 strings on every topic. */
  readonly keySchema: 'string';
  /** What the key is, for people reading this. */
  readonly key: string;
  /** Avro schema of the value, a file in schemas/ (subject `<prefix><name>-value`). */
  readonly valueSchema: `${string}.avsc`;
  readonly description: string;
}

const day = 24 * 60 * 60 * 1000;

export const topics: readonly TopicSpec[] = [
  {
    name: 'content.submitted',
    partitions: 'default',
    cleanupPolicy: 'delete',
    retentionMs: 7 * day,
    keySchema: 'string',
    key: 'platform content id',
    valueSchema: 'content.submitted.avsc',
    description: 'content platforms submit for hashing and matching (media URL or inline bytes)',
  },
  {
    name: 'content.hashed',
    partitions: 'default',
    cleanupPolicy: 'delete',
    retentionMs: 7 * day,
    keySchema: 'string',
    key: 'platform content id',
    valueSchema: 'content.hashed.avsc',
    description: 'signals the hasher computed for one submission',
  },
  {
    name: 'match.results',
    partitions: 'default',
    cleanupPolicy: 'delete',
    retentionMs: 7 * day,
    keySchema: 'string',
    key: 'platform content id',
    valueSchema: 'match.results.avsc',
    description: 'one result per submission, matched or not, for actioners',
  },
  {
    name: 'deadletter',
    partitions: 'default',
    cleanupPolicy: 'delete',
    // Longer than the pipeline topics: someone has to look at these.
    retentionMs: 30 * day,
    keySchema: 'string',
    key: 'key of the failed event (platform content id)',
    valueSchema: 'deadletter.avsc',
    description: 'events a stage gave up on, with the original bytes, stage and typed reason',
  },
  {
    name: 'signals',
    // One partition: the matcher replays it in order and reports one index position per signal type.
    partitions: 1,
    cleanupPolicy: 'compact',
    keySchema: 'string',
    key: '"<signal_type>:<content_id>"',
    valueSchema: 'signals.avsc',
    description: 'latest state of every bank signal (outbox relay from curation); tombstone on delete',
  },
  {
    name: 'banks',
    partitions: 1,
    cleanupPolicy: 'compact',
    keySchema: 'string',
    key: 'bank id as a decimal string',
    valueSchema: 'banks.avsc',
    description: 'latest settings of every bank (outbox relay from curation); tombstone on delete',
  },
];

/** The broker-side name of a topic. */
export function topicName(prefix: string, name: TopicName): string {
  return `${prefix}${name}`;
}

/** The schema-registry subject of a topic's values (TopicNameStrategy). */
export function valueSubject(prefix: string, name: TopicName): string {
  return `${topicName(prefix, name)}-value`;
}

export function topicSpec(name: TopicName): TopicSpec {
  const spec = topics.find((t) => t.name === name);
  if (!spec) throw new Error(`no topic ${name} in topology/topics.ts`);
  return spec;
}
