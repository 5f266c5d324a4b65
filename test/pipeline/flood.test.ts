/**
 * Flood quarantine on the real stack: curation in Postgres → relay → two matcher
 * processes' replicas; two flood counters share match.results. A flood of matches on
 * one bank entry quarantines it exactly once, later results flag its matches
 * `quarantined` (from both matchers) and the actioner skips them; a release through
 * /c restores it, audited; the UI shows the counts, the quarantined entry and releases it.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBank } from '../../src/curation/banks.js';
import { addSignals } from '../../src/curation/contents.js';
import { withAdmin } from '../../src/kafka/client.js';
import type { ContentHashedValue } from '../../src/kafka/values.js';
import { registry } from '../../src/observability/metrics.js';
import { stageGroupId } from '../../src/pipeline/stage/stage.js';
import { startActioner } from '../../src/processes/actioner.js';
import { buildApi } from '../../src/processes/api.js';
import { startFlood } from '../../src/processes/flood.js';
import { startMatcher } from '../../src/processes/matcher.js';
import { startMatching, type Matching } from '../../src/processes/matching.js';
import { startOutboxRelay } from '../../src/processes/relay.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { SIGNAL_TYPE_NAMES, signalTypeRegistry } from '../../src/signals/registry.js';
import { topicName } from '../../topology/topics.js';
import { scratchDb, type ScratchDb } from '../support/scratch-db.js';
import { readTopic, testPipeline, type TestPipeline } from './support/topics.js';

const FLOOD = 'f'.repeat(64);
const CALM = '0f'.repeat(32);
const LIMIT = 8;

let db: ScratchDb;
let p: TestPipeline;
const runtimes: Runtime[] = [];
const counters: Runtime[] = [];
const replicas: Matching[] = [];
let app: FastifyInstance;
let floodId: number;
let calmId: number;
const reviewTopic = () => `${p.config.TOPIC_PREFIX}flood-review`;

const hashed = (contentId: string, value: string): ContentHashedValue => ({
  submission_id: `sub-${contentId}`,
  content_id: contentId,
  content_type: 'photo',
  signals: [{ signal_type: 'pdq', value, quality: 100 }],
  hasher_version: 'test',
  trace_id: null,
  metadata: null,
  submitted_at: Date.now(),
  timings: { fetch_ms: 0, hash_ms: 1, hashed_at: Date.now() },
});

async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function metric(name: string): Promise<number> {
  const m = registry.getSingleMetric(name);
  return m ? (await m.get()).values.reduce((n, v) => n + v.value, 0) : 0;
}

/** Whether a consumer group has committed every message of match.results. */
async function caughtUp(group: string): Promise<boolean> {
  const topic = topicName(p.config.TOPIC_PREFIX, 'match.results');
  return withAdmin(p.kafka, async (admin) => {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    // A transaction's commit marker takes the last offset: a caught-up stage has committed the one before.
    return ends.every((e) => Number(committed?.partitions.find((c) => c.partition === e.partition)?.offset ?? -1) >= Number(e.high) - 1);
  });
}

/** Matches counted so far, over every entry and minute. */
async function counted(): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>('SELECT coalesce(sum(matches), 0) AS n FROM flood_bucket');
  return Number(rows[0]!.n);
}

async function produceFor(prefix: string, n: number, value: string): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  await p.produce('content.hashed', ids.map((id) => ({ key: id, value: hashed(id, value) })));
  return ids;
}

async function startCounter(name: string): Promise<Runtime> {
  const rt = new Runtime(p.config, name);
  runtimes.push(rt);
  await startFlood(rt);
  return rt;
}

beforeAll(async () => {
  db = await scratchDb('flood');
  p = await testPipeline('flood', {
    DATABASE_URL: db.url,
    OUTBOX_RELAY_POLL_MS: '50',
    FLOOD_MAX_MATCHES: String(LIMIT),
    FLOOD_WINDOW_SECONDS: '600',
    FLOOD_BASELINE_FACTOR: '3',
  });
  await withAdmin(p.kafka, (admin) => admin.createTopics({ waitForLeaders: true, topics: [{ topic: reviewTopic(), numPartitions: 1 }] }));
  const types = signalTypeRegistry(SIGNAL_TYPE_NAMES);
  await createBank(db.pool, { name: 'FLOOD_BANK', labels: ['abuse'] });
  floodId = (await addSignals(db.pool, types, 'FLOOD_BANK', { pdq: FLOOD })).id;
  calmId = (await addSignals(db.pool, types, 'FLOOD_BANK', { pdq: CALM })).id;
  const rules = path.join(os.tmpdir(), `hma-flood-rules-${process.pid}.yaml`);
  await writeFile(rules, ['rules:', '  - name: review', '    when: { banks: [FLOOD_BANK] }', `    action: { type: topic, topic: ${reviewTopic()} }`].join('\n'));

  const relayRt = new Runtime(p.config, 'flood-relay');
  runtimes.push(relayRt);
  const relay = await startOutboxRelay(p.config, relayRt.db);
  relayRt.onStop('relay', () => relay.stop());
  expect(await readTopic(p, 'signals', { count: 2, timeoutMs: 30_000 })).toHaveLength(2);
  // Two matchers (one group, each its own replica) and two flood counters (one group).
  for (const name of ['flood-matcher-1', 'flood-matcher-2']) {
    const rt = new Runtime(p.config, name);
    runtimes.push(rt);
    const matching = await startMatching(rt);
    replicas.push(matching);
    await startMatcher(rt, matching);
  }
  for (const name of ['flood-counter-1', 'flood-counter-2']) counters.push(await startCounter(name));
  const act = new Runtime(p.config, 'flood-actioner');
  runtimes.push(act);
  await startActioner(act, rules);
  // The API process as `hma api` composes it (/c and /ui; development mode: no login).
  const apiRt = new Runtime(p.config, 'flood-api');
  runtimes.push(apiRt);
  app = (await buildApi(apiRt)).app;
  await app.ready();
}, 120_000);

afterAll(async () => {
  await app?.close();
  for (const rt of runtimes.reverse()) await rt.stop();
  await p?.close();
  await db?.drop();
});

describe('flood quarantine', () => {
  let released: string[] = [];

  it('quarantines a flooding entry exactly once across two matchers and two counters; its later matches are flagged and not acted on', async () => {
    // The calm entry matches a little; the flooding one far past the limit.
    await produceFor('calm', 3, CALM);
    const flood = await produceFor('flood', 3 * LIMIT, FLOOD);
    await until(async () => (await counted()) >= 3 * LIMIT + 3, 'the counters to count every result');
    const perEntry = await db.pool.query<{ content_id: string; n: string }>('SELECT content_id, sum(matches) AS n FROM flood_bucket GROUP BY content_id ORDER BY content_id');
    expect(perEntry.rows.map((r) => [Number(r.content_id), Number(r.n)])).toEqual([[floodId, 3 * LIMIT], [calmId, 3]]);

    const q = await db.pool.query<{ content_id: string; window_matches: string }>('SELECT content_id, window_matches FROM flood_quarantine');
    expect(q.rows.map((r) => Number(r.content_id))).toEqual([floodId]);
    expect(Number(q.rows[0]!.window_matches)).toBeGreaterThan(LIMIT);
    expect(await metric('hma_flood_quarantine_events_total')).toBe(1);
    const audit = await db.pool.query<{ actor: string; action: string }>("SELECT actor, action FROM audit_log WHERE entity = 'flood_quarantine'");
    expect(audit.rows).toEqual([{ actor: 'system:flood-counter', action: 'insert' }]);

    // Both replicas learn it from the signals topic.
    await until(() => replicas.every((m) => m.replica.quarantinedCount === 1), 'both replicas to apply the quarantine', 30_000);
    const after = await produceFor('after', 12, FLOOD);
    const calmAfter = await produceFor('calm-after', 2, CALM);
    const results = await readTopic(p, 'match.results', { count: flood.length + 3 + after.length + calmAfter.length, timeoutMs: 60_000 });
    const byId = new Map(results.map((r) => [r.value.content_id, r.value]));
    for (const id of after) {
      const r = byId.get(id)!;
      expect(r.matched, id).toBe(true);
      expect(r.matches.map((m) => [m.bank_content_id, m.quarantined])).toEqual([[floodId, true]]);
    }
    for (const id of calmAfter) expect(byId.get(id)!.matches.map((m) => [m.bank_content_id, m.quarantined])).toEqual([[calmId, false]]);
    // Results of both matchers' partitions carry the flag (3 partitions, 2 members).
    expect(new Set(results.filter((r) => after.includes(r.value.content_id)).map((r) => r.partition)).size).toBeGreaterThan(1);
    // Still one quarantine: the flood went on, and was counted, while quarantined.
    await until(async () => (await counted()) >= results.length, 'the counters to count the later results');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await counted()).toBe(results.length);
    expect((await db.pool.query('SELECT 1 FROM flood_quarantine')).rowCount).toBe(1);
    expect(await metric('hma_flood_quarantine_events_total')).toBe(1);

    // The actioner acted on the calm entry's results but on none of the quarantined ones.
    await until(() => caughtUp(stageGroupId(p.config.TOPIC_PREFIX, 'actioner')), 'the actioner to finish');
    const fired = await db.pool.query<{ content_id: string }>("SELECT content_id FROM actioner_fired WHERE rule = 'review'");
    const firedIds = new Set(fired.rows.map((r) => r.content_id));
    for (const id of calmAfter) expect(firedIds.has(id), id).toBe(true);
    for (const id of after) expect(firedIds.has(id), id).toBe(false);
    released = after;
  }, 180_000);

  it('answers 404 releasing content that is not quarantined, lists the quarantined entry', async () => {
    const list = await app.inject({ method: 'GET', url: '/c/flood/quarantine?bank=FLOOD_BANK' });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual([expect.objectContaining({ content_id: floodId, bank_name: 'FLOOD_BANK' })]);
    const r = await app.inject({ method: 'DELETE', url: `/c/flood/quarantine/${calmId}` });
    expect(r.statusCode).toBe(404);
    expect(r.json().message).toMatch(/not quarantined/);
    expect((await app.inject({ method: 'DELETE', url: '/c/flood/quarantine/abc' })).statusCode).toBe(400);
  });

  it('a release through /c restores the entry: audited, flag cleared on both matchers, acted on again; a replaced counter counts on exactly', async () => {
    expect(released.length).toBeGreaterThan(0);
    const r = await app.inject({ method: 'DELETE', url: `/c/flood/quarantine/${floodId}` });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ released: floodId });
    expect((await db.pool.query('SELECT 1 FROM flood_quarantine')).rowCount).toBe(0);
    const audit = await db.pool.query<{ action: string; entity_key: unknown }>("SELECT action, entity_key FROM audit_log WHERE entity = 'flood_quarantine' ORDER BY id");
    expect(audit.rows.map((a) => a.action)).toEqual(['insert', 'delete']);

    await until(() => replicas.every((m) => m.replica.quarantinedCount === 0), 'both replicas to apply the release', 30_000);
    // A counter goes away and another takes its place: the counts stay exact (offsets are in Postgres).
    await counters[0]!.stop();
    counters[0] = await startCounter('flood-counter-3');
    const again = await produceFor('again', 4, FLOOD);
    let all: Awaited<ReturnType<typeof readTopic<'match.results'>>> = [];
    await until(async () => {
      all = await readTopic(p, 'match.results', { count: 1_000_000, timeoutMs: 1500 });
      return again.every((id) => all.some((x) => x.value.content_id === id));
    }, 'results of the released entry');
    for (const id of again) {
      expect(all.find((x) => x.value.content_id === id)!.value.matches.map((m) => [m.bank_content_id, m.quarantined])).toEqual([[floodId, false]]);
    }
    await until(() => caughtUp(stageGroupId(p.config.TOPIC_PREFIX, 'actioner')), 'the actioner to finish');
    const fired = await db.pool.query<{ content_id: string }>("SELECT content_id FROM actioner_fired WHERE rule = 'review' AND content_id = ANY($1)", [again]);
    expect(fired.rows.map((x) => x.content_id).sort()).toEqual([...again].sort());
    // Only matches after the release count towards a new quarantine: four are not a flood.
    await until(async () => (await counted()) >= all.length, 'the counters to count');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await counted()).toBe(all.length);
    expect((await db.pool.query('SELECT 1 FROM flood_quarantine')).rowCount).toBe(0);
  }, 120_000);

  it('quarantines it again on a new flood; the dashboard and bank page chart it, and their button releases it (audited)', async () => {
    await produceFor('flood2', 3 * LIMIT, FLOOD);
    await until(async () => (await db.pool.query('SELECT 1 FROM flood_quarantine')).rowCount === 1, 'the second quarantine');
    expect(await metric('hma_flood_quarantine_events_total')).toBe(2);

    for (const url of ['/ui/', '/ui/bank/FLOOD_BANK']) {
      const page = await app.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).toMatch(/<li data-bank="FLOOD_BANK">[\s\S]*?<svg class="spark"[^>]*><polyline points="[\d., ]+" \/><\/svg>/);
      expect(page.body, url).toContain(`<tr data-content-id="${floodId}"><td><code>${floodId}</code></td><td>FLOOD_BANK</td>`);
      expect(page.body, url).toContain(`action="/ui/flood/${floodId}/release"`);
    }
    const r = await app.inject({
      method: 'POST',
      url: `/ui/flood/${floodId}/release`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'back=%2Fui%2Fbank%2FFLOOD_BANK',
    });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe(`/ui/bank/FLOOD_BANK?done=released&id=${floodId}#flood-h`);
    expect((await db.pool.query('SELECT 1 FROM flood_quarantine')).rowCount).toBe(0);
    const audit = await db.pool.query<{ action: string }>("SELECT action FROM audit_log WHERE entity = 'flood_quarantine' ORDER BY id");
    expect(audit.rows.map((a) => a.action)).toEqual(['insert', 'delete', 'insert', 'delete']);
    const after = await app.inject({ url: '/ui/bank/FLOOD_BANK?done=released&id=' + floodId });
    expect(after.body).toContain(`Content ${floodId} released from flood quarantine`);
    expect(after.body).not.toContain(`action="/ui/flood/${floodId}/release"`);
    expect((await app.inject({ method: 'POST', url: `/ui/flood/${floodId}/release`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })).statusCode).toBe(404);
  }, 120_000);
});
