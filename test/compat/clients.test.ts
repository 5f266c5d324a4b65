/**
 * The HMA clients platforms already run, as they speak on the wire (docs/HMA-COMPATIBILITY.md,
 * "Clients"): a Ruby gem (Faraday over Net::HTTP, dry-struct models), a TypeScript moderation
 * platform's HMA service (undici fetch), a Go policy server (net/http). Each behaviour is
 * written down here as a request and what the client needs of the answer. Every JSON answer
 * is also checked as a strict client reads it (test/compat/support/client.ts): sorted keys,
 * floats with a fraction, integers without.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipart } from './support/client.js';
import { mediaServer, noisePhoto, type MediaServer } from './support/media.js';
import { useCompatApi } from './support/stack.js';

// vPDQ installed too: its /m/compare percentages are HMA's (python-threatexchange's) floats.
const api = useCompatApi('compatclients', { SIGNAL_TYPES: 'pdq,video_md5,vpdq' });
const call = api.call;

let media: MediaServer;
let photo: Buffer;
let photoUrl: string;
const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
/** Ruby's Net::HTTP on a POST without a body: a form content type and a zero length. */
const rubyBodiless = { headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' } };
const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

beforeAll(async () => {
  photo = await noisePhoto(7);
  media = await mediaServer({ 'photo.png': photo });
  photoUrl = `${media.base}/photo.png`;
});
afterAll(async () => {
  await media?.close();
});

describe('Ruby gem (Faraday, Net::HTTP, dry-struct)', () => {
  it('creates a bank with "enabled": "true" and reads matching_enabled_ratio as a Float', async () => {
    // The gem sends enabled as a string and the ratio under the response's name (HMA ignores it).
    const r = await call('POST', '/c/banks', json({ name: 'RUBY_BANK', enabled: 'true', matching_enabled_ratio: 1.0 }));
    expect(r.status).toBe(201);
    expect(r.text).toContain('"matching_enabled_ratio":1.0');
    expect(r.json).toMatchObject({ name: 'RUBY_BANK', matching_enabled_ratio: 1 });
    const got = await call('GET', '/c/bank/RUBY_BANK');
    expect(got.text).toContain('"matching_enabled_ratio":1.0');
    // bank_exists? rescues NotFoundError: a missing bank must be a 404.
    expect((await call('GET', '/c/bank/NO_SUCH_RUBY_BANK')).status).toBe(404);
  });

  it('reads a duplicate as ResourceAlreadyExists (403 whose message says "already exists")', async () => {
    const r = await call('POST', '/c/banks', json({ name: 'RUBY_BANK', enabled: 'true', matching_enabled_ratio: 1.0 }));
    expect(r.status).toBe(403);
    expect(r.json.message).toMatch(/already exists/);
  });

  it('adds content by URL with a bodiless form POST, metadata in the query (200, integer id)', async () => {
    const path = `/c/bank/RUBY_BANK/content?${q({ content_type: 'photo', metadata: JSON.stringify({ content_id: 'ruby-1', json: { source: 'url_test' } }), url: photoUrl })}`;
    const r = await call('POST', path, rubyBodiless);
    expect(r.status).toBe(200);
    expect(Number.isInteger(r.json.id)).toBe(true);
    expect(r.json.signals.pdq).toMatch(/^[0-9a-f]{64}$/);
    // Without content_type: guessed from the response's image/png.
    const guessed = await call('POST', `/c/bank/RUBY_BANK/content?${q({ url: photoUrl })}`, rubyBodiless);
    expect(guessed.status).toBe(200);
    // A missing bank is NotFoundError, before anything is downloaded.
    expect((await call('POST', `/c/bank/NO_SUCH_RUBY_BANK/content?${q({ url: photoUrl })}`, rubyBodiless)).status).toBe(404);
  });

  it('adds a file as multipart (field named by content type, metadata as a JSON field)', async () => {
    const form = multipart({ field: 'photo', filename: 'image.png', type: 'image/png', bytes: photo }, { metadata: JSON.stringify({ content_id: 'ruby-2' }) });
    const r = await call('POST', '/c/bank/RUBY_BANK/content', form);
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(['id', 'signals']);
  });

  it('raw_lookup with include_distance=true|false: integer ids, distances as strings', async () => {
    const pdq = (await call('GET', `/h/hash?${q({ url: photoUrl })}`)).json.pdq as string;
    const plain = await call('GET', `/m/raw_lookup?${q({ signal: pdq, signal_type: 'pdq', include_distance: 'false' })}`);
    expect(plain.status).toBe(200);
    expect(plain.json.matches.length).toBeGreaterThanOrEqual(3);
    for (const id of plain.json.matches) expect(Number.isInteger(id)).toBe(true);
    const withDistance = await call('GET', `/m/raw_lookup?${q({ signal: pdq, signal_type: 'pdq', include_distance: 'true' })}`);
    for (const m of withDistance.json.matches) expect(m).toEqual({ bank_content_id: expect.any(Number), distance: '0' });
  });

  it('lookup_url and lookup_file: {signal_type: {BANK: [{bank_content_id, distance}]}}', async () => {
    const byUrl = await call('GET', `/m/lookup?${q({ url: photoUrl, content_type: 'photo', types: 'pdq' })}`);
    expect(byUrl.status).toBe(200);
    expect(Object.keys(byUrl.json)).toEqual(['pdq']);
    expect(byUrl.json.pdq.RUBY_BANK.length).toBe(3);
    const form = multipart({ field: 'photo', filename: 'image.png', type: 'image/png', bytes: photo });
    const byFile = await call('POST', '/m/lookup', form);
    expect(byFile.status).toBe(200);
    expect(byFile.json.pdq.RUBY_BANK[0]).toEqual({ bank_content_id: expect.any(Number), distance: '0' });
  });

  it('creates an exchange, reads it back as {name, api, enabled}, sets API credentials', async () => {
    expect((await call('POST', '/c/exchanges', json({ api: 'sample', bank: 'RUBY_SAMPLE', api_json: {} }))).status).toBe(201);
    const ex = await call('GET', '/c/exchange/RUBY_SAMPLE');
    expect(ex.json).toMatchObject({ name: 'RUBY_SAMPLE', api: 'sample', enabled: true });
    // update_exchange_api_config: Config.new(name:, **answer), then valid? = has_set when supported.
    const creds = await call('POST', '/c/exchanges/api/fb_threatexchange', json({ credential_json: { api_token: '123|abc' } }));
    expect(creds.json).toEqual({ has_set_authentification: true, supports_authentification: true });
    // {} clears them again.
    const cleared = await call('POST', '/c/exchanges/api/fb_threatexchange', json({ credential_json: {} }));
    expect(cleared.json).toEqual({ has_set_authentification: false, supports_authentification: true });
    expect((await call('GET', '/c/exchange/NO_SUCH_EXCHANGE')).status).toBe(404);
  });

  it('takes the first bank of a lookup: banks come in alphabetical order, not content-id order', async () => {
    // Added ZULU first (lower content id), then ALPHA: HMA (Flask) still lists ALPHA first.
    for (const name of ['ZULU_ORDER', 'ALPHA_ORDER']) {
      expect((await call('POST', '/c/banks', json({ name }))).status).toBe(201);
      expect((await call('POST', `/c/bank/${name}/signal`, json({ pdq: 'f'.repeat(64) }))).status).toBe(200);
    }
    const r = await call('GET', `/m/lookup?${q({ signal_type: 'pdq', signal: 'f'.repeat(64) })}`);
    expect(Object.keys(r.json)).toEqual(['ALPHA_ORDER', 'ZULU_ORDER']);
    expect(r.text.indexOf('ALPHA_ORDER')).toBeLessThan(r.text.indexOf('ZULU_ORDER'));
  });
});

describe('TypeScript moderation platform (undici fetch)', () => {
  it('creates a bank with enabled_ratio as a string, renames it, reads 404 as gone', async () => {
    const r = await call('POST', '/c/banks', json({ name: 'COOP_ORG_BANK', enabled_ratio: '1' }));
    expect(r.status).toBe(201);
    expect(r.text).toContain('"matching_enabled_ratio":1.0');
    const half = await call('PUT', '/c/bank/COOP_ORG_BANK', json({ enabled_ratio: 0.5 }));
    expect(half.text).toContain('"matching_enabled_ratio":0.5');
    const off = await call('PUT', '/c/bank/COOP_ORG_BANK', json({ enabled_ratio: 0 }));
    expect(off.text).toContain('"matching_enabled_ratio":0.0');
    await call('POST', '/c/banks', json({ name: 'COOP_TAKEN' }));
    // A rename onto an existing name is 403 (the platform maps it to "name exists").
    expect((await call('PUT', '/c/bank/COOP_ORG_BANK', json({ name: 'COOP_TAKEN' }))).status).toBe(403);
    expect((await call('PUT', '/c/bank/COOP_ORG_BANK', json({ enabled_ratio: 1 }))).status).toBe(200);
  });

  it('adds by URL with its own content_id, content_uri and metadata in the query and no body: 200', async () => {
    // fetch with no body: no Content-Type, Content-Length 0.
    const params = q({ url: photoUrl, content_id: 'post-123', content_uri: 'https://platform.example/p/123', metadata: JSON.stringify({ source: 'report' }) });
    const r = await call('POST', `/c/bank/COOP_ORG_BANK/content?${params}`, { headers: { 'content-length': '0' } });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(['id', 'signals']);
    // A non-numeric content_id is not our add-by-id extension (that is from_content_id).
    const numeric = await call('POST', `/c/bank/COOP_ORG_BANK/content?${q({ url: photoUrl, content_id: '42' })}`);
    expect(numeric.status).toBe(200);
    expect(numeric.json.id).not.toBe(42);
  });

  it('adds by URL with metadata in a JSON body, stored as HMA metadata', async () => {
    const r = await call('POST', `/c/bank/COOP_ORG_BANK/content?${q({ url: photoUrl })}`, json({ metadata: { content_id: 'item-9', json: { source: 'ncmec_report' } } }));
    expect(r.status).toBe(200);
    const got = await call('GET', `/c/bank/COOP_ORG_BANK/content/${r.json.id}`);
    expect(got.json.metadata).toEqual({ collab: null, content_id: 'item-9', content_uri: null, json: { source: 'ncmec_report' } });
    expect(got.text).toContain('"matching_enabled_ratio":1.0');
  });

  it('adds a file with content_id and content_uri form fields (ignored, as HMA does); metadata is checked as HMA does', async () => {
    const file = { field: 'photo', filename: 'blob', type: 'application/octet-stream', bytes: photo };
    const r = await call('POST', '/c/bank/COOP_ORG_BANK/content', multipart(file, { content_id: 'post-7', content_uri: 'https://platform.example/p/7' }));
    expect(r.status).toBe(200);
    // The platform sends its free-form json as the metadata field: HMA refuses unknown metadata keys.
    const bad = await call('POST', '/c/bank/COOP_ORG_BANK/content', multipart(file, { metadata: JSON.stringify({ source: 'x' }) }));
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/^Invalid metadata: /);
  });

  it('looks up by URL and by signal, reading {BANK: [{bank_content_id: number, distance: string}]}', async () => {
    const byUrl = await call('GET', `/m/lookup?${q({ url: photoUrl, content_type: 'photo' })}`);
    expect(byUrl.status).toBe(200);
    for (const matches of Object.values(byUrl.json.pdq as Record<string, unknown[]>)) {
      for (const m of matches) expect(m).toEqual({ bank_content_id: expect.any(Number), distance: expect.any(String) });
    }
    const hashed = await call('GET', `/h/hash?url=${encodeURIComponent(photoUrl)}`);
    expect(hashed.status).toBe(200);
    for (const v of Object.values(hashed.json)) expect(typeof v).toBe('string');
    const bySignal = await call('GET', `/m/lookup?${q({ signal_type: 'pdq', signal: hashed.json.pdq })}`);
    expect(bySignal.json.COOP_ORG_BANK.length).toBeGreaterThan(0);
  });

  it('lists exchange APIs and reads supports_authentification and the schema', async () => {
    const apis = await call('GET', '/c/exchanges/apis');
    expect(apis.json).toContain('sample');
    const auth = await call('GET', '/c/exchanges/api/fb_threatexchange');
    expect(auth.json).toEqual({ has_set_authentification: false, supports_authentification: true });
    const schema = await call('GET', '/c/exchanges/api/fb_threatexchange/schema');
    expect(schema.json.config_schema.fields[0]).toMatchObject({ name: 'privacy_group', required: true });
  });

  it('deletes a bank, then sees 404', async () => {
    await call('POST', '/c/banks', json({ name: 'COOP_GONE' }));
    expect((await call('DELETE', '/c/bank/COOP_GONE')).json).toEqual({ message: 'Done' });
    expect((await call('GET', '/c/bank/COOP_GONE')).status).toBe(404);
  });
});

describe('Go policy server (net/http)', () => {
  it('hashes a multipart upload (file "x", application/octet-stream) into map[string]string', async () => {
    const form = multipart({ field: 'photo', filename: 'x', type: 'application/octet-stream', bytes: photo });
    const r = await call('POST', '/h/hash', { ...form, headers: { ...form.headers, authorization: 'Bearer not-checked-with-AUTH-none' } });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual(['pdq']);
    for (const v of Object.values(r.json)) expect(typeof v).toBe('string');
  });

  it('looks up every hash type it got, decoding any answer as a JSON object of banks', async () => {
    const hashed = await call('GET', `/h/hash?url=${encodeURIComponent(photoUrl)}`);
    for (const [type, value] of Object.entries(hashed.json as Record<string, string>)) {
      const r = await call('GET', `/m/lookup?signal_type=${type}&signal=${value}`);
      expect(r.status).toBe(200);
      expect(Object.keys(r.json)).toEqual(expect.arrayContaining(['RUBY_BANK']));
    }
    // It never checks the status: an error must still be a JSON object (here one "bank").
    const bad = await call('GET', '/m/lookup?signal_type=pdq&signal=');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(bad.json)).toEqual(['message']);
  });
});

describe('POST /m/compare (the matching debugger, any JSON client)', () => {
  it('answers [is_match, {distance: int}] for PDQ, {} for MD5, and float percentages for vPDQ', async () => {
    const frames = ['1', '2', '4', '8'].map((d) => d.repeat(64));
    const video = JSON.stringify(frames.map((h, i) => `${h},100,${i}.0`));
    const half = JSON.stringify([...frames.slice(0, 2), '0'.repeat(64), 'e'.repeat(64)].map((h, i) => `${h},100,${i}.0`));
    const r = await call('POST', '/m/compare', json({ pdq: ['f'.repeat(64), 'f'.repeat(64)], video_md5: ['d41d8cd98f00b204e9800998ecf8427e', 'd41d8cd98f00b204e9800998ecf8427e'], vpdq: [video, half] }));
    expect(r.status).toBe(200);
    expect(r.text).toBe('{"pdq":[true,{"distance":0}],"video_md5":[true,{}],"vpdq":[false,{"compared_match_percent":50.0,"query_match_percent":50.0}]}');
  });
});

describe('media URL failures: HMA status codes on every HMA route', () => {
  const routes = (url: string) => [
    ['GET', `/h/hash?${q({ url })}`],
    ['GET', `/m/lookup?${q({ url })}`],
    ['POST', `/c/bank/RUBY_BANK/content?${q({ url })}`],
  ] as const;

  it('an unreachable URL is 400 "Failed to fetch URL: …"', async () => {
    for (const [method, path] of routes(media.unreachable)) {
      const r = await call(method, path, method === 'POST' ? rubyBodiless : {});
      expect([path, r.status]).toEqual([path, 400]);
      expect(r.json.message).toMatch(/^Failed to fetch URL: /);
    }
  });

  it('a failing server (500) is 400 "Failed to fetch URL: 500 …"', async () => {
    for (const [method, path] of routes(`${media.base}/broken`)) {
      const r = await call(method, path, method === 'POST' ? rubyBodiless : {});
      expect([path, r.status, r.json.message]).toEqual([path, 400, 'Failed to fetch URL: 500 Internal Server Error']);
    }
  });

  it('a Content-Length over the limit is 413 "Content too large"', async () => {
    for (const [method, path] of routes(`${media.base}/huge`)) {
      const r = await call(method, path, method === 'POST' ? rubyBodiless : {});
      expect([path, r.status, r.json.message]).toEqual([path, 413, 'Content too large']);
    }
  });

  it('a download cut short is 400, never 502', async () => {
    for (const [method, path] of routes(`${media.base}/truncated`)) {
      const r = await call(method, path, method === 'POST' ? rubyBodiless : {});
      expect([path, r.status]).toEqual([path, 400]);
      expect(r.json.message).toMatch(/^Failed to fetch URL: /);
    }
  });

});
