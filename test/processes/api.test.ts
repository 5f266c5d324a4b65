/**
 * The API process composed as `hma api` composes it, on the real broker, registry and
 * database: curation writes flow through the outbox relay and the signal topics into
 * the process's own replica, and /m answers from it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/processes/api.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { DIHEDRAL_NAMES } from '../../src/signals/pdq/dihedral.js';
import { pdqDir } from '../hashing/testdata.js';
import { scratchStack, type Stack } from '../support/stack.js';

const A = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
// A with its last 5 bits flipped: distance 5.
const A5 = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b3d';
const FAR = '0'.repeat(64);
const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
// A video of 5 distinct frames, and a query that shares 4 of them (80%: a vPDQ match).
const frames = ['1', '2', '4', '8', 'e'].map((d) => d.repeat(64)); // ≥ 64 bits apart from each other and from FAR
const VIDEO = JSON.stringify(frames.map((h, i) => `${h},100,${i}.0`));
const CLIP = JSON.stringify([...frames.slice(0, 4), FAR].map((h, i) => `${h},100,${i}.0`));

let stack: Stack;
let runtime: Runtime;
let app: FastifyInstance;

async function start(): Promise<void> {
  runtime = new Runtime(stack.config, 'api-test');
  app = (await buildApi(runtime)).app;
  await app.ready();
}

async function waitReady(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await app.inject({ url: '/status' })).statusCode === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('API never became ready');
}

const get = (url: string) => app.inject({ method: 'GET', url });
const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });
const put = (url: string, payload: unknown) => app.inject({ method: 'PUT', url, payload: payload as object });

beforeAll(async () => {
  stack = await scratchStack('api', { SIGNAL_TYPES: 'pdq,video_md5,vpdq' });
  await start();
  await waitReady();
});
afterAll(async () => {
  await runtime?.stop();
  await stack?.drop();
});

describe('the API process', () => {
  let contentId = 0;

  it('serves /status, /status/live and a site map of every role', async () => {
    expect((await get('/status')).body).toBe('I-AM-ALIVE');
    expect((await get('/status/live')).body).toBe('I-AM-ALIVE');
    const map = (await get('/site-map')).json() as string[];
    for (const route of ['/c/banks', '/m/raw_lookup', '/m/lookup', '/m/compare', '/m/index/status', '/status']) {
      expect(map).toContain(route);
    }
  });

  it('makes a hash added through /c matchable at once on the same process (read-your-writes)', async () => {
    expect((await post('/c/banks', { name: 'RYW_BANK', labels: ['terror'] })).statusCode).toBe(201);
    const added = await post('/c/bank/RYW_BANK/signal', { pdq: A, video_md5: MD5 });
    expect(added.statusCode).toBeLessThan(300);
    contentId = added.json().id;
    expect((await get(`/m/raw_lookup?signal_type=pdq&signal=${A}`)).json()).toEqual({ matches: [contentId] });
    expect((await get(`/m/raw_lookup?signal_type=video_md5&signal=${MD5}&include_distance=true`)).json()).toEqual({
      matches: [{ bank_content_id: contentId, distance: '-' }],
    });
  });

  it('looks up near matches grouped by bank, with distances as strings', async () => {
    expect((await get(`/m/lookup?signal_type=pdq&signal=${A5}`)).json()).toEqual({
      RYW_BANK: [{ bank_content_id: contentId, distance: '5' }],
    });
    expect((await get(`/m/lookup?signal_type=pdq&signal=${FAR}`)).json()).toEqual({});
    expect((await get(`/m/lookup?signal_type=pdq&signal=${A5}&threshold=4`)).json()).toEqual({});
    expect((await get(`/m/lookup?signal_type=pdq&signal=${A}&banks=OTHER`)).json()).toEqual({});
  });

  it('stops matching disabled content but keeps it in raw lookups', async () => {
    expect((await put(`/c/bank/RYW_BANK/content/${contentId}`, { disable_until_ts: 0 })).statusCode).toBe(200);
    expect((await get(`/m/lookup?signal_type=pdq&signal=${A}`)).json()).toEqual({});
    expect((await get(`/m/raw_lookup?signal_type=pdq&signal=${A}`)).json()).toEqual({ matches: [contentId] });
    expect((await put(`/c/bank/RYW_BANK/content/${contentId}`, { disable_until_ts: 1 })).statusCode).toBe(200);
    expect((await get(`/m/lookup?signal_type=pdq&signal=${A}`)).json()).toHaveProperty('RYW_BANK');
  });

  it('applies the bank ratio as a coinflip that bypass_coinflip skips (on GET too)', async () => {
    expect((await put('/c/bank/RYW_BANK', { enabled_ratio: 0 })).statusCode).toBe(200);
    expect((await get(`/m/lookup?signal_type=pdq&signal=${A}&seed=abc`)).json()).toEqual({});
    expect((await get(`/m/lookup?signal_type=pdq&signal=${A}&bypass_coinflip=true`)).json()).toHaveProperty('RYW_BANK');
    expect((await put('/c/bank/RYW_BANK', { enabled_ratio: 1 })).statusCode).toBe(200);
  });

  it('matches a rotated upload only with dihedral=true, naming the variant', async () => {
    // A is the PDQ of bridge-1-original.jpg; bridge-2-rotate-90.jpg is 120 bits away as it is.
    const rotated = readFileSync(path.join(pdqDir(), 'pdq-data/reg-test-input/dih/bridge-2-rotate-90.jpg'));
    const upload = async (query: string) => {
      const fd = new FormData();
      fd.append('photo', new Blob([rotated]), 'rotated.jpg');
      const req = new Request('http://localhost/', { method: 'POST', body: fd });
      const payload = Buffer.from(await req.arrayBuffer());
      return app.inject({ method: 'POST', url: `/m/lookup${query}`, payload, headers: { 'content-type': req.headers.get('content-type')! } });
    };
    expect((await upload('')).json()).toEqual({ pdq: {} });
    const r = await upload('?dihedral=true');
    expect(r.statusCode).toBe(200);
    const [match] = r.json().pdq.RYW_BANK;
    expect(match.bank_content_id).toBe(contentId);
    expect(Number(match.distance)).toBeLessThanOrEqual(31);
    expect(DIHEDRAL_NAMES).toContain(match.variant);
    const bare = await get(`/m/lookup?signal_type=pdq&signal=${A}&dihedral=true`);
    expect([bare.statusCode, bare.json().message]).toEqual([400, 'dihedral matching needs an image: use url or an upload']);
  });

  it('answers bad lookups with clear 4xx', async () => {
    const unknown = await get(`/m/raw_lookup?signal_type=nope&signal=${A}`);
    expect([unknown.statusCode, unknown.json()]).toEqual([400, { message: "No such SignalType 'nope'" }]);
    const invalid = await get('/m/raw_lookup?signal_type=pdq&signal=xyz');
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().message).toMatch(/^invalid signal: /);
    expect((await get('/m/raw_lookup?signal_type=pdq')).statusCode).toBe(422);
    const neither = await get('/m/lookup?banks=X');
    expect([neither.statusCode, neither.json()]).toEqual([400, { message: 'Either url or both signal and signal_type are required' }]);
    expect((await get(`/m/lookup?signal_type=pdq&signal=${A}&threshold=999`)).statusCode).toBe(400);
    expect((await get('/m/index/status?signal_type=nope')).json()).toEqual({ message: "No such signal type 'nope'" });
  });

  it('compares hashes of every signal type', async () => {
    expect((await post('/m/compare', { pdq: [A, A5] })).json()).toEqual({ pdq: [true, { distance: 5 }] });
    expect((await post('/m/compare', { pdq: [A, FAR] })).json().pdq[0]).toBe(false);
    expect((await post('/m/compare', { video_md5: [MD5, MD5.toUpperCase()] })).json()).toEqual({ video_md5: [true, {}] });
    const cases: Array<[unknown, string]> = [
      [[1, 2], 'Request input was not a dict'],
      [{ pdq: A }, 'Comparison hashes for pdq was not a list'],
      [{ pdq: [A] }, 'Comparison hash list length must be exactly 2'],
      [{ nope: [A, A] }, "No such SignalType 'nope'"],
    ];
    for (const [body, message] of cases) {
      const r = await post('/m/compare', body);
      expect([r.statusCode, r.json()]).toEqual([400, { message }]);
    }
    expect((await post('/m/compare', { pdq: [A, 'zz'] })).json().message).toMatch(/^Invalid pdq hash: /);
  });

  it('indexes vPDQ videos frame by frame and applies the video match rule', async () => {
    expect((await post('/c/banks', { name: 'VIDEO_BANK' })).statusCode).toBe(201);
    const added = await post('/c/bank/VIDEO_BANK/signal', { vpdq: VIDEO });
    expect(added.statusCode).toBeLessThan(300);
    const id = added.json().id;
    expect((await get(`/m/lookup?signal_type=vpdq&signal=${encodeURIComponent(CLIP)}`)).json()).toEqual({
      VIDEO_BANK: [{ bank_content_id: id, distance: '20' }],
    });
    const compared = (await post('/m/compare', { vpdq: [CLIP, VIDEO] })).json();
    expect(compared).toEqual({ vpdq: [true, { query_match_percent: 80, compared_match_percent: 80 }] });
    expect((await app.inject({ method: 'DELETE', url: '/c/bank/VIDEO_BANK' })).statusCode).toBe(200);
  });

  it('looks up a batch with per-item errors', async () => {
    const r = await post('/m/lookup/batch', {
      signals: [
        { signal_type: 'pdq', signal: A5 },
        { signal_type: 'pdq', signal: 'bad' },
        { signal_type: 'video_md5', signal: MD5 },
      ],
    });
    expect(r.statusCode).toBe(200);
    const { results } = r.json();
    expect(results[0].matches).toEqual({ RYW_BANK: [{ bank_content_id: contentId, distance: '5' }] });
    expect(results[1].error).toMatch(/^invalid signal: /);
    expect(results[2].matches).toEqual({ RYW_BANK: [{ bank_content_id: contentId, distance: '-' }] });
    const tooMany = await post('/m/lookup/batch', { signals: Array.from({ length: 1001 }, () => ({ signal_type: 'pdq', signal: A })) });
    expect(tooMany.statusCode).toBe(400);
  });

  it('rebuilds the same index after a restart, reporting ready only once caught up', async () => {
    const status = (await get('/m/index/status')).json();
    expect(status.pdq).toMatchObject({ present: true, size: 1 });
    await runtime.stop();
    await start();
    await waitReady();
    expect((await get(`/m/raw_lookup?signal_type=pdq&signal=${A}`)).json()).toEqual({ matches: [contentId] });
    expect((await get('/m/index/status')).json()).toEqual(status);
  });

  it('forgets deleted content and banks', async () => {
    expect((await app.inject({ method: 'DELETE', url: `/c/bank/RYW_BANK/content/${contentId}` })).statusCode).toBe(200);
    expect((await get(`/m/raw_lookup?signal_type=pdq&signal=${A}`)).json()).toEqual({ matches: [] });
    expect((await post('/c/bank/RYW_BANK/signal', { pdq: A })).statusCode).toBeLessThan(300);
    expect((await app.inject({ method: 'DELETE', url: '/c/bank/RYW_BANK' })).statusCode).toBe(200);
    expect((await get(`/m/raw_lookup?signal_type=pdq&signal=${A}`)).json()).toEqual({ matches: [] });
  });
});
