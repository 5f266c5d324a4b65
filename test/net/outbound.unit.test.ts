import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchMedia } from '../../src/media/fetch.js';
import { isTransientNetworkError, OutboundError, outboundFetch, readCapped, type OutboundResponse } from '../../src/net/outbound.js';
import { callWebhook } from '../../src/pipeline/actioner/webhook.js';

interface Seen {
  readonly server: 'a' | 'b';
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

const seen: Seen[] = [];
let a: http.Server;
let b: http.Server;
const base = (s: http.Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

function serve(name: 'a' | 'b'): http.Server {
  return http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ server: name, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const u = new URL(req.url ?? '/', 'http://x');
      const to = u.searchParams.get('to');
      if (to !== null) {
        res.writeHead(Number(u.searchParams.get('status') ?? 302), { location: to });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(`${name}:${req.method}`);
      }
    });
  });
}

beforeAll(async () => {
  a = serve('a');
  b = serve('b');
  await Promise.all([a, b].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
});
afterAll(() => {
  for (const s of [a, b]) {
    s.closeAllConnections();
    s.close();
  }
});

const last = () => seen.at(-1) as Seen;
const text = async (res: OutboundResponse) => (await readCapped(res, 1000)).toString();

describe('the one outbound HTTP path', () => {
  const follow = outboundFetch({ maxRedirects: 3 });

  it('turns a 303 after a POST into a GET without the body', async () => {
    const res = await follow(`${base(a)}/post?status=303&to=${encodeURIComponent('/done')}`, { method: 'POST', body: 'payload' });
    expect(await text(res)).toBe('a:GET');
    expect([last().method, last().body]).toEqual(['GET', '']);
  });

  it('keeps a 307 a POST with its body', async () => {
    const res = await follow(`${base(a)}/post?status=307&to=${encodeURIComponent('/done')}`, { method: 'POST', body: 'payload' });
    expect(await text(res)).toBe('a:POST');
    expect(last().body).toBe('payload');
  });

  it('keeps every credential header with its origin, the user agent excepted', async () => {
    const headers = { authorization: 'Bearer s3cret', 'x-api-key': 'k3y', 'user-agent': 'hma-stream' };
    await text(await follow(`${base(a)}/r?to=${encodeURIComponent('/same')}`, { headers }));
    expect([last().server, last().headers.authorization, last().headers['x-api-key']]).toEqual(['a', 'Bearer s3cret', 'k3y']);
    await text(await follow(`${base(a)}/r?to=${encodeURIComponent(`${base(b)}/other`)}`, { headers }));
    expect([last().server, last().headers.authorization, last().headers['x-api-key'], last().headers['user-agent']]).toEqual(['b', undefined, undefined, 'hma-stream']);
  });

  it('stops after the redirect limit', async () => {
    const loop = `${base(a)}/loop?to=${encodeURIComponent('/loop?to=%2Floop')}`;
    await expect(outboundFetch({ maxRedirects: 1 })(loop, {})).rejects.toMatchObject({ failure: { kind: 'too_many_redirects', max: 1 } });
  });

  it('caps bodies', async () => {
    const res = await follow(`${base(a)}/x`, {});
    await expect(readCapped(res, 2)).rejects.toBeInstanceOf(OutboundError);
  });

  it('classifies refused connections as transient', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const err = await follow(`http://127.0.0.1:${closed}/`, {}).catch((e: unknown) => e);
    expect(isTransientNetworkError(err)).toBe(true);
  });
});

describe('its users', () => {
  it('media fetching follows a 303 to another origin', async () => {
    const policy = { allowedHostnames: [], privateHostsAllowed: [], allowLoopback: true };
    const got = await fetchMedia(`${base(a)}/m?status=303&to=${encodeURIComponent(`${base(b)}/img.png`)}`, policy, { maxBytes: 1000, timeoutMs: 5000, maxRedirects: 3 });
    expect([got.bytes.toString(), got.finalUrl, got.contentType]).toEqual(['b:GET', `${base(b)}/img.png`, 'image/png']);
  });

  it('webhooks never follow a redirect: each one is a failed attempt', async () => {
    const before = seen.filter((s) => s.server === 'b').length;
    const outcome = await callWebhook(
      { url: `${base(a)}/hook?status=307&to=${encodeURIComponent(`${base(b)}/hook`)}`, secret: 's', body: '{}', idempotencyKey: 'k' },
      { attempts: 2, timeoutMs: 2000, backoffMs: 1 },
    );
    expect(outcome).toEqual({ ok: false, attempts: 2, reason: 'OutboundError: more than 0 redirects after 2 attempts' });
    expect(seen.filter((s) => s.server === 'b').length).toBe(before);
  });
});
