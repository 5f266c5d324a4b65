/**
 * The /dev endpoints and HMA's /ui helper endpoints over HTTP (no browser), on the API
 * process composed as `hma api` composes it in development mode, against the real
 * broker, registry and database.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/processes/api.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { eventually, startTestApi, type TestApi } from './support/api.js';

const PDQ_DIR = '/work/shared/testdata/pdq/pdq-data';
const BRIDGE = readFileSync(`${PDQ_DIR}/bridge-mods/aaa-orig.jpg`);
const BRIDGE_PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

let api: TestApi;
let app: FastifyInstance;

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
const post = (url: string, payload?: object | string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload, headers });
const form = (url: string, fields: Record<string, string>) =>
  post(url, new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded' });

/** A multipart body with one file and some text fields. */
function multipart(file: { field: string; name: string; bytes: Buffer } | undefined, fields: Record<string, string> = {}) {
  const boundary = '----hma-test-boundary';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    parts.push(file.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

beforeAll(async () => {
  api = await startTestApi('uihelp');
  app = api.app;
});
afterAll(async () => {
  await api?.stop();
});

describe('/dev endpoints', () => {
  it('create the sample and ThreatExchange exchanges once, redirecting to the dashboard', async () => {
    const sample = await post('/dev/setup_sample_example');
    expect([sample.statusCode, sample.headers.location]).toEqual([302, '/ui/']);
    const again = await post('/dev/setup_sample_example');
    expect([again.statusCode, again.json().message]).toEqual([403, "Exchange 'SEED_SAMPLE' already exists"]);
    expect((await post('/dev/setup_tx_example')).statusCode).toBe(302);
    expect((await get('/c/exchange/TX_EXAMPLE_COLLAB')).json()).toMatchObject({ api: 'fb_threatexchange', privacy_group: 1012185296055235 });
  });

  it('fetch every enabled exchange once: the sample gives 18 items, ThreatExchange records its missing credentials', async () => {
    const r = await post('/dev/run_fetch');
    expect([r.statusCode, r.headers.location]).toEqual([302, '/ui/exchanges']);
    expect((await get('/c/exchange/SEED_SAMPLE/status')).json()).toMatchObject({ fetched_items: 18, up_to_date: true, last_fetch_succeeded: true });
    expect((await get('/c/exchange/TX_EXAMPLE_COLLAB/status')).json()).toMatchObject({ last_fetch_succeeded: false });
    const page = await get('/ui/exchanges');
    expect(page.body).toMatch(/data-exchange="TX_EXAMPLE_COLLAB"[\s\S]*badge err">error<\/span>/);
  });

  it('seed two banks with 10,000 random signals, 5,000 PDQ and 5,000 MD5, reporting progress', async () => {
    const started = await post('/dev/seed_banks?background=true');
    expect(started.statusCode).toBe(202);
    expect(started.json().state).toBe('running');
    const state = await eventually(async () => (await get('/dev/seed_banks')).json(), (s) => s.state !== 'running', 60_000);
    expect(state).toEqual({ state: 'done', done: 10_000, total: 10_000 });
    for (const bank of ['SEED_BANK_0', 'SEED_BANK_1']) {
      expect((await get(`/c/bank/${bank}/metadata`)).json()).toMatchObject({
        matching_enabled_ratio: 1,
        content_count: 5000,
        signal_counts: { pdq: 2500, video_md5: 2500 },
      });
    }
    expect((await post('/dev/seed_banks')).statusCode).toBe(403);
    expect((await get('/ui/')).body).toContain('✅ Banks seeded');
  });
});

describe('HMA UI helpers', () => {
  it('create a bank from a form and find content by hash, with metadata and note', async () => {
    const created = await form('/ui/create_bank', { bank_name: 'helper_bank' });
    expect([created.statusCode, created.headers.location]).toEqual([303, '/ui/banks?done=bank_created&name=HELPER_BANK']);
    const dup = await form('/ui/create_bank', { bank_name: 'HELPER_BANK' });
    expect(dup.statusCode).toBe(403);
    expect(dup.body).toContain('Bank already exists');
    const added = await post('/c/bank/HELPER_BANK/signal', { pdq: BRIDGE_PDQ, video_md5: MD5, note: 'a bridge', metadata: { content_id: 'p-1', json: { k: 'v' } } });
    const id = added.json().id as number;
    const found = await form('/ui/query_hash', { signal_type: 'pdq', signal_value: BRIDGE_PDQ });
    expect(found.statusCode).toBe(200);
    const body = found.json();
    expect(body.hashes).toEqual({ pdq: BRIDGE_PDQ });
    expect(body.banks).toContain('HELPER_BANK');
    expect(body.matches.find((m: { content_id: number }) => m.content_id === id)).toEqual({
      bank_name: 'HELPER_BANK', content_id: id, distance: '0', signal_type: 'pdq', signal_value: BRIDGE_PDQ,
      metadata: { content_id: 'p-1', json: { k: 'v' } }, note: 'a bridge',
    });
    // The sample exchange's 12 bridge variants match too, nearest first.
    const distances = body.matches.map((m: { distance: string }) => Number(m.distance));
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(body.matches.filter((m: { bank_name: string }) => m.bank_name === 'SEED_SAMPLE')).toHaveLength(12);
  });

  it('find an uploaded photo (/ui/query) and a hash in one bank (/ui/bank/<b>/content/find)', async () => {
    const upload = multipart({ field: 'photo', name: 'bridge.jpg', bytes: BRIDGE });
    const r = await app.inject({ method: 'POST', url: '/ui/query', ...upload });
    expect(r.statusCode).toBe(200);
    expect(r.json().hashes).toEqual({ pdq: BRIDGE_PDQ });
    expect(r.json().banks).toEqual(['HELPER_BANK', 'SEED_SAMPLE']);
    const inBank = await post('/ui/bank/HELPER_BANK/content/find', { signal_type: 'video_md5', signal_value: MD5 });
    expect(inBank.json()).toMatchObject({ bank_name: 'HELPER_BANK', matches: [{ signal_type: 'video_md5', distance: '-' }] });
    expect(inBank.json().content_ids).toHaveLength(1);
  });

  it('answer bad requests with HMA messages, as HTML or as JSON when asked', async () => {
    const html = await form('/ui/query_hash', { signal_type: 'pdq' });
    expect(html.statusCode).toBe(400);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).toContain('Signal value is required');
    const json = await post('/ui/query_url', new URLSearchParams({ url: 'http://127.0.0.1:1/x.jpg' }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    });
    expect([json.statusCode, json.json()]).toEqual([400, { message: 'Content type is required' }]);
    const noBank = await post('/ui/bank/NOPE/content/find', { signal_type: 'pdq', signal_value: BRIDGE_PDQ }, { accept: 'application/json' });
    expect([noBank.statusCode, noBank.json()]).toEqual([404, { message: "bank 'NOPE' not found" }]);
    const noUrlType = await post('/ui/bank/HELPER_BANK/content/find', { url: 'http://example.com/a.jpg' }, { accept: 'application/json' });
    expect(noUrlType.json()).toEqual({ message: 'content_type required when searching by URL' });
    const missing = await get('/ui/nowhere');
    expect([missing.statusCode, missing.headers['content-type']]).toEqual([404, 'text/html; charset=utf-8']);
  });

  it('remove content from a bank by exact hash and by id, never from another bank', async () => {
    const a = (await post('/c/bank/HELPER_BANK/signal', { video_md5: MD5.replace('d41', 'aaa') })).json().id as number;
    const b = (await post('/c/bank/HELPER_BANK/signal', { video_md5: MD5.replace('d41', 'bbb') })).json().id as number;
    const byHash = await form('/ui/bank/HELPER_BANK/remove', { source: 'hash', signal_type: 'video_md5', signal_value: MD5.replace('d41', 'aaa') });
    expect([byHash.statusCode, byHash.headers.location]).toEqual([303, '/ui/bank/HELPER_BANK?done=removed&n=1']);
    expect((await get(`/c/bank/HELPER_BANK/content/${a}`)).statusCode).toBe(404);
    const sampleId = (await post('/ui/bank/SEED_SAMPLE/content/find', { signal_type: 'pdq', signal_value: BRIDGE_PDQ })).json().content_ids[0] as number;
    const elsewhere = await form('/ui/bank/HELPER_BANK/remove', { source: 'id', content_id: `${b}, ${sampleId}` });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.body).toContain(`content &#39;${sampleId}&#39; not found in bank &#39;HELPER_BANK&#39;`);
    const byId = await form('/ui/bank/HELPER_BANK/remove', { source: 'id', content_id: String(b) });
    expect(byId.headers.location).toBe('/ui/bank/HELPER_BANK?done=removed&n=1');
    expect((await form('/ui/bank/HELPER_BANK/remove', { source: 'id', content_id: 'x1' })).body).toContain('Invalid content id: &#39;x1&#39;');
  });

  it('factory reset removes every bank and exchange, and the matcher forgets their signals', async () => {
    const r = await form('/dev/factory_reset', { confirm: 'yes' });
    expect([r.statusCode, r.headers.location]).toEqual([302, '/ui/']);
    expect((await get('/c/banks')).json()).toEqual([]);
    expect((await get('/c/exchanges')).json()).toEqual([]);
    // Read-your-writes waits 2 s at most; ~10,000 tombstones may take longer on a busy machine.
    const found = await eventually(async () => (await get(`/m/lookup?signal_type=pdq&signal=${BRIDGE_PDQ}`)).json(), (v) => JSON.stringify(v) === '{}');
    expect(found).toEqual({});
    expect((await get('/ui/')).body).toContain('Setup Sample API');
  });
});

describe('in production mode', () => {
  it('has no /dev endpoints and no development buttons; with UI_ENABLED=false no /ui either', async () => {
    const prod = new Runtime(api.stack.configWith({ PRODUCTION: 'true' }), 'ui-prod-test');
    const noUi = new Runtime(api.stack.configWith({ PRODUCTION: 'true', UI_ENABLED: 'false', ROLE_MATCHER: 'false' }), 'ui-off-test');
    try {
      const p = (await buildApi(prod)).app;
      expect((await p.inject({ method: 'POST', url: '/dev/factory_reset' })).statusCode).toBe(404);
      const home = await p.inject({ url: '/ui/' });
      expect(home.statusCode).toBe(200);
      expect(home.body).not.toContain('Factory Reset');
      expect((await p.inject({ url: '/ui/exchanges' })).body).not.toContain('Run fetch now');
      const off = (await buildApi(noUi)).app;
      expect((await off.inject({ url: '/ui/' })).statusCode).toBe(404);
      expect((await off.inject({ url: '/' })).headers.location).toBe('/status');
    } finally {
      await prod.stop();
      await noUi.stop();
    }
  });
});
