import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HmaError } from '../../src/errors/errors.js';
import { fetchMedia, type FetchLimits } from '../../src/media/fetch.js';
import { checkUrl, type UrlPolicy } from '../../src/net/url-policy.js';

const limits: FetchLimits = { maxBytes: 1000, timeoutMs: 2000, maxRedirects: 3 };
const production: UrlPolicy = { allowedHostnames: [], privateHostsAllowed: [], allowLoopback: false };
const development: UrlPolicy = { ...production, allowLoopback: true };

let server: http.Server;
let port = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/image') {
      res.writeHead(200, { 'content-type': 'image/jpeg; charset=binary' });
      res.end(Buffer.alloc(10, 7));
    } else if (path === '/big-declared') {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '5000' });
      res.end(Buffer.alloc(5000));
    } else if (path === '/big-chunked') {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      for (let i = 0; i < 10; i++) res.write(Buffer.alloc(500));
      res.end();
    } else if (path.startsWith('/redirect-to?')) {
      res.writeHead(302, { location: decodeURIComponent(path.slice('/redirect-to?'.length)) });
      res.end();
    } else if (path === '/loop') {
      res.writeHead(302, { location: '/loop' });
      res.end();
    } else if (path === '/500') {
      res.writeHead(503);
      res.end();
    } else if (path === '/slow') {
      setTimeout(() => res.end('late'), 5000).unref();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function failure(p: Promise<unknown>): Promise<HmaError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HmaError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('URL policy', () => {
  it.each([
    ['ftp://example.com/x', "scheme 'ftp'"],
    ['not a url', 'not an absolute URL'],
    ['http://user:pw@example.com/', 'credentials'],
    ['http://127.0.0.1/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://169.254.169.254/latest/meta-data', 'linkLocal'],
    ['http://10.1.2.3/', 'private'],
    ['http://192.168.0.1/', 'private'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://0.0.0.0/', 'unspecified'],
  ])('refuses %s', (url, why) => {
    expect(() => checkUrl(url, production)).toThrow(why);
  });

  it('applies the hostname allowlist to subdomains only', () => {
    const policy = { ...production, allowedHostnames: ['example.com'] };
    expect(checkUrl('https://cdn.example.com/a.jpg', policy).hostname).toBe('cdn.example.com');
    expect(() => checkUrl('https://example.com.evil.com/a.jpg', policy)).toThrow('not in the allowed host list');
  });
});

describe('fetchMedia', () => {
  it('fetches bytes and the content type in development mode', async () => {
    const got = await fetchMedia(`http://127.0.0.1:${port}/image`, development, limits);
    expect(got.bytes.length).toBe(10);
    expect(got.contentType).toBe('image/jpeg');
  });

  it('refuses a DNS name resolving to loopback in production', async () => {
    const err = await failure(fetchMedia(`http://localhost:${port}/image`, production, limits));
    expect(err.code).toBe('url_refused');
    expect(err.message).toContain('loopback');
  });

  it('allows a configured private host', async () => {
    const policy = { ...production, privateHostsAllowed: ['localhost'] };
    const got = await fetchMedia(`http://localhost:${port}/image`, policy, limits);
    expect(got.bytes.length).toBe(10);
  });

  it('re-checks redirect targets', async () => {
    const policy = { ...production, privateHostsAllowed: ['localhost'] };
    const target = encodeURIComponent(`http://127.0.0.1:${port}/image`);
    const err = await failure(fetchMedia(`http://localhost:${port}/redirect-to?${target}`, policy, limits));
    expect(err.code).toBe('url_refused');
    const meta = encodeURIComponent('http://169.254.169.254/latest/meta-data');
    const err2 = await failure(fetchMedia(`http://localhost:${port}/redirect-to?${meta}`, policy, limits));
    expect(err2.code).toBe('url_refused');
  });

  it('follows allowed redirects and stops redirect loops', async () => {
    const got = await fetchMedia(`http://127.0.0.1:${port}/redirect-to?%2Fimage`, development, limits);
    expect(got.finalUrl).toBe(`http://127.0.0.1:${port}/image`);
    const err = await failure(fetchMedia(`http://127.0.0.1:${port}/loop`, development, limits));
    expect(err.message).toContain('more than 3 redirects');
  });

  it('refuses bodies over the limit, declared or streamed', async () => {
    expect((await failure(fetchMedia(`http://127.0.0.1:${port}/big-declared`, development, limits))).code).toBe('too_large');
    expect((await failure(fetchMedia(`http://127.0.0.1:${port}/big-chunked`, development, limits))).code).toBe('too_large');
  });

  it('classifies 404 as permanent, 5xx and timeouts as transient', async () => {
    const notFound = await failure(fetchMedia(`http://127.0.0.1:${port}/nope`, development, limits));
    expect([notFound.code, notFound.message]).toEqual(['fetch_failed', 'Failed to fetch URL: 404 Not Found']);
    expect((await failure(fetchMedia(`http://127.0.0.1:${port}/500`, development, limits))).code).toBe('fetch_transient');
    const slow = await failure(fetchMedia(`http://127.0.0.1:${port}/slow`, development, { ...limits, timeoutMs: 200 }));
    expect([slow.code, slow.message]).toEqual(['fetch_transient', 'Failed to fetch URL: timed out']);
  });

  it('reports unreachable hosts', async () => {
    const refusedPort = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const err = await failure(fetchMedia(`http://127.0.0.1:${refusedPort}/`, development, limits));
    expect(err.code).toBe('fetch_transient');
    const dnsErr = await failure(fetchMedia('http://no-such-host.invalid/', development, limits));
    expect(dnsErr.code).toBe('fetch_failed');
  });
});
