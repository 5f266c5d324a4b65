import kafkajs, { type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createKafka } from '../../src/kafka/client.js';
import { applyTopics, desiredTopics } from '../../src/kafka/topology.js';
import { DRIFT_EXIT_CODE } from '../../src/cli/commands/topology.js';
import { topics } from '../../topology/topics.js';
import { runHma } from '../support/cli.js';

const { ConfigResourceTypes } = kafkajs;

// A prefix of its own under the run's, so drifting these topics disturbs no other test.
const env = { ...process.env, TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}topology.`, TOPIC_PARTITIONS: '2' };
const cfg: Config = loadConfig(env);
const name = (t: string) => `${cfg.TOPIC_PREFIX}${t}`;
let admin: Admin;

async function topicConfig(topic: string, key: string): Promise<string | undefined> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [key] }],
  });
  return resources[0]?.configEntries.find((e) => e.configName === key)?.configValue;
}

async function partitionCount(topic: string): Promise<number> {
  const { topics: meta } = await admin.fetchTopicMetadata({ topics: [topic] });
  return meta[0].partitions.length;
}

describe('topology apply on the real broker', () => {
  beforeAll(async () => {
    admin = createKafka(cfg, 'test-topology').admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.disconnect();
  });

  it('creates every missing topic with its partitions, cleanup policy and retention', async () => {
    const report = await applyTopics(admin, cfg, { fix: false });
    expect(report.created.sort()).toEqual(topics.map((t) => name(t.name)).sort());
    expect(report.drift).toEqual([]);
    for (const want of desiredTopics(cfg)) {
      expect(await partitionCount(want.name)).toBe(want.partitions);
      expect(await topicConfig(want.name, 'cleanup.policy')).toBe(want.spec.cleanupPolicy);
    }
    expect(await partitionCount(name('content.submitted'))).toBe(2);
    expect(await partitionCount(name('signals'))).toBe(1);
    expect(await topicConfig(name('deadletter'), 'retention.ms')).toBe(String(30 * 24 * 3600 * 1000));
  });

  it('leaves correct topics alone on a second apply', async () => {
    const report = await applyTopics(admin, cfg, { fix: false });
    expect(report.created).toEqual([]);
    expect(report.drift).toEqual([]);
    expect(report.unchanged).toHaveLength(topics.length);
  });

  it('reports drift with a non-zero exit, and --fix repairs what Kafka can change in place', async () => {
    // Someone flips two cleanup policies and shortens a retention by hand…
    const alter = (topic: string, entries: Record<string, string>) =>
      admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: Object.entries(entries).map(([n, value]) => ({ name: n, value })) }],
      });
    await alter(name('content.hashed'), { 'cleanup.policy': 'compact' });
    await alter(name('signals'), { 'cleanup.policy': 'delete' });
    await alter(name('match.results'), { 'cleanup.policy': 'delete', 'retention.ms': '1000' });
    // …and the topology now asks for more partitions than the pipeline topics have.
    const grown = { ...env, TOPIC_PARTITIONS: '3' };

    const check = await runHma(['topology', 'apply'], grown);
    expect(check.code, check.stderr).toBe(DRIFT_EXIT_CODE);
    expect(check.stdout).toContain(`DRIFT     ${name('content.hashed')}: cleanup.policy is compact, topology says delete`);
    expect(check.stdout).toContain(`DRIFT     ${name('signals')}: cleanup.policy is delete, topology says compact`);
    expect(check.stdout).toContain(`DRIFT     ${name('match.results')}: retention.ms is 1000`);
    expect(check.stdout).toContain(`DRIFT     ${name('deadletter')}: partitions is 2, topology says 3`);
    expect(check.stderr).toMatch(/drift item\(s\) left; run `hma topology apply --fix`/);
    // Reporting changed nothing.
    expect(await topicConfig(name('signals'), 'cleanup.policy')).toBe('delete');

    const fix = await runHma(['topology', 'apply', '--fix'], grown);
    expect(fix.code, fix.stdout + fix.stderr).toBe(0);
    expect(fix.stdout).toContain(`fixed     ${name('signals')}: cleanup.policy delete → compact`);

    expect(await topicConfig(name('content.hashed'), 'cleanup.policy')).toBe('delete');
    expect(await topicConfig(name('signals'), 'cleanup.policy')).toBe('compact');
    expect(await topicConfig(name('match.results'), 'retention.ms')).toBe(String(7 * 24 * 3600 * 1000));
    expect(await partitionCount(name('content.submitted'))).toBe(3);
    expect(await partitionCount(name('signals'))).toBe(1);

    const after = await applyTopics(admin, loadConfig(grown), { fix: false });
    expect(after.drift).toEqual([]);
  });

  it('explains drift it cannot fix (fewer partitions wanted than exist) and keeps failing', async () => {
    const report = await applyTopics(admin, cfg, { fix: true }); // topology back at 2 partitions, topics have 3
    expect(report.fixed).toEqual([]);
    const shrink = report.remaining.find((d) => d.topic === name('content.submitted'));
    expect(shrink).toMatchObject({ setting: 'partitions', expected: '2', actual: '3', fix: 'manual' });
    expect(shrink && shrink.fix === 'manual' ? shrink.why : '').toMatch(/cannot remove partitions/);
  });
});
