/**
 * `hma topology apply`: make the broker's topics match topology/topics.ts. Creates what
 * is missing, leaves what is right alone, and reports drift; with `fix`, corrects what
 * Kafka can change in place (topic configs, more partitions) and explains the rest.
 */
import kafkajs, { type Admin } from 'kafkajs';
import type { Config } from '../config/config.js';
import { topics, topicName, type TopicSpec } from '../../topology/topics.js';

// kafkajs is CommonJS and Node's ESM interop sees only its first few exports by name.
const { ConfigResourceTypes } = kafkajs;

export type TopologyConfig = Pick<Config, 'TOPIC_PREFIX' | 'TOPIC_PARTITIONS' | 'TOPIC_REPLICATION'>;

export interface TopicState {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Only the configs topology manages. */
  readonly configs: Readonly<Record<string, string>>;
}

export interface DesiredTopic extends TopicState {
  readonly spec: TopicSpec;
}

export type Drift = {
  readonly topic: string;
  readonly setting: string;
  readonly expected: string;
  readonly actual: string;
} & ({ readonly fix: 'alter-configs' | 'add-partitions' } | { readonly fix: 'manual'; readonly why: string });

export function desiredTopics(cfg: TopologyConfig): DesiredTopic[] {
  return topics.map((spec) => ({
    spec,
    name: topicName(cfg.TOPIC_PREFIX, spec.name),
    partitions: spec.partitions === 'default' ? cfg.TOPIC_PARTITIONS : spec.partitions,
    replicationFactor: cfg.TOPIC_REPLICATION,
    configs: {
      'cleanup.policy': spec.cleanupPolicy,
      ...(spec.cleanupPolicy === 'delete' && spec.retentionMs !== undefined ? { 'retention.ms': String(spec.retentionMs) } : {}),
    },
  }));
}

/** What differs between a topic as wanted and as found (pure). */
export function topicDrift(want: TopicState, have: TopicState): Drift[] {
  const drift: Drift[] = [];
  const base = { topic: want.name };
  if (have.partitions < want.partitions) {
    drift.push({ ...base, setting: 'partitions', expected: String(want.partitions), actual: String(have.partitions), fix: 'add-partitions' });
  } else if (have.partitions > want.partitions) {
    drift.push({
      ...base, setting: 'partitions', expected: String(want.partitions), actual: String(have.partitions), fix: 'manual',
      why: 'Kafka cannot remove partitions; recreate the topic (losing its data) or raise the topology to match',
    });
  }
  if (have.replicationFactor !== want.replicationFactor) {
    drift.push({
      ...base, setting: 'replication factor', expected: String(want.replicationFactor), actual: String(have.replicationFactor), fix: 'manual',
      why: 'changing replicas needs a partition reassignment (kafka-reassign-partitions.sh), which this tool does not do',
    });
  }
  for (const [key, value] of Object.entries(want.configs)) {
    const actual = have.configs[key] ?? '(unset)';
    if (actual !== value) drift.push({ ...base, setting: key, expected: value, actual, fix: 'alter-configs' });
  }
  return drift;
}

async function describeTopics(admin: Admin, wanted: readonly DesiredTopic[]): Promise<TopicState[]> {
  if (wanted.length === 0) return [];
  const names = wanted.map((t) => t.name);
  const { topics: meta } = await admin.fetchTopicMetadata({ topics: names });
  const configNames = [...new Set(wanted.flatMap((t) => Object.keys(t.configs)))];
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames })),
  });
  return meta.map((m) => {
    const res = resources.find((r) => r.resourceName === m.name);
    const configs: Record<string, string> = {};
    for (const e of res?.configEntries ?? []) configs[e.configName] = e.configValue;
    return {
      name: m.name,
      partitions: m.partitions.length,
      replicationFactor: Math.max(0, ...m.partitions.map((p) => p.replicas.length)),
      configs,
    };
  });
}

export interface TopologyReport {
  readonly created: string[];
  readonly unchanged: string[];
  /** Everything found wrong, before any fix. */
  readonly drift: Drift[];
  readonly fixed: Drift[];
  /** Drift still there after this run (all of it without `fix`). */
  readonly remaining: Drift[];
}

export async function applyTopics(admin: Admin, cfg: TopologyConfig, opts: { fix: boolean }): Promise<TopologyReport> {
  const wanted = desiredTopics(cfg);
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t.name));
  if (missing.length > 0) {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor,
          configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (err) {
      throw new Error(`creating topics ${missing.map((t) => t.name).join(', ')} failed: ${(err as Error).message}`);
    }
  }

  const present = wanted.filter((t) => existing.has(t.name));
  const states = await describeTopics(admin, present);
  const drift = present.flatMap((want) => {
    const have = states.find((s) => s.name === want.name);
    return have ? topicDrift(want, have) : [];
  });

  const fixed: Drift[] = [];
  if (opts.fix) {
    for (const want of present) {
      const mine = drift.filter((d) => d.topic === want.name);
      // AlterConfigs (not incremental in kafkajs) sets the topic's whole dynamic config:
      // the managed keys are what topology owns, so that is what we send.
      if (mine.some((d) => d.fix === 'alter-configs')) {
        await admin.alterConfigs({
          validateOnly: false,
          resources: [{
            type: ConfigResourceTypes.TOPIC,
            name: want.name,
            configEntries: Object.entries(want.configs).map(([name, value]) => ({ name, value })),
          }],
        });
        fixed.push(...mine.filter((d) => d.fix === 'alter-configs'));
      }
      const grow = mine.find((d) => d.fix === 'add-partitions');
      if (grow) {
        await admin.createPartitions({ topicPartitions: [{ topic: want.name, count: want.partitions }] });
        fixed.push(grow);
      }
    }
  }
  const driftedTopics = new Set(drift.map((d) => d.topic));
  return {
    created: missing.map((t) => t.name),
    unchanged: present.filter((t) => !driftedTopics.has(t.name)).map((t) => t.name),
    drift,
    fixed,
    remaining: drift.filter((d) => !fixed.includes(d)),
  };
}
