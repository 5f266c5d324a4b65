/**
 * SSRF protection in production mode, through the API as `hma api` composes it (/h/hash
 * and /c add-by-URL) and through the exchange HTTP client: loopback, IPv6 loopback,
 * metadata, private and DNS-to-loopback addresses refused with clear 400s, also after a
 * redirect from an allowed host. (The pipeline hasher's dead letters for refused URLs are
 * covered in test/pipeline/hasher-deadletters.test.ts.)
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { fetchDeps } from '../../src/exchanges/fetcher/fetcher.js';
import { createHttpClient } from '../../src/exchanges/http.js';
import { exchangeUrlPolicy } from '../../src/exchanges/http-policy.js';
import { buildApi } from '../../src/processes/api.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { pdqDir } from '../hashing/testdata.js';
import { scratchStack, type Stack } from '../support/stack.js';

const BRIDGE = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

let stack: Stack;
const runtimes: Runtime[] = [];
let strict: FastifyInstance;
let allowing: FastifyInstance;
let server: http.Server;
let other: http.Server;
let port = 0;
const hits: string[] = [];
const otherHeaders: http.IncomingHttpHeaders[] = [];

async function api(config: Config): Promise<FastifyInstance> {
  const runtime = new Runtime(config, 'ssrf-test');
  runtimes.push(runtime);
  const app = (await buildApi(runtime)).app;
  await app.ready();
  return app;
}

beforeAll(async () => {
  const bridge = readFileSync(path.join(pdqDir(), 'pdq-data/bridge-mods/aaa-orig.jpg'));
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/bridge.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(bridge);
    else if (u.pathname === '/to') res.writeHead(302, { location: u.searchParams.get('u') ?? '/' }).end();
    else if (u.pathname === '/list') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    else res.writeHead(404).end();
  });
  other = http.createServer((req, res) => {
    otherHeaders.push(req.headers);
    res.writeHead(200).end('other');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  stack = await scratchStack('ssrf', { PRODUCTION: 'true', AUTH: 'none', ROLE_MATCHER: 'false', UI_ENABLED: 'false', HASH_WORKERS: '1' });
  strict = await api(stack.config);
  allowing = await api(stack.configWith({ URL_ALLOWED_PRIVATE_HOSTS: '127.0.0.1' }));
  expect((await strict.inject({ method: 'POST', url: '/c/banks', payload: { name: 'SSRF' } })).statusCode).toBe(201);
});
afterAll(async () => {
  for (const r of runtimes) await r.stop();
  await stack?.drop();
  server?.close();
  other?.close();
});

const local = (p: string) => `http://127.0.0.1:${port}${p}`;
const viaHasher = (app: FastifyInstance, url: string) => app.inject({ url: `/h/hash?url=${encodeURIComponent(url)}` });
const viaCurator = (app: FastifyInstance, url: string) =>
  app.inject({ method: 'POST', url: `/c/bank/SSRF/content?content_type=photo&url=${encodeURIComponent(url)}` });

function expectRefused(r: { statusCode: number; json(): { message: string } }, why: RegExp, label: string) {
  expect(r.statusCode, label).toBe(400);
  expect(r.json().message, label).toMatch(/Invalid or unsafe URL provided: /);
  expect(r.json().message, label).toMatch(why);
}

describe('media URLs in production mode', () => {
  const refused: Array<[string, () => string, RegExp]> = [
    ['IPv4 loopback', () => local('/bridge.jpg'), /loopback address \(127\.0\.0\.1\)/],
    ['IPv6 loopback', () => `http://[::1]:${port}/bridge.jpg`, /loopback address/],
    ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${port}/bridge.jpg`, /loopback address/],
    ['decimal IPv4 loopback', () => `http://2130706433:${port}/bridge.jpg`, /loopback address/],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/', /linkLocal address \(169\.254\.169\.254\)/],
    ['private network', () => 'http://10.0.0.1/x.jpg', /private address \(10\.0\.0\.1\)/],
    ['DNS name resolving to loopback', () => `http://localhost:${port}/bridge.jpg`, /host 'localhost' resolves to a loopback address/],
    ['file URL', () => 'file:///etc/passwd', /scheme 'file'/],
  ];

  it.each(refused)('refuses %s with a clear 400 through /h/hash and /c add-by-URL', async (label, url, why) => {
    const before = hits.length;
    expectRefused(await viaHasher(strict, url()), why, `${label} /h`);
    expectRefused(await viaCurator(strict, url()), why, `${label} /c`);
    expect(hits.length, 'nothing was fetched').toBe(before);
  });

  it('fetches from a private host the operator allowed (URL_ALLOWED_PRIVATE_HOSTS)', async () => {
    const r = await viaHasher(allowing, local('/bridge.jpg'));
    expect([r.statusCode, r.json()]).toEqual([200, { pdq: BRIDGE }]);
  });

  it.each([
    ['a DNS name resolving to loopback', () => `http://localhost:${port}/bridge.jpg`, /resolves to a loopback address/],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/', /linkLocal address/],
    ['a private network', () => 'http://10.0.0.1/x.jpg', /private address/],
  ])('refuses a redirect from the allowed host to %s', async (_label, target, why) => {
    const before = hits.filter((h) => h === '/bridge.jpg').length;
    const start = local(`/to?u=${encodeURIComponent(target())}`);
    expectRefused(await viaHasher(allowing, start), why, '/h');
    expectRefused(await viaCurator(allowing, start), why, '/c');
    expect(hits.filter((h) => h === '/bridge.jpg').length, 'the target was not fetched').toBe(before);
  });
});

describe('exchange HTTP clients', () => {
  const cfg = () => stack.configWith({ EXCHANGE_BASE_URLS: `ncmec=http://127.0.0.1:${port}` });
  const client = () => createHttpClient({ urlPolicy: exchangeUrlPolicy(cfg()), retries: 2, backoffMs: 1, timeoutMs: 5000 });

  it('reach hosts named in EXCHANGE_BASE_URLS (operator config) even when private', async () => {
    expect((await client().request({ url: local('/list'), what: 'list' })).text).toBe('ok');
  });

  it.each([
    ['a private address', 'http://10.0.0.1/list', /private address/],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/', /linkLocal address/],
    ['IPv6 loopback', 'http://[::1]:1/list', /loopback address/],
  ])('refuse %s at once, as a configuration error (no retries)', async (_label, url, why) => {
    const started = Date.now();
    await expect(client().request({ url, what: 'hash list URL' })).rejects.toMatchObject({ kind: 'config', message: expect.stringMatching(why) });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuse a host name that resolves to loopback', async () => {
    await expect(client().request({ url: `http://localhost:${port}/list`, what: 'hash list URL' })).rejects.toMatchObject({
      kind: 'config',
      message: expect.stringMatching(/hash list URL: Invalid or unsafe URL provided: host 'localhost' resolves to a loopback address/),
    });
  });

  it('check every redirect, and keep credentials from another origin', async () => {
    await expect(client().request({ url: local(`/to?u=${encodeURIComponent('http://169.254.169.254/')}`), what: 'r' })).rejects.toMatchObject({ kind: 'config' });
    await expect(client().request({ url: local(`/to?u=${encodeURIComponent(`http://localhost:${port}/list`)}`), what: 'r' })).rejects.toMatchObject({ kind: 'config' });
    expect((await client().request({ url: local(`/to?u=${encodeURIComponent('/list')}`), what: 'r' })).text).toBe('ok');
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/x`;
    const res = await client().request({ url: local(`/to?u=${encodeURIComponent(otherUrl)}`), what: 'r', headers: { authorization: 'Basic c2VjcmV0' } });
    expect(res.text).toBe('other');
    expect(otherHeaders.at(-1)?.authorization).toBeUndefined();
  });

  it('are built with the policy by the fetcher', async () => {
    const deps = fetchDeps(cfg(), stack.db.pool);
    await expect(deps.http.request({ url: 'http://10.0.0.1/list', what: 'hash list URL' })).rejects.toMatchObject({ kind: 'config' });
  });
});
