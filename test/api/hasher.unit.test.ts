/**
 * /h/hash on the real hashing pool: HMA's shapes and messages, the quirks fixed,
 * and every kind of bad input a clear 4xx.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/runtime/app.js';
import { hasherRoutes } from '../../src/api/hasher/routes.js';
import { HashInput } from '../../src/api/media-input/hash-input.js';
import { loadConfig } from '../../src/config/config.js';
import { MediaHasher } from '../../src/hashing/index.js';
import { pdqDir } from '../hashing/testdata.js';

const BRIDGE = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
let bridge: Buffer;
let flat: Buffer;

let server: http.Server;
let base = '';
const hashers: MediaHasher[] = [];
const apps: FastifyInstance[] = [];

async function appWith(env: Record<string, string> = {}): Promise<FastifyInstance> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', PRODUCTION: 'false', HASH_WORKERS: '1', ...env });
  const hasher = MediaHasher.fromConfig(config);
  hashers.push(hasher);
  const app = await buildApp({ config, plugins: [hasherRoutes({ config, input: new HashInput(config, hasher) })] });
  apps.push(app);
  return app;
}

async function multipart(files: Array<[string, Buffer]>, fields: Record<string, string> = {}) {
  const fd = new FormData();
  for (const [name, bytes] of files) fd.append(name, new Blob([bytes]), 'upload.bin');
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  const req = new Request('http://localhost/', { method: 'POST', body: fd });
  return { payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}

let app: FastifyInstance;

beforeAll(async () => {
  bridge = readFileSync(path.join(pdqDir(), 'pdq-data/bridge-mods/aaa-orig.jpg'));
  flat = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#808080' } }).png().toBuffer();
  server = http.createServer((req, res) => {
    if (req.url === '/bridge.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(bridge);
    else if (req.url === '/bridge.bin') res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bridge);
    else if (req.url === '/clip.mp4') res.writeHead(200, { 'content-type': 'video/mp4' }).end(Buffer.from('not really a video'));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app = await appWith();
});
afterAll(async () => {
  for (const a of apps) await a.close();
  for (const h of hashers) await h.close();
  server.close();
});

describe('GET /h/hash', () => {
  it('hashes the photo at a URL, typed by the response header', async () => {
    const r = await app.inject({ url: `/h/hash?url=${encodeURIComponent(`${base}/bridge.jpg`)}` });
    expect([r.statusCode, r.json()]).toEqual([200, { pdq: BRIDGE }]);
  });

  it('takes content_type over the header, and says so when neither gives one', async () => {
    const ok = await app.inject({ url: `/h/hash?content_type=photo&url=${encodeURIComponent(`${base}/bridge.bin`)}` });
    expect(ok.json()).toEqual({ pdq: BRIDGE });
    const bad = await app.inject({ url: `/h/hash?url=${encodeURIComponent(`${base}/bridge.bin`)}` });
    expect([bad.statusCode, bad.json().message]).toEqual([
      400,
      "unsupported url ContentType: 'application/octet-stream', if you know the expected type, provide it with the content_type query param",
    ]);
  });

  it('hashes a video URL as video_md5', async () => {
    const r = await app.inject({ url: `/h/hash?url=${encodeURIComponent(`${base}/clip.mp4`)}` });
    expect(r.json()).toEqual({ video_md5: createHash('md5').update('not really a video').digest('hex') });
  });

  it('reports quality with detail=true', async () => {
    const r = await app.inject({ url: `/h/hash?detail=true&url=${encodeURIComponent(`${base}/bridge.jpg`)}` });
    expect(r.json()).toMatchObject({ content_type: 'photo', bytes: bridge.length, signals: { pdq: { hash: BRIDGE, quality: 100, meets_min_quality: true } } });
  });

  it.each([
    ['', 422, /url/],
    [`?url=${encodeURIComponent('ftp://x/y')}`, 400, /^Invalid or unsafe URL provided/],
    [`?content_type=audio&url=${encodeURIComponent('BASE/bridge.jpg')}`, 400, /^no such content_type: 'audio'$/],
    [`?content_type=photo&types=nope&url=${encodeURIComponent('BASE/bridge.jpg')}`, 400, /^signal type 'nope' doesn't exist or is disabled$/],
    [`?types=,&url=${encodeURIComponent('BASE/bridge.jpg')}`, 400, /^empty signal type selection$/],
    [`?url=${encodeURIComponent('BASE/missing.jpg')}`, 400, /^Failed to fetch URL: 404/],
  ])('refuses %s with %i', async (query, status, message) => {
    // The table is built before the server has a port: BASE stands for it.
    const r = await app.inject({ url: `/h/hash${query.replace('BASE', encodeURIComponent(base))}` });
    expect(r.statusCode).toBe(status);
    expect(r.json().message).toMatch(message);
  });

  it('refuses loopback URLs in production mode', async () => {
    const prod = await appWith({ PRODUCTION: 'true' });
    const r = await prod.inject({ url: `/h/hash?url=${encodeURIComponent(`${base}/bridge.jpg`)}` });
    expect([r.statusCode, r.json().message]).toEqual([400, expect.stringMatching(/loopback/)]);
  });

  it('answers 413 when the media is over the limit', async () => {
    const small = await appWith({ MAX_MEDIA_BYTES: '1000' });
    const r = await small.inject({ url: `/h/hash?url=${encodeURIComponent(`${base}/bridge.jpg`)}` });
    expect([r.statusCode, r.json()]).toEqual([413, { message: 'Content too large' }]);
  });
});

describe('POST /h/hash', () => {
  it('hashes one file whose field name is the content type', async () => {
    const r = await app.inject({ method: 'POST', url: '/h/hash', ...(await multipart([['photo', bridge]])) });
    expect([r.statusCode, r.json()]).toEqual([200, { pdq: BRIDGE }]);
  });

  it('returns an empty PDQ below the minimum quality, and the quality on request', async () => {
    const r = await app.inject({ method: 'POST', url: '/h/hash', ...(await multipart([['photo', flat]])) });
    expect(r.json()).toEqual({ pdq: '' });
    const d = await app.inject({ method: 'POST', url: '/h/hash?detail=true', ...(await multipart([['photo', flat]])) });
    expect(d.json().signals.pdq).toMatchObject({ quality: 0, meets_min_quality: false });
  });

  it.each([
    ['no file', async () => multipart([], { note: 'x' }), 'Missing multipart/form-data file upload'],
    ['two files', async () => multipart([['photo', bridge], ['photo', bridge]]), 'Only one file allowed per request'],
    ['an unknown field name', async () => multipart([['picture', bridge]]), "no such content_type: 'picture'"],
  ])('refuses %s', async (_what, body, message) => {
    const r = await app.inject({ method: 'POST', url: '/h/hash', ...(await body()) });
    expect([r.statusCode, r.json()]).toEqual([400, { message }]);
  });

  it('refuses a non-multipart body, a corrupt image and an empty file with 400s, never a 500', async () => {
    const json = await app.inject({ method: 'POST', url: '/h/hash', payload: { photo: 'x' } });
    expect(json.statusCode).toBe(400);
    const corrupt = await app.inject({ method: 'POST', url: '/h/hash', ...(await multipart([['photo', bridge.subarray(0, 300)]])) });
    expect(corrupt.statusCode).toBe(400);
    const empty = await app.inject({ method: 'POST', url: '/h/hash', ...(await multipart([['photo', Buffer.alloc(0)]])) });
    expect(empty.statusCode).toBe(400);
    const text = await app.inject({ method: 'POST', url: '/h/hash', ...(await multipart([['photo', Buffer.from('hello, not an image')]])) });
    expect(text.statusCode).toBe(400);
  });

  it('answers 413 for an upload over the limit', async () => {
    const small = await appWith({ MAX_MEDIA_BYTES: '1000' });
    const r = await small.inject({ method: 'POST', url: '/h/hash', ...(await multipart([['photo', bridge]])) });
    expect([r.statusCode, r.json()]).toEqual([413, { message: 'Content too large' }]);
  });
});
