/**
 * The rules behind the client behaviours, over the whole HMA-compatible surface
 * (docs/HMA-COMPATIBILITY.md, "Clients"): every route ignores query parameters it does
 * not know; every answer has sorted keys and HMA's float/integer typing (checked by the
 * client on every call); a POST whose input is all in the query takes an empty body of any
 * content type; /c/signal_type/index; a factory reset reads as a fresh install.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipart, type Answer, type CallOptions } from './support/client.js';
import { mediaServer, noisePhoto, type MediaServer } from './support/media.js';
import { useCompatApi } from './support/stack.js';

const api = useCompatApi('compatsurface', { SIGNAL_TYPES: 'pdq,video_md5' });
const call = api.call;

const A = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const json = (body: unknown): CallOptions => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
/** Names real clients send that HMA does not know (or reads elsewhere), plus a made-up one. */
const UNKNOWN = 'zz_unknown=1&content_id=post-123&content_uri=https%3A%2F%2Fx.example%2F1&metadata=%7B%22a%22%3A1%7D&note=x';
const withUnknown = (path: string) => `${path}${path.includes('?') ? '&' : '?'}${UNKNOWN}`;

let media: MediaServer;
let photo: Buffer;
let photoUrl: string;
let contentId = 0;

beforeAll(async () => {
  photo = await noisePhoto(11);
  media = await mediaServer({ 'photo.png': photo });
  photoUrl = `${media.base}/photo.png`;
  expect((await call('POST', '/c/banks', json({ name: 'SURFACE_BANK' }))).status).toBe(201);
  const added = await call('POST', '/c/bank/SURFACE_BANK/signal', json({ pdq: A, video_md5: MD5 }));
  expect(added.status).toBe(200);
  contentId = added.json.id;
  expect((await call('POST', '/c/exchanges', json({ bank: 'SURFACE_EX', api: 'sample' }))).status).toBe(201);
  expect((await call('POST', '/c/exchanges', json({ bank: 'SURFACE_EX_GONE', api: 'sample' }))).status).toBe(201);
});
afterAll(async () => {
  await media?.close();
});

describe('unknown query parameters are ignored on every HMA route', () => {
  const upload = () => multipart({ field: 'photo', filename: 'p.png', type: 'image/png', bytes: photo });
  let n = 0;
  const routes: Array<[string, () => string, () => CallOptions, number]> = [
    ['GET', () => `/h/hash?url=${encodeURIComponent(photoUrl)}`, () => ({}), 200],
    ['POST', () => '/h/hash', upload, 200],
    ['GET', () => `/m/raw_lookup?signal_type=pdq&signal=${A}`, () => ({}), 200],
    ['GET', () => `/m/lookup?signal_type=pdq&signal=${A}`, () => ({}), 200],
    ['GET', () => `/m/lookup?url=${encodeURIComponent(photoUrl)}`, () => ({}), 200],
    ['POST', () => '/m/lookup', upload, 200],
    ['POST', () => '/m/compare', () => json({ pdq: [A, A] }), 200],
    ['POST', () => '/m/lookup/batch', () => json({ signals: [{ signal_type: 'pdq', signal: A }] }), 200],
    ['GET', () => '/m/index/status', () => ({}), 200],
    ['GET', () => '/c/banks', () => ({}), 200],
    ['POST', () => '/c/banks', () => json({ name: `SURFACE_NEW_${n++}` }), 201],
    ['GET', () => '/c/bank/SURFACE_BANK', () => ({}), 200],
    ['PUT', () => '/c/bank/SURFACE_BANK', () => json({ enabled_ratio: 1 }), 200],
    ['GET', () => '/c/bank/SURFACE_BANK/metadata', () => ({}), 200],
    ['GET', () => '/c/bank/SURFACE_BANK/content', () => ({}), 200],
    ['POST', () => `/c/bank/SURFACE_BANK/content?url=${encodeURIComponent(photoUrl)}`, () => ({}), 200],
    ['POST', () => `/c/bank/SURFACE_BANK/content?from_content_id=${contentId}`, () => ({}), 200],
    ['POST', () => '/c/bank/SURFACE_BANK/content', upload, 200],
    ['POST', () => '/c/bank/SURFACE_BANK/signal', () => json({ pdq: A }), 200],
    ['GET', () => `/c/bank/SURFACE_BANK/content/${contentId}?include_signals=true`, () => ({}), 200],
    ['PUT', () => `/c/bank/SURFACE_BANK/content/${contentId}`, () => json({ note: 'kept' }), 200],
    ['DELETE', () => '/c/bank/SURFACE_BANK/content/999999', () => ({}), 200],
    ['DELETE', () => '/c/bank/NO_SUCH_BANK', () => ({}), 200],
    ['GET', () => '/c/signal_type', () => ({}), 200],
    ['PUT', () => '/c/signal_type/pdq', () => json({ enabled_ratio: 1 }), 204],
    ['GET', () => '/c/signal_type/index', () => ({}), 200],
    ['GET', () => '/c/content_type', () => ({}), 200],
    ['GET', () => '/c/exchanges', () => ({}), 200],
    ['GET', () => '/c/exchanges/apis', () => ({}), 200],
    ['GET', () => '/c/exchanges/api/fb_threatexchange', () => ({}), 200],
    ['POST', () => '/c/exchanges/api/fb_threatexchange', () => json({ credential_json: {} }), 200],
    ['GET', () => '/c/exchanges/api/sample/schema', () => ({}), 200],
    ['GET', () => '/c/exchange/SURFACE_EX', () => ({}), 200],
    ['GET', () => '/c/exchange/SURFACE_EX/status', () => ({}), 200],
    ['PUT', () => '/c/exchange/SURFACE_EX', () => json({ enabled: true }), 200],
    ['DELETE', () => '/c/exchange/SURFACE_EX_GONE', () => ({}), 200],
    ['GET', () => '/dev/seed_banks', () => ({}), 200],
    ['POST', () => '/dev/run_fetch', () => ({}), 302],
  ];
  it.each(routes.map(([method, path, opts, status]) => ({ method, path, opts, status, name: `${method} ${path().split('?')[0]}` })))(
    '$name',
    async ({ method, path, opts, status }) => {
      const r = await call(method, withUnknown(path()), opts());
      expect([r.status, r.text.slice(0, 300)]).toEqual([status, expect.any(String)]);
    },
  );
});

describe('the OpenAPI document', () => {
  it('documents the float fields, /c/signal_type/index and the renamed add-by-id parameter', async () => {
    const doc = (await call('GET', '/openapi/openapi.json', { strict: false })).json;
    expect(doc.paths['/c/banks'].get.responses['200'].content['application/json'].schema.items.properties.matching_enabled_ratio).toEqual({ type: 'number', format: 'float' });
    expect(doc.paths['/c/signal_type/index']).toBeDefined();
    const params = (doc.paths['/c/bank/{bank_name}/content'].post.parameters as Array<{ name: string }>).map((p) => p.name);
    expect(params).toContain('from_content_id');
    expect(params).not.toContain('content_id');
  });
});

describe('float and integer typing', () => {
  it('writes whole ratios as 1.0 / 0.0 and fractions as they are, everywhere a bank appears', async () => {
    await call('POST', '/c/banks', json({ name: 'RATIO_ZERO', enabled_ratio: 0 }));
    await call('POST', '/c/banks', json({ name: 'RATIO_THIRD', enabled_ratio: 0.3333 }));
    const list = await call('GET', '/c/banks');
    expect(list.text).toContain('{"exchange":null,"labels":[],"matching_enabled_ratio":0.0,"name":"RATIO_ZERO"}');
    expect(list.text).toContain('"matching_enabled_ratio":0.3333,"name":"RATIO_THIRD"');
    expect(list.text).toContain('"matching_enabled_ratio":1.0,"name":"SURFACE_BANK"');
    const content = await call('GET', `/c/bank/SURFACE_BANK/content/${contentId}`);
    expect(content.text).toContain('"bank":{"exchange":null,"labels":[],"matching_enabled_ratio":1.0,"name":"SURFACE_BANK"}');
    expect(content.text).toMatch(/"disable_until_ts":1,/);
    const types = await call('GET', '/c/signal_type');
    expect(types.text).toBe('[{"enabled_ratio":1.0,"name":"pdq"},{"enabled_ratio":1.0,"name":"video_md5"}]');
    const compare = await call('POST', '/m/compare', json({ pdq: [A, A] }));
    expect(compare.text).toBe('{"pdq":[true,{"distance":0}]}');
  });
});

/** A POST with headers only and no Content-Length at all (curl -X POST, some proxies). */
function rawPost(path: string, contentType: string | undefined): Promise<number> {
  const url = new URL(api.base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${contentType ? `Content-Type: ${contentType}\r\n` : ''}Connection: close\r\n\r\n`);
    });
    let head = '';
    socket.on('data', (d) => (head += d.toString('latin1')));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

describe('bodiless POSTs: an empty body of any content type', () => {
  const types = ['application/x-www-form-urlencoded', 'application/octet-stream', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', undefined];
  const zeroLength = (type: string | undefined): CallOptions => ({ headers: { 'content-length': '0', ...(type ? { 'content-type': type } : {}) } });

  it.each(types.map((type) => ({ type: type ?? '(none)', raw: type })))('$type with Content-Length: 0 or none', async ({ raw }) => {
    const url = encodeURIComponent(photoUrl);
    const add = await call('POST', `/c/bank/SURFACE_BANK/content?url=${url}&content_type=photo`, zeroLength(raw));
    expect([add.status, add.text]).toEqual([200, expect.stringMatching(/^\{"id":\d+,"signals":\{"pdq":"[0-9a-f]{64}"\}\}$/)]);
    expect((await call('POST', `/c/bank/NO_SUCH_BANK/content?url=${url}`, zeroLength(raw))).status).toBe(404);
    expect((await call('POST', `/c/bank/SURFACE_BANK/content?from_content_id=${contentId}`, zeroLength(raw))).status).toBe(200);
    expect((await call('POST', '/dev/run_fetch', zeroLength(raw))).status).toBe(302);
    expect(await rawPost(`/c/bank/SURFACE_BANK/content?url=${url}`, raw)).toBe(200);
  });

  it('still validates a body a route needs when it is missing or wrong', async () => {
    for (const type of types) {
      const empty = { headers: { 'content-length': '0', ...(type ? { 'content-type': type } : {}) } };
      expect([type, (await call('POST', '/c/banks', empty)).status]).toEqual([type, 422]);
      expect([type, (await call('POST', '/c/bank/SURFACE_BANK/signal', empty)).status]).toEqual([type, 400]);
      const compare = await call('POST', '/m/compare', empty);
      expect([type, compare.status, compare.json.message]).toEqual([type, 400, 'Request input was not a dict']);
      const hash = await call('POST', '/h/hash', empty);
      expect([type, hash.status, hash.json.message]).toEqual([type, 400, 'Missing multipart/form-data file upload']);
      const lookup = await call('POST', '/m/lookup', empty);
      expect([type, lookup.status, lookup.json.message]).toEqual([type, 400, 'Missing multipart/form-data file upload']);
      for (const [method, path] of [
        ['PUT', '/c/bank/SURFACE_BANK'],
        ['PUT', `/c/bank/SURFACE_BANK/content/${contentId}`],
        ['PUT', '/c/signal_type/pdq'],
        ['POST', '/c/exchanges'],
        ['POST', '/c/exchanges/api/sample'],
        ['PUT', '/c/exchange/SURFACE_EX'],
        ['POST', '/m/lookup/batch'],
      ]) {
        const r = await call(method!, path!, empty);
        expect([type, path, r.status, r.json.message]).toEqual([type, path, 400, 'body must be object']);
      }
    }
    const badNote = await call('POST', `/c/bank/SURFACE_BANK/content?url=${encodeURIComponent(photoUrl)}`, json({ note: 5 }));
    expect([badNote.status, badNote.json.message]).toEqual([400, 'note should be a string']);
  });
});

describe('GET /c/signal_type/index', () => {
  it('compares the database with this process\'s index, per signal type', async () => {
    let r: Answer | undefined;
    // Up to 30 s: the relay and the replica catch up in well under a second on a quiet machine, far slower on a loaded one.
    for (let i = 0; i < 300; i++) {
      r = await call('GET', '/c/signal_type/index');
      if (!r.json.pdq.index_out_of_date && !r.json.video_md5.index_out_of_date) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(Object.keys(r!.json)).toEqual(['pdq', 'video_md5']);
    const pdq = r!.json.pdq;
    expect(Object.keys(pdq)).toEqual(['db_size', 'index_built_to', 'index_out_of_date', 'index_size', 'newest_db_item']);
    expect(pdq.index_out_of_date).toBe(false);
    expect(pdq.db_size).toBe(pdq.index_size);
    expect(pdq.db_size).toBeGreaterThan(1);
    expect(pdq.newest_db_item).toBeGreaterThan(1_700_000_000);
    expect(pdq.index_built_to).toBeGreaterThan(1_700_000_000);
    expect(Object.keys((await call('GET', '/c/signal_type/index?signal_type=video_md5')).json)).toEqual(['video_md5']);
    const unknown = await call('GET', '/c/signal_type/index?signal_type=nope');
    expect([unknown.status, unknown.json]).toEqual([400, { message: "No such signal type 'nope'" }]);
  });
});

describe('POST /dev/factory_reset: a fresh install', () => {
  it('empties the index (built_to -1, size 0 per type) and starts content ids at 1 again', async () => {
    const reset = await call('POST', '/dev/factory_reset', { headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' } });
    expect(reset.status).toBe(302);
    const fresh = { pdq: { built_to: -1, present: true, size: 0 }, video_md5: { built_to: -1, present: true, size: 0 } };
    let status: Answer | undefined;
    for (let i = 0; i < 100; i++) {
      status = await call('GET', '/m/index/status');
      if (status.json.pdq.size === 0 && status.json.video_md5.size === 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(status!.json).toEqual(fresh);
    expect(status!.text).toBe('{"pdq":{"built_to":-1,"present":true,"size":0},"video_md5":{"built_to":-1,"present":true,"size":0}}');
    expect((await call('GET', '/c/banks')).json).toEqual([]);
    const index = (await call('GET', '/c/signal_type/index?signal_type=pdq')).json.pdq;
    expect(index).toMatchObject({ db_size: 0, index_size: 0, newest_db_item: -1, index_built_to: -1 });

    expect((await call('POST', '/c/banks', json({ name: 'AFTER_RESET' }))).status).toBe(201);
    const added = await call('POST', '/c/bank/AFTER_RESET/signal', json({ pdq: A }));
    expect(added.json).toEqual({ id: 1, signals: { pdq: A } });
    // The re-used id is a new change after its tombstone: it matches, in its new bank.
    expect((await call('GET', `/m/lookup?signal_type=pdq&signal=${A}`)).json).toEqual({ AFTER_RESET: [{ bank_content_id: 1, distance: '0' }] });
  });
});
