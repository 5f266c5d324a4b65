/**
 * HTTP fuzz: property-based requests to every operation of the OpenAPI document of a
 * real `hma api` process (production mode, real Postgres and Kafka). Path, query and
 * body values are hostile strings (control characters, unicode, huge), wrong JSON
 * types, huge and negative numbers; bodies are JSON guided by each operation's schema,
 * garbage, broken multipart, or small hostile media (truncated and garbage images).
 * Every answer must come before the configured request timeout and be below 500; the
 * process must still be ready, live and hashing afterwards.
 *
 * Seeded and reproducible: the seed is printed; HMA_FUZZ_SEED replays a run and
 * HMA_FUZZ_RUNS sets the number of cases (default 5000, about 40 s on 2 cores).
 */
import http from 'node:http';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiProcess } from '../support/api-process.js';

const SEED = process.env.HMA_FUZZ_SEED ? Number(process.env.HMA_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const RUNS = Number(process.env.HMA_FUZZ_RUNS ?? 5000);
const REQUEST_TIMEOUT_MS = 5000;
/** A request unanswered this long after the server's own deadline is a hang. */
const HANG_MS = REQUEST_TIMEOUT_MS + 5000;

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  nullable?: boolean;
  additionalProperties?: boolean | Schema;
}
interface Operation {
  readonly method: string;
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly query: ReadonlyArray<{ name: string; type: string }>;
  readonly body: Schema | undefined;
}

let api: ApiProcess;
let operations: Operation[] = [];
let media: Record<string, Buffer> = {};
let knownContentId = 1;

/** A PNG with enough structure for a PDQ hash of good quality. */
async function image(format: 'png' | 'jpeg' | 'webp' | 'gif', size = 64): Promise<Buffer> {
  const pixels = Buffer.alloc(size * size * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (Math.floor(i / (size * 1.5)) * 37 + (i % 96) * 11) % 256;
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).toFormat(format).toBuffer();
}

beforeAll(async () => {
  console.log(`[fuzz] seed ${SEED}, ${RUNS} cases (replay with HMA_FUZZ_SEED=${SEED})`);
  api = await startApi('fuzz', {
    PRODUCTION: 'true',
    AUTH: 'none',
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    HTTP_HEADERS_TIMEOUT_MS: '3000',
    MEDIA_FETCH_TIMEOUT_MS: '1000',
    HASH_TASK_TIMEOUT_MS: '5000',
  });
  const doc = (await (await fetch(`${api.base}/openapi/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema?: Schema }>; requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
  };
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? [];
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, type: String(p.schema?.type ?? 'string') })),
        body: op.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  const png = await image('png');
  const jpeg = await image('jpeg');
  media = {
    png,
    jpeg,
    webp: await image('webp'),
    gif: await image('gif'),
    truncatedPng: png.subarray(0, Math.floor(png.length / 2)),
    truncatedJpeg: jpeg.subarray(0, Math.floor(jpeg.length / 3)),
    pngHeaderOnly: png.subarray(0, 33),
    garbage: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
    empty: Buffer.alloc(0),
    jpegMagicThenZeros: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048)]),
    tinyPng: await image('png', 1),
  };
  // Something to find: a bank with content, so requests reach past "not found".
  await fetch(`${api.base}/c/banks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'FUZZ_BANK' }) });
  const form = new FormData();
  form.append('photo', new Blob([png]), 'a.png');
  const added = await fetch(`${api.base}/c/bank/FUZZ_BANK/content`, { method: 'POST', body: form });
  if (added.ok) knownContentId = ((await added.json()) as { id: number }).id;
}, 180_000);
afterAll(() => api?.stop());

// ---- values ----

const controlChars = fc.constantFrom('\u0000', '\u0001', '\u0007', '\u0008', '\u000b', '\u001b', '\u007f', '\r\n', '\t');
const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.tuple(fc.string({ maxLength: 8 }), controlChars, fc.string({ maxLength: 8 })).map(([a, c, b]) => `${a}${c}${b}`),
  fc.string({ minLength: 300, maxLength: 5000 }),
  fc.constantFrom('', ' ', 'FUZZ_BANK', 'NOPE', 'pdq', 'video_md5', 'photo', 'video', 'local_file', 'ncmec', 'true', 'false', '0', '-1',
    '1e308', '-1e308', 'NaN', 'Infinity', '99999999999999999999999', '0x10', '1.5', '../../etc/passwd', '%', '%00', '%zz', '\ud800', '\u202e',
    'http://127.0.0.1:1/a.jpg', 'http://10.0.0.1/a.png', 'https://example.invalid/a.jpg', 'file:///etc/passwd', 'A'.repeat(255), 'A'.repeat(256),
    'f'.repeat(64), '0'.repeat(64), 'g'.repeat(64), 'd41d8cd98f00b204e9800998ecf8427e'),
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 0.5, 1.0000001, 1e-320),
);
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  hostileString,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 4 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
);

/** A value for `schema`: mostly of the right shape with hostile contents, sometimes of a wrong type. */
function valueFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return anyJson;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  let right: fc.Arbitrary<unknown>;
  if (schema.enum) right = fc.constantFrom(...schema.enum);
  else if (type === 'object') {
    const props = Object.entries(schema.properties ?? {});
    right = fc
      .tuple(
        fc.record(Object.fromEntries(props.map(([k, s]) => [k, valueFor(s, depth + 1)])), { requiredKeys: [] }),
        fc.dictionary(hostileString, anyJson, { maxKeys: 2 }),
        fc.boolean(),
      )
      .map(([known, extra, withExtra]) => (withExtra ? { ...extra, ...known } : known));
  } else if (type === 'array') right = fc.array(valueFor(schema.items, depth + 1), { maxLength: 5 });
  else if (type === 'integer' || type === 'number') right = hostileNumber;
  else if (type === 'boolean') right = fc.boolean();
  else right = hostileString;
  return fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: anyJson });
}

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; contentType: string; bytes: Buffer }
  | { kind: 'multipart'; field: string; fileName: string; media: string; fields: Record<string, string>; cut: number | undefined; boundary: boolean };

const mediaName = () => fc.constantFrom(...Object.keys(media));

function bodyFor(op: Operation): fc.Arbitrary<Body> {
  const raw = fc.record({
    kind: fc.constant('raw' as const),
    contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'image/png', 'multipart/form-data', 'application/json; charset=latin1', ''),
    bytes: fc.oneof(
      fc.constantFrom('{"name":', '[]', 'null', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '\u0000', '{}', '1', '"s"', 'name=A&name=B').map((s) => Buffer.from(s)),
      fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
    ),
  });
  const multipart = fc.record({
    kind: fc.constant('multipart' as const),
    field: fc.constantFrom('photo', 'video', 'file', 'image', 'pdq', ''),
    fileName: fc.oneof(fc.constantFrom('a.png', 'a.jpg', 'a.mp4', 'a.svg', ''), hostileString),
    media: mediaName(),
    fields: fc.dictionary(fc.constantFrom('content_id', 'content_type', 'metadata', 'trace_id', 'types', 'url', 'signal_type'), hostileString, { maxKeys: 3 }),
    cut: fc.option(fc.nat({ max: 400 }), { nil: undefined }),
    boundary: fc.boolean(),
  });
  const json = valueFor(op.body).map((value) => ({ kind: 'json' as const, value }));
  const none = fc.constant({ kind: 'none' as const });
  if (op.method === 'GET' || op.method === 'DELETE') return fc.oneof({ weight: 8, arbitrary: none }, { weight: 1, arbitrary: raw });
  return fc.oneof({ weight: 4, arbitrary: json }, { weight: 2, arbitrary: raw }, { weight: 3, arbitrary: multipart }, { weight: 1, arbitrary: none });
}

/** Percent-encodes the UTF-8 bytes (encodeURIComponent throws on a lone surrogate). */
const pct = (s: string): string =>
  [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`)).join('');

interface Case {
  readonly op: Operation;
  readonly path: string;
  readonly query: ReadonlyArray<[string, string]>;
  readonly body: Body;
}

const pathValue = (name: string): fc.Arbitrary<string> =>
  name === 'content_id'
    ? fc.oneof(hostileString, fc.constant(String(knownContentId)), hostileNumber.map(String))
    : fc.oneof(hostileString, fc.constantFrom('FUZZ_BANK', 'pdq', 'video_md5', 'local_file', 'ncmec', 'stop_ncii', 'fb_threatexchange'));

function caseFor(op: Operation): fc.Arbitrary<Case> {
  const pathValues = fc.tuple(...op.pathParams.map((p) => fc.tuple(fc.constant(p), pathValue(p), fc.boolean())));
  const queryValues = fc.tuple(
    fc.subarray(op.query.map((q) => q)),
    fc.array(fc.tuple(hostileString, hostileString), { maxLength: 2 }),
  ).chain(([chosen, extra]) =>
    fc.tuple(
      fc.tuple(...chosen.map((q) => fc.tuple(fc.constant(q.name), q.type === 'integer' || q.type === 'number' ? fc.oneof(hostileNumber.map(String), hostileString) : hostileString))),
      fc.constant(extra),
    ),
  );
  return fc.tuple(pathValues, queryValues, bodyFor(op)).map(([params, [query, extra], body]) => {
    let path = op.path;
    // Usually encoded; sometimes raw, so broken percent-encoding and slashes reach the router too.
    for (const [name, value, encode] of params) path = path.replace(`{${name}}`, encode ? pct(value) : value.replace(/[?#\s]/g, 'x'));
    return { op, path, query: [...query, ...extra], body };
  });
}

function multipartBytes(b: Extract<Body, { kind: 'multipart' }>, boundary: string): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(b.fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${b.field}"; filename="${b.fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
  parts.push(media[b.media]!, Buffer.from(`\r\n--${boundary}--\r\n`));
  const all = Buffer.concat(parts);
  return b.cut === undefined ? all : all.subarray(0, Math.min(all.length, b.cut));
}

/**
 * node:http rather than fetch: fetch refuses a body on GET and DELETE, a client may not.
 * Resolves with the status once the whole answer arrived; a socket error after the
 * status line (Node's server answers 400 to the unread rest of a request it already
 * answered with `Connection: close`) keeps the status.
 */
function send(url: string, init: { method: string; headers: Record<string, string>; body: Buffer | string | undefined }): Promise<number> {
  return new Promise((resolve, reject) => {
    let status: number | undefined;
    const req = http.request(url, { method: init.method, headers: init.headers, agent: false }, (res) => {
      status = res.statusCode ?? 0;
      res.resume();
      res.on('end', () => resolve(status!));
      res.on('error', () => resolve(status!));
    });
    req.setTimeout(HANG_MS, () => req.destroy(new Error(`no answer within ${HANG_MS} ms`)));
    req.on('error', (err) => (status === undefined ? reject(err) : resolve(status)));
    req.end(init.body);
  });
}

function request(c: Case): { url: string; init: { method: string; headers: Record<string, string>; body: Buffer | string | undefined }; describe: string } {
  const qs = c.query.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
  const url = `${api.base}${c.path}${qs ? `?${qs}` : ''}`;
  const headers: Record<string, string> = {};
  let body: Buffer | string | undefined;
  switch (c.body.kind) {
    case 'none':
      break;
    case 'json':
      headers['content-type'] = 'application/json';
      body = JSON.stringify(c.body.value) ?? 'null';
      break;
    case 'raw':
      if (c.body.contentType) headers['content-type'] = c.body.contentType;
      body = c.body.bytes;
      break;
    case 'multipart': {
      const boundary = 'fuzzBoundary7MA4YWxk';
      headers['content-type'] = c.body.boundary ? `multipart/form-data; boundary=${boundary}` : 'multipart/form-data';
      body = multipartBytes(c.body, boundary);
      break;
    }
  }
  const shown = c.body.kind === 'json' ? JSON.stringify(c.body.value) : c.body.kind === 'multipart' ? JSON.stringify({ ...c.body, fields: c.body.fields }) : c.body.kind;
  return { url, init: { method: c.op.method, headers, body }, describe: `${c.op.method} ${url.slice(0, 300)} body=${String(shown).slice(0, 300)}` };
}

describe('HTTP fuzz over the OpenAPI document', () => {
  it('never answers 5xx nor hangs, and the process stays healthy', async () => {
    expect(operations.length).toBeGreaterThan(30);
    const statuses = new Map<number, number>();
    const perOperation = new Map<string, number>();
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(...operations.map(caseFor)), async (c) => {
        const { url, init, describe } = request(c);
        const started = Date.now();
        let status: number;
        try {
          status = await send(url, init);
        } catch (err) {
          throw new Error(`no answer after ${Date.now() - started} ms (${(err as Error).message}): ${describe}`);
        }
        cases++;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        perOperation.set(`${c.op.method} ${c.op.path}`, (perOperation.get(`${c.op.method} ${c.op.path}`) ?? 0) + 1);
        if (status >= 500) throw new Error(`answered ${status}: ${describe}`);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.log(`[fuzz] seed ${SEED}: ${cases} requests over ${perOperation.size} operations; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    expect(perOperation.size).toBe(operations.length);

    // Still ready, live, and hashing a normal image.
    expect((await fetch(`${api.base}/status`)).status).toBe(200);
    expect((await fetch(`${api.base}/status/live`)).status).toBe(200);
    const form = new FormData();
    form.append('photo', new Blob([media.jpeg!]), 'a.jpg');
    const hashed = await fetch(`${api.base}/h/hash`, { method: 'POST', body: form, signal: AbortSignal.timeout(10_000) });
    expect(hashed.status).toBe(200);
    expect(((await hashed.json()) as { pdq?: string }).pdq).toMatch(/^[0-9a-f]{64}$/);
    expect(api.process.running).toBe(true);
  }, 600_000);
});
