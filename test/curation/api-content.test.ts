/** Bank content endpoints: add by signal, by upload, by URL, by content id; get, update, delete, list. */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curatorApp, md5Hasher } from './support/app.js';
import { scratchDb, type ScratchDb } from '../support/scratch-db.js';

let db: ScratchDb;
let app: FastifyInstance;
/** With the default, real hashing service (in-process). */
let realApp: FastifyInstance;
let media: http.Server;
let mediaUrl: string;

const PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const MD5 = 'cab08b36195edb1a1231d2d09fa450e0';
const TESTDATA = path.resolve(import.meta.dirname, '../../../shared/testdata');

beforeAll(async () => {
  db = await scratchDb('apicontent');
  app = await curatorApp(db, { hasher: md5Hasher, env: { URL_ALLOWED_PRIVATE_HOSTS: '127.0.0.1', URL_ALLOW_LOOPBACK: 'true' } });
  realApp = await curatorApp(db);
  media = http.createServer((req, res) => {
    if (req.url === '/clip.mp4') res.writeHead(200, { 'content-type': 'video/mp4' }).end('not really a video');
    else if (req.url === '/page') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
  mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
  for (const name of ['CONTENT_A', 'CONTENT_B', 'LISTING']) await app.inject({ method: 'POST', url: '/c/banks', payload: { name } });
});
afterAll(async () => {
  media?.close();
  await app?.close();
  await realApp?.close();
  await db?.drop();
});

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

describe('POST /c/bank/<b>/signal', () => {
  it('adds one content item with every given signal, normalizing MD5', async () => {
    const r = await call('POST', '/c/bank/CONTENT_A/signal', { pdq: PDQ, video_md5: ` ${MD5.toUpperCase()} `, note: 'n' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ signals: { pdq: PDQ, video_md5: MD5 } });
    expect(typeof r.json().id).toBe('number');
  });
  it.each([
    [{ note: 'only a note' }, 400, 'No signals given'],
    [{}, 400, 'No signals given'],
    [{ sha1: 'abc' }, 400, 'No such signal type sha1'],
    [{ pdq: PDQ.toUpperCase() }, 400, 'Invalid pdq signal: invalid PDQ hash'],
    [{ pdq: 'abc' }, 400, 'Invalid pdq signal: invalid PDQ hash'],
    [{ pdq: 5 }, 400, 'Invalid pdq signal: expected a string'],
    [{ pdq: PDQ, note: 7 }, 400, 'note should be a string'],
    [{ pdq: PDQ, note: 'x'.repeat(256) }, 400, 'note must be at most 255 characters'],
    [{ pdq: PDQ, metadata: [] }, 400, 'metadata should be a json object'],
    [{ pdq: PDQ, metadata: { colour: 'red' } }, 400, "Invalid metadata: unknown field 'colour' (allowed: content_id, content_uri, json)"],
    [{ pdq: PDQ, platform_content_id: 'a', metadata: { content_id: 'b' } }, 400, 'platform_content_id and metadata.content_id differ'],
  ])('refuses %j', async (body, status, message) => {
    const before = (await db.pool.query('SELECT count(*)::int AS n FROM bank_content')).rows[0].n;
    const r = await call('POST', '/c/bank/CONTENT_A/signal', body);
    expect([r.statusCode, r.json().message]).toEqual([status, message]);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM bank_content')).rows[0].n).toBe(before);
  });
  it('answers 404 for a missing bank and 400 for a non-object body', async () => {
    expect((await call('POST', '/c/bank/NOPE/signal', { pdq: PDQ })).json()).toEqual({ message: "bank 'NOPE' not found" });
    expect((await call('POST', '/c/bank/CONTENT_A/signal', [PDQ])).statusCode).toBe(400);
  });
});

describe('GET /c/bank/<b>/content/<id>', () => {
  it('returns HMA\'s shape; signals on request, metadata by default, note, platform id and review labels', async () => {
    const { id } = (await call('POST', '/c/bank/CONTENT_A/signal', {
      pdq: PDQ,
      note: 'hello',
      platform_content_id: 'post-17',
      review_labels: ['harm'],
      metadata: { content_uri: 'https://example.org/x.jpg', json: { k: 1 }, collab: { ignored: true } },
    })).json();
    const bare = (await call('GET', `/c/bank/CONTENT_A/content/${id}`)).json();
    expect(bare).toEqual({
      id,
      disable_until_ts: 1,
      original_media_uri: null,
      bank: { name: 'CONTENT_A', matching_enabled_ratio: 1, labels: [], exchange: null },
      metadata: { content_id: 'post-17', content_uri: 'https://example.org/x.jpg', json: { k: 1 }, collab: null },
      note: 'hello',
      review_labels: ['harm'],
    });
    const full = (await call('GET', `/c/bank/CONTENT_A/content/${id}?include_signals=TRUE&include_metadata=false`)).json();
    expect(full.signals).toEqual({ pdq: PDQ });
    expect(full.metadata).toBeUndefined();
  });
  it('answers 404 for a missing bank, missing content, content of another bank, and a non-integer id', async () => {
    const { id } = (await call('POST', '/c/bank/CONTENT_B/signal', { pdq: PDQ })).json();
    expect((await call('GET', `/c/bank/NOPE/content/${id}`)).json()).toEqual({ message: "bank 'NOPE' not found" });
    expect((await call('GET', '/c/bank/CONTENT_A/content/999999')).json()).toEqual({ message: "content '999999' not found" });
    const other = await call('GET', `/c/bank/CONTENT_A/content/${id}`);
    expect([other.statusCode, other.json().message]).toEqual([404, `content '${id}' not found in bank 'CONTENT_A'`]);
    expect((await call('GET', '/c/bank/CONTENT_A/content/abc')).statusCode).toBe(404);
  });
});

describe('PUT /c/bank/<b>/content/<id>', () => {
  it('disables, re-enables and sets/clears the note; answers the raw record shape', async () => {
    const { id } = (await call('POST', '/c/bank/CONTENT_A/signal', { pdq: PDQ, note: 'before' })).json();
    const r = await call('PUT', `/c/bank/CONTENT_A/content/${id}`, { disable_until_ts: 0, note: 'after' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id, disable_until_ts: 0, note: 'after', collab_metadata: {}, user_metadata: null, original_media_uri: null });
    const later = Math.floor(Date.now() / 1000) + 3600;
    expect((await call('PUT', `/c/bank/CONTENT_A/content/${id}`, { disable_until_ts: String(later), note: '' })).json())
      .toMatchObject({ disable_until_ts: later, note: null });
  });
  it.each([
    [{ disable_until_ts: -1 }, 'disable_until_ts must be a non-negative integer'],
    [{ disable_until_ts: 1.5 }, 'disable_until_ts must be a non-negative integer'],
    [{ disable_until_ts: 'soon' }, "Invalid int: 'soon'"],
    [{ disable_until_ts: 99_999_999_999 }, 'disable_until_ts must be less than 5 years in the future'],
    [{ note: ['x'] }, 'note should be a string'],
  ])('refuses %j with 400 and changes nothing', async (body, message) => {
    const { id } = (await call('POST', '/c/bank/CONTENT_A/signal', { pdq: PDQ, note: 'keep' })).json();
    const r = await call('PUT', `/c/bank/CONTENT_A/content/${id}`, body);
    expect([r.statusCode, r.json().message]).toEqual([400, message]);
    expect((await call('GET', `/c/bank/CONTENT_A/content/${id}`)).json()).toMatchObject({ disable_until_ts: 1, note: 'keep' });
  });
  it('answers 404 for content of another bank', async () => {
    const { id } = (await call('POST', '/c/bank/CONTENT_B/signal', { pdq: PDQ })).json();
    expect((await call('PUT', `/c/bank/CONTENT_A/content/${id}`, { disable_until_ts: 0 })).statusCode).toBe(404);
    expect((await call('PUT', '/c/bank/CONTENT_A/content/999999', { disable_until_ts: 0 })).statusCode).toBe(404);
  });
});

describe('DELETE /c/bank/<b>/content/<id>', () => {
  it('deletes (1), then reports 0; refuses another bank\'s content with 404', async () => {
    const { id } = (await call('POST', '/c/bank/CONTENT_A/signal', { pdq: PDQ })).json();
    const { id: otherId } = (await call('POST', '/c/bank/CONTENT_B/signal', { pdq: PDQ })).json();
    expect((await call('DELETE', `/c/bank/CONTENT_A/content/${otherId}`)).statusCode).toBe(404);
    expect((await call('DELETE', `/c/bank/CONTENT_A/content/${id}`)).json()).toEqual({ deleted: 1 });
    expect((await call('DELETE', `/c/bank/CONTENT_A/content/${id}`)).json()).toEqual({ deleted: 0 });
    expect((await call('DELETE', `/c/bank/NOPE/content/${id}`)).statusCode).toBe(404);
    expect((await call('GET', `/c/bank/CONTENT_B/content/${otherId}`)).statusCode).toBe(200);
  });
});

describe('POST /c/bank/<b>/content', () => {
  it('adds by existing content id into another bank, copying signals, metadata and note unless given', async () => {
    const { id } = (await call('POST', '/c/bank/CONTENT_A/signal', { pdq: PDQ, video_md5: MD5, note: 'orig', platform_content_id: 'p9' })).json();
    const r = await call('POST', `/c/bank/CONTENT_B/content?from_content_id=${id}`, { note: 'copied' });
    expect(r.statusCode).toBe(200);
    expect(r.json().id).not.toBe(id);
    expect(r.json().signals).toEqual({ pdq: PDQ, video_md5: MD5 });
    const copy = (await call('GET', `/c/bank/CONTENT_B/content/${r.json().id}?include_signals=true`)).json();
    expect(copy).toMatchObject({ note: 'copied', metadata: { content_id: 'p9' }, signals: { pdq: PDQ, video_md5: MD5 } });
    expect((await call('POST', '/c/bank/CONTENT_B/content?from_content_id=999999')).json()).toEqual({ message: "content '999999' not found" });
  });
  it('adds by multipart upload, with metadata and note form fields', async () => {
    const boundary = 'xyzzy';
    const body = [
      `--${boundary}\r\nContent-Disposition: form-data; name="video"; filename="v.mp4"\r\nContent-Type: video/mp4\r\n\r\nvideo bytes\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{"content_id":"up-1"}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nuploaded\r\n`,
      `--${boundary}--\r\n`,
    ].join('');
    const r = await app.inject({
      method: 'POST',
      url: '/c/bank/CONTENT_A/content',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(r.statusCode).toBe(200);
    expect(Object.keys(r.json().signals)).toEqual(['video_md5']);
    const got = (await call('GET', `/c/bank/CONTENT_A/content/${r.json().id}?include_signals=true`)).json();
    expect(got).toMatchObject({ note: 'uploaded', metadata: { content_id: 'up-1' } });
    // The stored MD5 is the MD5 of the uploaded bytes.
    const { createHash } = await import('node:crypto');
    expect(got.signals.video_md5).toBe(createHash('md5').update('video bytes').digest('hex'));
  });
  it('refuses uploads with two files, a wrong field name, or bad metadata', async () => {
    const upload = (parts: string[]) =>
      app.inject({
        method: 'POST',
        url: '/c/bank/CONTENT_A/content',
        headers: { 'content-type': 'multipart/form-data; boundary=b' },
        payload: parts.map((p) => `--b\r\n${p}\r\n`).join('') + '--b--\r\n',
      });
    const file = (field: string) => `Content-Disposition: form-data; name="${field}"; filename="f"\r\nContent-Type: application/octet-stream\r\n\r\nbytes`;
    expect((await upload([file('video'), file('video')])).json()).toEqual({ message: 'Only one file allowed per request' });
    expect((await upload([file('audio')])).json()).toEqual({ message: "no such content_type: 'audio'" });
    expect((await upload([file('video'), 'Content-Disposition: form-data; name="metadata"\r\n\r\n{oops'])).json())
      .toEqual({ message: 'metadata form field must be valid JSON' });
    expect((await upload(['Content-Disposition: form-data; name="note"\r\n\r\nno file'])).json())
      .toEqual({ message: 'Missing multipart/form-data file upload' });
  });
  it('adds by URL, refusing unsupported content types', async () => {
    const r = await call('POST', `/c/bank/CONTENT_A/content?url=${encodeURIComponent(`${mediaUrl}/clip.mp4`)}`, { note: 'by url' });
    expect(r.statusCode).toBe(200);
    expect(Object.keys(r.json().signals)).toEqual(['video_md5']);
    const page = await call('POST', `/c/bank/CONTENT_A/content?url=${encodeURIComponent(`${mediaUrl}/page`)}`);
    expect(page.json().message).toMatch(/^unsupported url ContentType: 'text\/html'/);
    const missing = await call('POST', `/c/bank/CONTENT_A/content?url=${encodeURIComponent(`${mediaUrl}/gone`)}`);
    expect([missing.statusCode, missing.json().message]).toEqual([400, 'Failed to fetch URL: 404 Not Found']);
  });
  it('answers 400 when given nothing, 404 for a missing bank', async () => {
    expect((await call('POST', '/c/bank/CONTENT_A/content')).json()).toEqual({ message: 'Neither `url` nor multipart file upload was received' });
    expect((await call('POST', '/c/bank/NOPE/content?url=http://example.org/x.jpg')).statusCode).toBe(404);
  });
  it('hashes an uploaded photo with the real PDQ hasher by default', async () => {
    const jpg = await readFile(path.join(TESTDATA, 'pdq/pdq-data/bridge-mods/aaa-orig.jpg'));
    const head = '--p\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n';
    const r = await realApp.inject({
      method: 'POST',
      url: '/c/bank/CONTENT_A/content',
      headers: { 'content-type': 'multipart/form-data; boundary=p' },
      payload: Buffer.concat([Buffer.from(head), jpg, Buffer.from('\r\n--p--\r\n')]),
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().signals).toEqual({ pdq: PDQ });
    const junk = await realApp.inject({
      method: 'POST',
      url: '/c/bank/CONTENT_A/content',
      headers: { 'content-type': 'multipart/form-data; boundary=p' },
      payload: Buffer.concat([Buffer.from(head), Buffer.from('not an image'), Buffer.from('\r\n--p--\r\n')]),
    });
    expect(junk.statusCode).toBe(400);
  });
});

describe('GET /c/bank/<b>/content (listing)', () => {
  it('pages through everything by modification time, both orders, with opaque tokens', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push((await call('POST', '/c/bank/LISTING/signal', { video_md5: i.toString(16).padStart(32, '0') })).json().id);
    // Touching the first makes it the most recently modified.
    await call('PUT', `/c/bank/LISTING/content/${ids[0]}`, { note: 'touched' });
    const collect = async (order: string) => {
      const seen: number[] = [];
      let token: string | null = null;
      do {
        const url: string = `/c/bank/LISTING/content?page_size=3&order=${order}${token ? `&page_token=${token}` : ''}`;
        const page = (await call('GET', url)).json();
        expect(page.contents.length).toBeLessThanOrEqual(3);
        seen.push(...page.contents.map((c: { id: number }) => c.id));
        token = page.next_page_token;
      } while (token);
      return seen;
    };
    const desc = await collect('desc');
    expect(desc).toEqual([ids[0], ...ids.slice(1).reverse()]);
    expect(await collect('asc')).toEqual([...desc].reverse());
  });
  it('refuses bad tokens, sizes and a token of the other order', async () => {
    expect((await call('GET', '/c/bank/LISTING/content?page_token=garbage')).json()).toEqual({ message: 'invalid page_token' });
    expect((await call('GET', '/c/bank/LISTING/content?page_size=0')).statusCode).toBe(400);
    expect((await call('GET', '/c/bank/LISTING/content?page_size=5000')).statusCode).toBe(400);
    const token = (await call('GET', '/c/bank/LISTING/content?page_size=1')).json().next_page_token;
    expect((await call('GET', `/c/bank/LISTING/content?order=asc&page_token=${token}`)).statusCode).toBe(400);
    expect((await call('GET', '/c/bank/NOPE/content')).statusCode).toBe(404);
  });
});
