/**
 * Allow-list banks in the pipeline, as `hma all` composes it: an image on an allow-list bank
 * whose scope covers a shared list has its shared-list match suppressed (named in the result,
 * counted) and the actioner does nothing for it; a bank outside the scope still matches and
 * is acted on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/runtime/app.js';
import { contentRoutes } from '../../src/api/content/routes.js';
import { createBank } from '../../src/curation/banks.js';
import { addSignals } from '../../src/curation/contents.js';
import { startOutboxRelay } from '../../src/processes/relay.js';
import { registry } from '../../src/observability/metrics.js';
import { startActioner } from '../../src/processes/actioner.js';
import { startHasher } from '../../src/processes/hasher.js';
import { startMatcher } from '../../src/processes/matcher.js';
import { Submitter } from '../../src/pipeline/submit/submitter.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { scratchDb, type ScratchDb } from '../support/scratch-db.js';
import { readTopic, testPipeline, type TestPipeline } from './support/topics.js';
import { SIGNAL_TYPE_NAMES, signalTypeRegistry } from '../../src/signals/registry.js';

const PDQ_DATA = '/work/shared/testdata/pdq/pdq-data';
const ORIG_PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22'; // blur-a-little.jpg is within 4 bits
const WEE_PDQ = '6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d'; // wee.jpg

let db: ScratchDb;
let p: TestPipeline;
let runtime: Runtime;
let app: FastifyInstance;
let submitter: Submitter;
let hooks: http.Server;
const calls: Array<{ path: string; body: string }> = [];

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

function upload(contentId: string, name: string, data: Buffer) {
  const boundary = `----hma${Date.now()}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="content_id"\r\n\r\n${contentId}\r\n`),
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: image/jpeg\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return app.inject({ method: 'POST', url: '/v1/content', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
}

beforeAll(async () => {
  db = await scratchDb('pipeline_allow');
  hooks = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls.push({ path: req.url ?? '', body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  const hookBase = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  p = await testPipeline('allow', { DATABASE_URL: db.url, URL_ALLOW_LOOPBACK: 'true', OUTBOX_RELAY_POLL_MS: '50', ALLOW_HOOK_SECRET: 's' });
  process.env.ALLOW_HOOK_SECRET = 's';

  const types = signalTypeRegistry(SIGNAL_TYPE_NAMES);
  // A shared list holding a hash that collides with a known-benign image, and the platform's own list.
  await createBank(db.pool, { name: 'SHARED_LIST', labels: ['shared'] });
  await addSignals(db.pool, types, 'SHARED_LIST', { pdq: ORIG_PDQ });
  await createBank(db.pool, { name: 'OWN_LIST', labels: ['own'] });
  await addSignals(db.pool, types, 'OWN_LIST', { pdq: WEE_PDQ });
  // The allow-list covers banks labelled `shared` only: it holds both images.
  await createBank(db.pool, { name: 'MEMES', allow_list: true, allow_list_scope: ['shared'] });
  await addSignals(db.pool, types, 'MEMES', { pdq: ORIG_PDQ });
  await addSignals(db.pool, types, 'MEMES', { pdq: WEE_PDQ });

  const rules = path.join(os.tmpdir(), `hma-allow-rules-${process.pid}.yaml`);
  await writeFile(rules, [
    'rules:',
    '  - name: notify-shared',
    '    when: { labels: [shared] }',
    `    action: { type: webhook, url: "${hookBase}/shared", secret_env: ALLOW_HOOK_SECRET }`,
    '  - name: notify-any',
    `    action: { type: webhook, url: "${hookBase}/any", secret_env: ALLOW_HOOK_SECRET }`,
  ].join('\n'));

  runtime = new Runtime(p.config, 'allow');
  const relay = await startOutboxRelay(p.config, runtime.db);
  runtime.onStop('relay', () => relay.stop());
  expect(await readTopic(p, 'signals', { count: 4, timeoutMs: 30_000 })).toHaveLength(4);
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
  hooks?.close();
  await db?.drop();
});

describe('allow-list banks in the pipeline', () => {
  it('suppress an in-scope shared-list match, which the actioner never acts on', async () => {
    expect((await upload('benign-1', 'blur.jpg', await readFile(`${PDQ_DATA}/bridge-mods/blur-a-little.jpg`))).statusCode).toBe(202);
    expect((await upload('own-1', 'wee.jpg', await readFile(`${PDQ_DATA}/misc-images/wee.jpg`))).statusCode).toBe(202);

    const results = new Map((await readTopic(p, 'match.results', { count: 2, timeoutMs: 90_000 })).map((r) => [r.value.content_id, r.value]));
    const benign = results.get('benign-1')!;
    // Nothing left to act on: the allow-list bank itself never matches.
    expect(benign).toMatchObject({ matched: false, matches: [] });
    expect(benign.suppressed).toHaveLength(1);
    expect(benign.suppressed[0]).toMatchObject({
      match: { bank_name: 'SHARED_LIST', signal_type: 'pdq', bank_labels: ['shared'] },
      allow_list_bank_name: 'MEMES',
      allow_list_signal_type: 'pdq',
    });
    expect(benign.suppressed[0]!.allow_list_distance).toBeLessThanOrEqual(4);
    // OWN_LIST is outside MEMES' scope: it still matches, and is acted on.
    const own = results.get('own-1')!;
    expect(own).toMatchObject({ matched: true, suppressed: [] });
    expect(own.matches.map((m) => m.bank_name)).toEqual(['OWN_LIST']);

    await until(async () => (await counter('hma_actioner_actions_total', { rule: 'notify-any', outcome: 'fired' })) === 1, 'the action on own-1');
    await until(async () => (await counter('hma_pipeline_events_in_total', { stage: 'actioner' })) >= 2, 'the actioner to read both results');
    expect(calls.map((c) => [c.path, JSON.parse(c.body).content_id])).toEqual([['/any', 'own-1']]);
    expect(await counter('hma_actioner_actions_total', { rule: 'notify-shared' })).toBe(0);
    expect(await counter('hma_matcher_suppressed_matches_total', { allow_list_bank: 'MEMES', bank: 'SHARED_LIST' })).toBe(1);
  });
});
