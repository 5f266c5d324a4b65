import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeExtraRoutes } from '../../src/api/exchanges/routes.js';
import { buildApp } from '../../src/runtime/app.js';
import { curatorRoutes } from '../../src/api/curator/index.js';
import { loadConfig } from '../../src/config/config.js';
import { getExchange } from '../../src/curation/exchanges.js';
import { fetchExchange } from '../../src/exchanges/fetcher/fetch-exchange.js';
import type { ScratchDb } from '../support/scratch-db.js';
import { GROUP, TOKEN, startFakeThreatExchange, type FakeThreatExchange } from './fakes/threatexchange.js';
import { exchangeDb } from './support/db.js';
import { testDeps } from './support/fetch.js';

const pdq = (n: number) => n.toString(16).padStart(64, '0');
const never = new AbortController().signal;

describe('exchange endpoints beyond HMA', () => {
  let db: ScratchDb;
  let fake: FakeThreatExchange;
  let app: FastifyInstance;
  let dir: string;
  let txContent = 0;

  const get = (url: string) => app.inject({ method: 'GET', url });
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload });
  const put = (url: string, payload: object) => app.inject({ method: 'PUT', url, payload });
  const fetchNow = async (name: string) => fetchExchange(testDeps(db.pool, { fb_threatexchange: fake.url }), await getExchange(db.pool, name), never);

  beforeAll(async () => {
    db = await exchangeDb('exroutes');
    fake = await startFakeThreatExchange();
    fake.updates = [1, 2].map((n) => ({
      id: String(n), indicator: pdq(n), type: 'HASH_PDQ', last_updated: 100 + n, should_delete: false,
      descriptors: { data: [{ id: String(500 + n), owner: { id: '42' }, status: 'MALICIOUS', tags: ['csam'] }] },
    }));
    dir = await mkdtemp(path.join(os.tmpdir(), 'hma-routes-'));
    const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', EXCHANGE_BASE_URLS: `fb_threatexchange=${fake.url}` });
    app = await buildApp({ config, plugins: [curatorRoutes({ db: db.pool, config }), exchangeExtraRoutes({ db: db.pool, config })] });
    await app.ready();

    expect((await post('/c/exchanges', { bank: 'TX', api: 'fb_threatexchange', api_json: { privacy_group: GROUP } })).statusCode).toBe(201);
    expect((await post('/c/exchanges/api/fb_threatexchange', { credential_json: { api_token: TOKEN } })).statusCode).toBe(200);
    expect(await fetchNow('TX')).toMatchObject({ kind: 'done', items: 2 });
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it('returns one fetched record by its exchange record id, with its metadata', async () => {
    const res = await get(`/c/exchange/TX/records/${encodeURIComponent(`HASH_PDQ:${pdq(1)}`)}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ exchange: 'TX', record_id: `HASH_PDQ:${pdq(1)}`, signals: { pdq: pdq(1) } });
    expect(body.metadata.opinions).toEqual([{ owner_app_id: '42', descriptor_id: '501', is_mine: false, category: 'POSITIVE_CLASS', tags: ['csam'] }]);
    txContent = body.content_id;
    expect((await get(`/c/exchange/TX/records/nope`)).json()).toEqual({ message: "record 'nope' not found in exchange 'TX'" });
    expect((await get(`/c/exchange/NOPE/records/x`)).statusCode).toBe(404);
  });

  it('finds a record whose id holds a slash and a colon', async () => {
    const file = path.join(dir, 'list.jsonl');
    await writeFile(file, `{"id": "a/b:c", "signal_type": "pdq", "signal": "${pdq(3)}"}\n`);
    expect((await post('/c/exchanges', { bank: 'FILE', api: 'local_file', api_json: { filename: file } })).statusCode).toBe(201);
    await fetchNow('FILE');
    const res = await get(`/c/exchange/FILE/records/${encodeURIComponent('a/b:c')}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().signals).toEqual({ pdq: pdq(3) });
  });

  it('lists fetch history, newest first', async () => {
    await fetchNow('TX');
    const res = await get('/c/exchange/TX/history?limit=5');
    expect(res.statusCode).toBe(200);
    // start_time is inclusive: the second run sees the newest update again.
    expect(res.json().map((h: { items_fetched: number; succeeded: boolean }) => [h.succeeded, h.items_fetched])).toEqual([[true, 1], [true, 2]]);
    expect((await get('/c/exchange/TX/history?limit=0')).statusCode).toBe(400);
  });

  it('records a review and sends what the exchange flags ask for', async () => {
    let res = await post('/c/reviews', { content_ids: [txContent], verdict: 'harmful', labels: ['csam'] });
    expect(res.statusCode).toBe(200);
    expect(res.json().reviews[0].feedback).toEqual([
      { exchange: 'TX', record_id: `HASH_PDQ:${pdq(1)}`, kind: 'true_positive', status: 'skipped', reason: "report_true_positive is off for exchange 'TX'" },
    ]);
    expect(fake.reactions).toEqual([]);

    expect((await put('/c/exchange/TX', { report_seen: true, report_true_positive: true, report_false_positive: true })).statusCode).toBe(200);
    res = await post('/c/reviews', { content_ids: [txContent], verdict: 'not_harmful', reviewer: 'ana' });
    expect(res.json().reviews[0].feedback.map((f: { kind: string; status: string }) => [f.kind, f.status])).toEqual([
      ['seen', 'sent'],
      ['false_positive', 'sent'],
    ]);
    expect(fake.reactions).toEqual([
      { descriptor: '501', reaction: 'SAW_THIS_TOO' },
      { descriptor: '501', reaction: 'DISAGREE_WITH_TAGS' },
    ]);

    const history = (await get(`/c/content/${txContent}/reviews`)).json();
    expect(history.map((r: { verdict: string; reviewer: string | null; labels: string[] }) => [r.verdict, r.reviewer, r.labels])).toEqual([
      ['not_harmful', 'ana', []],
      ['harmful', null, ['csam']],
    ]);
    const content = (await get(`/c/bank/TX/content/${txContent}`)).json();
    expect(content.id).toBe(txContent);
  });

  it('reports an upstream failure per item and keeps the review', async () => {
    fake.fault({ reply: { status: 500 }, times: 2 });
    const res = await post('/c/reviews', { content_ids: [txContent], verdict: 'harmful', send_feedback: true });
    expect(res.statusCode).toBe(200);
    expect(res.json().reviews[0].feedback.map((f: { status: string }) => f.status)).toEqual(['failed', 'failed']);
    expect((await get(`/c/content/${txContent}/reviews`)).json().length).toBe(3);
  });

  it('refuses with 400 a flag the exchange API cannot honour, storing nothing', async () => {
    expect((await put('/c/exchange/FILE', { report_true_positive: true })).statusCode).toBe(200);
    const fileContent = (await get(`/c/exchange/FILE/records/${encodeURIComponent('a/b:c')}`)).json().content_id;
    const res = await post('/c/reviews', { content_ids: [txContent, fileContent], verdict: 'harmful' });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe("exchange 'FILE' (local_file) cannot take true_positive feedback; turn report_true_positive off or review without send_feedback");
    expect((await get(`/c/content/${fileContent}/reviews`)).json()).toEqual([]);
    const stored = await post('/c/reviews', { content_ids: [fileContent], verdict: 'harmful', send_feedback: false });
    expect(stored.json().reviews[0].feedback).toEqual([]);
  });

  it('reviews content that is not from an exchange without feedback, and validates input', async () => {
    expect((await post('/c/banks', { name: 'MINE' })).statusCode).toBe(201);
    const id = (await post('/c/bank/MINE/signal', { pdq: pdq(9) })).json().id;
    expect((await post('/c/reviews', { content_ids: [id], verdict: 'harmful' })).json()).toEqual({ reviews: [{ content_id: id, review_id: expect.any(Number), feedback: [] }] });
    expect((await post('/c/reviews', { content_ids: [999_999], verdict: 'harmful' })).json()).toEqual({ message: "content '999999' not found" });
    expect((await post('/c/reviews', { content_ids: [id], verdict: 'maybe' })).statusCode).toBe(400);
    expect((await post('/c/reviews', { content_ids: [], verdict: 'harmful' })).statusCode).toBe(400);
    expect((await get('/c/content/999999/reviews')).statusCode).toBe(404);
  });
});
