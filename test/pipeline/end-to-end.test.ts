/**
 * The whole pipeline in one process, as `hma all` composes it: banks and content
 * planted through curation (Postgres → outbox relay → compacted topics), content
 * submitted through POST /v1/content (URL and multipart), hasher → matcher →
 * actioner. Checks the results, the actions (signed webhook, topic write, dead letter
 * after failed webhook calls) and that a redelivered result fires nothing again.
 */
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/runtime/app.js';
import { contentRoutes } from '../../src/api/content/routes.js';
import { createBank } from '../../src/curation/banks.js';
import { addSignals } from '../../src/curation/contents.js';
import { startOutboxRelay } from '../../src/processes/relay.js';
import { withAdmin } from '../../src/kafka/client.js';
import { registry } from '../../src/observability/metrics.js';
import { startActioner } from '../../src/processes/actioner.js';
import { SIGNATURE_HEADER, IDEMPOTENCY_HEADER, verifySignature } from '../../src/pipeline/actioner/webhook.js';
import { startHasher } from '../../src/processes/hasher.js';
import { startMatcher } from '../../src/processes/matcher.js';
import { Submitter } from '../../src/pipeline/submit/submitter.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { scratchDb, type ScratchDb } from '../support/scratch-db.js';
import { mediaServer, type MediaServer } from './support/media-server.js';
import { readTopic, testPipeline, type TestPipeline } from './support/topics.js';
import { runHma } from '../support/cli.js';
import { SIGNAL_TYPE_NAMES, signalTypeRegistry } from '../../src/signals/registry.js';

const PDQ_DATA = '/work/shared/testdata/pdq/pdq-data';
const ORIG_PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22'; // aaa-orig.jpg
const WEE_PDQ = '6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d';
const SECRET = 'e2e-webhook-secret';

let db: ScratchDb;
let p: TestPipeline;
let runtime: Runtime;
let media: MediaServer;
let app: FastifyInstance;
let submitter: Submitter;
let hooks: http.Server;
const calls: Array<{ path: string; body: string; signature: string; key: string }> = [];
const reviewTopic = () => `${p.config.TOPIC_PREFIX}review-out`;

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((n, v) => n + v.value, 0);
}

async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  db = await scratchDb('pipeline_e2e');
  media = await mediaServer({ '/blur.jpg': { file: `${PDQ_DATA}/bridge-mods/blur-a-little.jpg` } });
  hooks = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls.push({ path: req.url ?? '', body, signature: String(req.headers[SIGNATURE_HEADER]), key: String(req.headers[IDEMPOTENCY_HEADER]) });
      res.writeHead(req.url === '/fail' ? 500 : 204).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  const hookBase = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;

  p = await testPipeline('e2e', {
    DATABASE_URL: db.url,
    URL_ALLOW_LOOPBACK: 'true',
    ACTIONER_WEBHOOK_ATTEMPTS: '2',
    OUTBOX_RELAY_POLL_MS: '50',
    E2E_HOOK_SECRET: SECRET,
  });
  process.env.E2E_HOOK_SECRET = SECRET;
  await withAdmin(p.kafka, (admin) => admin.createTopics({ waitForLeaders: true, topics: [{ topic: reviewTopic(), numPartitions: 1 }] }));

  // Curation, as the /c API would do it.
  await createBank(db.pool, { name: 'E2E_ABUSE', labels: ['abuse'] });
  await addSignals(db.pool, signalTypeRegistry(SIGNAL_TYPE_NAMES), 'E2E_ABUSE', { pdq: ORIG_PDQ });
  await createBank(db.pool, { name: 'E2E_REVIEW', labels: ['review'] });
  await addSignals(db.pool, signalTypeRegistry(SIGNAL_TYPE_NAMES), 'E2E_REVIEW', { pdq: WEE_PDQ });

  const rules = path.join(os.tmpdir(), `hma-e2e-rules-${process.pid}.yaml`);
  await writeFile(rules, [
    'rules:',
    '  - name: notify-abuse',
    '    when: { labels: [abuse] }',
    `    action: { type: webhook, url: "${hookBase}/hook", secret_env: E2E_HOOK_SECRET }`,
    '  - name: flaky-hook',
    '    when: { banks: [E2E_ABUSE], signal_types: [pdq], max_distance: 31 }',
    `    action: { type: webhook, url: "${hookBase}/fail", secret_env: E2E_HOOK_SECRET }`,
    '  - name: review-queue',
    '    when: { banks: [E2E_REVIEW] }',
    `    action: { type: topic, topic: ${reviewTopic()} }`,
    '  - name: audit',
    '    action: { type: log }',
  ].join('\n'));

  runtime = new Runtime(p.config, 'e2e');
  const relay = await startOutboxRelay(p.config, runtime.db);
  runtime.onStop('relay', () => relay.stop());
  // The matcher loads what is on the topics when it starts: let the relay publish the plants first.
  expect(await readTopic(p, 'signals', { count: 2, timeoutMs: 30_000 })).toHaveLength(2);
  await startHasher(runtime);
  await startMatcher(runtime);
  await startActioner(runtime, rules);
  submitter = new Submitter(runtime);
  app = await buildApp({ config: p.config, plugins: [contentRoutes({ config: p.config, submit: (input) => submitter.submit(input) })] });
});

afterAll(async () => {
  await app?.close();
  await submitter?.close();
  await runtime?.stop();
  await p?.close();
  await media?.close();
  hooks?.close();
  await db?.drop();
});

function multipart(fields: Record<string, string>, file?: { name: string; type: string; data: Buffer }): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----hma${Date.now()}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name}"\r\ncontent-type: ${file.type}\r\n\r\n`));
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('pipeline end to end', () => {
  it('refuses bad submissions with clear errors', async () => {
    const noUrl = await app.inject({ method: 'POST', url: '/v1/content', payload: { content_id: 'x' } });
    expect(noUrl.statusCode).toBe(400);
    const badType = await app.inject({ method: 'POST', url: '/v1/content', payload: { url: 'https://example.com/a.jpg', content_type: 'audio' } });
    expect(badType.statusCode).toBe(400);
    expect(badType.json().message).toMatch(/content_type/);
    const unknownType = await app.inject({ method: 'POST', url: '/v1/content', payload: { url: 'https://example.com/a' } });
    expect(unknownType.statusCode).toBe(400);
    const noFile = await app.inject({ method: 'POST', url: '/v1/content', ...multipart({ content_id: 'x' }) });
    expect(noFile.statusCode).toBe(400);
    expect(noFile.json().message).toMatch(/without a file/);
  });

  it('hashes, matches and acts on submitted content, once', async () => {
    const byUrl = await app.inject({
      method: 'POST',
      url: '/v1/content',
      payload: { url: media.url('/blur.jpg'), content_id: 'post-1', metadata: { user: '42' }, trace_id: 't-1' },
    });
    expect(byUrl.statusCode).toBe(202);
    expect(byUrl.json()).toMatchObject({ content_id: 'post-1', content_type: 'photo' });
    const wee = await app.inject({
      method: 'POST',
      url: '/v1/content',
      ...multipart({ content_id: 'post-2' }, { name: 'wee.jpg', type: 'image/jpeg', data: await readFile(`${PDQ_DATA}/misc-images/wee.jpg`) }),
    });
    expect(wee.statusCode).toBe(202);
    const small = await app.inject({
      method: 'POST',
      url: '/v1/content',
      ...multipart({ content_id: 'post-3', content_type: 'photo' }, { name: 'x.bin', type: 'application/octet-stream', data: await readFile(`${PDQ_DATA}/misc-images/small.jpg`) }),
    });
    expect(small.statusCode).toBe(202);

    const results = await readTopic(p, 'match.results', { count: 3, timeoutMs: 90_000 });
    const byId = new Map(results.map((r) => [r.value.content_id, r.value]));
    expect(byId.size).toBe(3);
    const one = byId.get('post-1')!;
    expect(one.submission_id).toBe(byUrl.json().submission_id);
    expect(one.matched).toBe(true);
    expect(one.matches).toHaveLength(1);
    expect(one.matches[0]).toMatchObject({ bank_name: 'E2E_ABUSE', bank_labels: ['abuse'], signal_type: 'pdq' });
    expect(one.matches[0].distance).toBeLessThanOrEqual(4);
    expect(one).toMatchObject({ metadata: { user: '42' }, trace_id: 't-1' });
    expect(byId.get('post-2')!.matches.map((m) => m.bank_name)).toEqual(['E2E_REVIEW']);
    expect(byId.get('post-3')!).toMatchObject({ matched: false, matches: [] });

    // Actions: the webhook once, signed; the failing one dead-lettered after 2 calls; the topic write once.
    await until(async () => (await counter('hma_actioner_actions_total', { rule: 'flaky-hook', outcome: 'failed' })) === 1, 'the failing webhook to be given up');
    await until(async () => (await counter('hma_actioner_actions_total', { rule: 'review-queue', outcome: 'fired' })) === 1, 'the review action');
    const good = calls.filter((c) => c.path === '/hook');
    expect(good).toHaveLength(1);
    expect(verifySignature(SECRET, good[0].signature, good[0].body)).toBe(true);
    expect(verifySignature('wrong', good[0].signature, good[0].body)).toBe(false);
    expect(good[0].key).toBe('post-1:notify-abuse');
    expect(JSON.parse(good[0].body)).toMatchObject({ rule: 'notify-abuse', content_id: 'post-1', matches: [{ bank_name: 'E2E_ABUSE' }] });
    expect(calls.filter((c) => c.path === '/fail')).toHaveLength(2);
    const dead = (await readTopic(p, 'deadletter', { count: 1, timeoutMs: 30_000 })).map((d) => d.value);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ stage: 'actioner', reason: 'action_failed', attempts: 2 });
    expect(dead[0].message).toMatch(/flaky-hook/);
    const reviewed = await readRaw(reviewTopic(), 1);
    expect(reviewed).toHaveLength(1);
    expect(JSON.parse(reviewed[0])).toMatchObject({ rule: 'review-queue', content_id: 'post-2', idempotency_key: 'post-2:review-queue' });

    // A redelivered result (the same bytes again) fires nothing a second time.
    const skippedBefore = await counter('hma_actioner_actions_total', { outcome: 'skipped' });
    const again = results.find((r) => r.value.content_id === 'post-1')!;
    await p.produce('match.results', [{ key: again.key, value: again.value }, { key: 'post-2', value: byId.get('post-2')! }]);
    await until(async () => (await counter('hma_actioner_actions_total', { outcome: 'skipped' })) - skippedBefore >= 5, 'the redelivered results to be handled');
    expect(calls.filter((c) => c.path === '/hook')).toHaveLength(1);
    expect(calls.filter((c) => c.path === '/fail')).toHaveLength(2);
    expect(await readRaw(reviewTopic(), 2, 3000)).toHaveLength(1);

    // Every stage counted its events.
    for (const stage of ['hasher', 'matcher', 'actioner']) expect(await counter('hma_pipeline_events_in_total', { stage })).toBeGreaterThanOrEqual(3);
  });
});

describe('hma scan', () => {
  it('submits every image under a folder, inline or served, and summarises the outcomes', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hma-scan-'));
    await mkdir(path.join(dir, 'nested'));
    await copyFile(`${PDQ_DATA}/misc-images/wee.jpg`, path.join(dir, 'wee.jpg'));
    await copyFile(`${PDQ_DATA}/misc-images/small.jpg`, path.join(dir, 'nested', 'small.jpg'));
    // Over the inline limit below: served to the hasher by scan's own file server.
    await copyFile(`${PDQ_DATA}/bridge-mods/blur-a-little.jpg`, path.join(dir, 'nested', 'blur.jpg'));
    await writeFile(path.join(dir, 'broken.png'), 'not a png');
    await writeFile(path.join(dir, 'notes.txt'), 'not media');
    const out = await runHma(['scan', dir, '--timeout', '90'], { ...p.env, MAX_INLINE_MEDIA_BYTES: '100000', LOG_LEVEL: 'error' });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/4 submitted in [\d.]+ s: 2 matched, 1 not matched, 1 failed \(unsupported_media 1\)/);
    const rows = out.stdout.split('\n');
    expect(rows.find((r) => r.includes('wee.jpg'))).toMatch(/MATCH\s+E2E_REVIEW\s+review/);
    expect(rows.find((r) => r.includes('blur.jpg'))).toMatch(/MATCH\s+E2E_ABUSE\s+abuse\s+distance/);
    expect(rows.find((r) => r.includes('broken.png'))).toMatch(/failed: unsupported_media/);
    expect(rows.some((r) => r.includes('small.jpg'))).toBe(false); // no match: only with --all
  }, 180_000);
});

/** Committed values of a plain (non-Avro) topic, up to `count` or `ms`. */
async function readRaw(topic: string, count: number, ms = 30_000): Promise<string[]> {
  const out: string[] = [];
  const consumer = p.kafka.consumer({ groupId: `${p.config.TOPIC_PREFIX}raw.${Date.now()}`, readUncommitted: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void out.push(message.value!.toString()) });
  const end = Date.now() + ms;
  while (out.length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  return out;
}
