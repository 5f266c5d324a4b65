/**
 * The HTTP edge of a real `hma api` process (real Postgres and Kafka): control
 * characters, wrong JSON types, names as long as the rule allows, broken multipart
 * bodies, private media URLs on /v1/content, request and header timeouts, and the
 * upload memory budget.
 */
import net from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiProcess } from '../support/api-process.js';

let api: ApiProcess;
const REQUEST_TIMEOUT_MS = 3000;
const HEADERS_TIMEOUT_MS = 2000;
const BUDGET = 8 * 1024 * 1024;

beforeAll(async () => {
  api = await startApi('edge', {
    PRODUCTION: 'true',
    AUTH: 'none',
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    UPLOAD_MEMORY_BUDGET_BYTES: String(BUDGET),
    MAX_INLINE_MEDIA_BYTES: String(900 * 1024),
  });
}, 180_000);
afterAll(() => api?.stop());

const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${api.base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: { message?: string } = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json, text, headers: res.headers };
};

/** A small image with enough structure for a PDQ hash of good quality. */
const png = () => {
  const pixels = Buffer.alloc(64 * 64 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (Math.floor(i / 96) * 37 + (i % 96) * 11) % 256;
  return sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer();
};

function multipart(boundary: string, parts: Array<{ name: string; filename?: string; data: Buffer | string }>, close = true): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename === undefined ? '' : 'Content-Type: image/png\r\n'}\r\n`));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

describe('control characters', () => {
  it.each([
    ['path', 'GET', '/c/bank/A%00B', undefined, 'path.bank_name'],
    ['query', 'GET', '/m/raw_lookup?signal_type=pdq&signal=%01abc', undefined, 'query.signal'],
    ['query key', 'GET', '/c/banks?x%00=1', undefined, 'a key of query'],
    ['bank name', 'POST', '/c/banks', { name: 'NUL\u0000BANK' }, 'body.name'],
    ['label', 'POST', '/c/banks', { name: 'CTRL_LABEL', labels: ['ok', 'bad\u0007'] }, 'body.labels[1]'],
    ['metadata', 'POST', '/v1/content', { url: 'https://example.com/a.jpg', metadata: { k: 'v\u001b[31m' } }, 'body.metadata.k'],
    ['exchange config', 'POST', '/c/exchanges', { bank: 'CTRL_EX', api: 'local_file', api_json: { filename: '/tmp/a\u0000b' } }, 'body.api_json.filename'],
    ['audit filter', 'GET', '/c/audit?actor=a%00b', undefined, 'query.actor'],
  ])('in a %s: 400 naming the field', async (_what, method, path, body, field) => {
    const r = await call(method, path, body);
    expect(r.status, r.text).toBe(400);
    expect(r.json.message).toBe(`${field} contains a control character`);
  });

  it('in a multipart field or file name: 400 naming it', async () => {
    const boundary = 'ctrlboundary';
    const image = await png();
    const field = await call('POST', '/v1/content', multipart(boundary, [{ name: 'content_id', data: 'a\u0000b' }, { name: 'file', filename: 'x.png', data: image }]), {
      'content-type': `multipart/form-data; boundary=${boundary}`,
    });
    expect(field.status, field.text).toBe(400);
    expect(field.json.message).toBe("multipart field 'content_id' contains a control character");
    const name = await call('POST', '/h/hash', multipart(boundary, [{ name: 'photo', filename: 'x\u0001.png', data: image }]), {
      'content-type': `multipart/form-data; boundary=${boundary}`,
    });
    expect(name.status, name.text).toBe(400);
    expect(name.json.message).toBe("the file name of multipart field 'photo' contains a control character");
  });

  it('deep in a JSON body: refused, as is nesting past 64 levels', async () => {
    const deep = (n: number, leaf: unknown): unknown => (n === 0 ? leaf : { a: deep(n - 1, leaf) });
    const nul = await call('POST', '/c/bank/DEEP/content', { metadata: deep(10, 'x\u0000') });
    expect([nul.status, nul.json.message]).toEqual([400, `body.metadata${'.a'.repeat(10)} contains a control character`]);
    const nested = await call('POST', '/c/bank/DEEP/content', { metadata: deep(100, 'x') });
    expect(nested.status).toBe(400);
    expect(nested.json.message).toMatch(/nested more than 64 levels deep$/);
  });

  it('tab, newline and ordinary unicode are fine', async () => {
    const r = await call('POST', '/c/banks', { name: 'UNICODE_OK', labels: ['line\none\ttab', 'émoji 🙂'] });
    expect(r.status, r.text).toBe(201);
  });
});

describe('JSON bodies keep their types', () => {
  it.each([
    [{ name: ['REL_A'] }, 'body/name must be string'],
    [{ name: 123 }, 'body/name must be string'],
    // A numeric string is HMA's own lax input for the ratio (a moderation platform sends "1"; docs/HMA-COMPATIBILITY.md), any other text is not.
    [{ name: 'TYPED', enabled_ratio: 'half' }, /^body\/enabled_ratio must be number, /],
    [{ name: 'TYPED', enabled_ratio: ['0.5'] }, /^body\/enabled_ratio must be number, /],
    [{ name: 'TYPED', labels: 'one' }, 'body/labels must be array'],
  ])('%j is refused, and creates nothing', async (body, message) => {
    const r = await call('POST', '/c/banks', body);
    expect(r.status).toBe(422);
    if (typeof message === 'string') expect(r.json.message).toBe(message);
    else expect(r.json.message).toMatch(message);
    expect((await call('GET', '/c/bank/REL_A')).status).toBe(404);
  });

  it('infinite numbers are refused wherever they are', async () => {
    for (const [path, field] of [['/c/content/Infinity/reviews', 'path.content_id'], ['/c/content/1e400/reviews', 'path.content_id'], ['/c/audit?page_size=Infinity', 'query.page_size']]) {
      const r = await call('GET', path);
      expect(r.status, `${path}: ${r.text}`).toBe(400);
      expect(r.json.message).toBe(`${field} must be a finite number`);
    }
    // A schema's `number` refuses it already (HMA's status for a body that fails its model); free-form JSON is caught by the edge.
    const typed = await call('POST', '/c/banks', '{"name":"INF","enabled_ratio":1e400}');
    expect(typed.status, typed.text).toBe(422);
    expect(typed.json.message).toMatch(/^body\/enabled_ratio must be number/);
    const free = await call('POST', '/c/bank/INF_FREE/content', '{"metadata":{"n":1e400}}');
    expect(free.status, free.text).toBe(400);
  });

  it.each([
    ['PUT', '/c/bank/MP_TYPES', { enabled_ratio: '0.5' }, /^body\/enabled_ratio must be /],
    ['POST', '/m/lookup/batch', { signals: [{ signal_type: 'pdq', signal: 1 }] }, /^body\/signals\/0\/signal must be string/],
    ['POST', '/m/lookup/batch', { signals: [], bypass_coinflip: 'true' }, /^body\/bypass_coinflip must be boolean/],
    ['POST', '/v1/content', { url: ['https://example.com/a.jpg'] }, /^body\/url must be string/],
    // An untyped body (HMA checks it in the handler, with its own messages).
    ['POST', '/c/exchanges', { bank: ['TYPES_EX'], api: 'sample' }, /^Field `bank` must/],
  ])('%s %s %j: refused, not coerced', async (method, path, body, message) => {
    await call('POST', '/c/banks', { name: 'MP_TYPES' });
    const r = await call(method, path, body);
    expect(r.status, r.text).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.json.message).toMatch(message);
  });

  it('query strings still coerce numbers', async () => {
    const r = await call('GET', '/c/audit?page_size=5');
    expect(r.status, r.text).toBe(200);
    expect((await call('GET', '/c/audit?page_size=many')).status).toBeGreaterThanOrEqual(400);
  });
});

describe('names', () => {
  it('a bank with the longest allowed name can be read, changed and deleted', async () => {
    const name = `L${'O'.repeat(253)}G`;
    expect(name).toHaveLength(255);
    expect((await call('POST', '/c/banks', { name })).status).toBe(201);
    expect((await call('GET', `/c/bank/${name}`)).status).toBe(200);
    const put = await call('PUT', `/c/bank/${name}`, { enabled_ratio: 0.5 });
    expect(put.status, put.text).toBe(200);
    const del = await call('DELETE', `/c/bank/${name}`);
    expect(del.status, del.text).toBeLessThan(300);
    expect((await call('GET', `/c/bank/${name}`)).status).toBe(404);
    expect((await call('POST', '/c/banks', { name: `${name}X` })).status).toBe(400);
  });
});

describe('broken multipart bodies', () => {
  const routes = ['/h/hash', '/m/lookup', '/c/bank/MP_BANK/content', '/v1/content'];
  beforeAll(async () => {
    await call('POST', '/c/banks', { name: 'MP_BANK' });
  });

  it.each(routes)('%s: a truncated body is a 400', async (route) => {
    const body = multipart('cutboundary', [{ name: 'photo', filename: 'x.png', data: await png() }], false).subarray(0, 200);
    const r = await call('POST', route, body, { 'content-type': 'multipart/form-data; boundary=cutboundary' });
    expect(r.status, r.text).toBe(400);
    expect(r.json.message).toMatch(/multipart/i);
  });

  it.each(routes)('%s: no boundary is a 400', async (route) => {
    const r = await call('POST', route, 'garbage', { 'content-type': 'multipart/form-data' });
    expect(r.status, r.text).toBe(400);
    expect(r.json.message).toMatch(/multipart/i);
  });
});

describe('/v1/content media URLs', () => {
  it.each(['http://127.0.0.1/a.jpg', 'http://10.1.2.3/a.jpg', 'http://[::1]/a.jpg', 'http://localhost/a.jpg', 'file:///etc/passwd'])(
    '%s is refused at submission with 400',
    async (url) => {
      const r = await call('POST', '/v1/content', { url });
      expect(r.status, r.text).toBe(400);
      expect(r.json.message).toMatch(/^Invalid or unsafe URL provided/);
    },
  );
});

/** Opens a raw connection, writes `head`, then one byte every `everyMs`; resolves when the server closes it. */
function trickle(head: string, everyMs: number): Promise<{ ms: number; response: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(api.port, '127.0.0.1');
    let response = '';
    const timer = setInterval(() => socket.write('x'), everyMs);
    socket.on('data', (d) => (response += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ms: Date.now() - started, response });
    });
    socket.write(head);
  });
}

describe('timeouts', () => {
  it('20 uploads trickling their bodies are answered 408 and closed after the request timeout', async () => {
    const head = `POST /h/hash HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n`;
    const results = await Promise.all(Array.from({ length: 20 }, () => trickle(head, 500)));
    for (const r of results) {
      expect(r.ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      expect(r.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 5000);
      expect(r.response).toMatch(/^HTTP\/1\.1 408/);
    }
    expect((await call('GET', '/status')).status).toBe(200);
  }, 30_000);

  it('a client trickling its headers is cut off after the headers timeout', async () => {
    const r = await trickle('GET /status HTTP/1.1\r\nHost: x\r\n', 300);
    expect(r.ms).toBeLessThan(HEADERS_TIMEOUT_MS + 5000);
    expect(r.response).toMatch(/^HTTP\/1\.1 408/);
  }, 30_000);
});

describe('upload memory budget', () => {
  it('refuses a new upload with 503 and Retry-After while the budget is held, and takes it once freed', async () => {
    // Holds 6 MiB of the 8 MiB budget by declaring it and trickling.
    const holder = trickle(`POST /h/hash HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${6 * 1024 * 1024}\r\n\r\n`, 200);
    await new Promise((r) => setTimeout(r, 300));
    const boundary = 'budgetboundary';
    const big = multipart(boundary, [{ name: 'photo', filename: 'x.png', data: Buffer.concat([await png(), Buffer.alloc(3 * 1024 * 1024)]) }]);
    const refused = await call('POST', '/h/hash', big, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.json.message).toMatch(/upload memory budget/);
    const metrics = await call('GET', '/metrics');
    expect(metrics.text).toMatch(/hma_http_upload_bytes_in_flight 6291456/);
    await holder;
    const image = multipart(boundary, [{ name: 'photo', filename: 'x.png', data: await png() }]);
    // Small bodies never touch the budget; this one is hashed.
    expect((await call('POST', '/h/hash', image, { 'content-type': `multipart/form-data; boundary=${boundary}` })).status).toBe(200);
    const after = await call('POST', '/h/hash', big, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect(after.status).not.toBe(503);
    expect((await call('GET', '/metrics')).text).toMatch(/hma_http_upload_bytes_in_flight 0/);
  }, 30_000);
});
