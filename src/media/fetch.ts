/**
 * Fetches media over http(s) with SSRF protection, size limits and a deadline.
 * Every connection goes through a DNS lookup whose answers are checked by the
 * URL policy, so a redirect or a DNS name cannot lead to a private address.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { HmaError } from '../errors/errors.js';
import { checkAddress, checkUrl, type UrlPolicy } from './url-policy.js';

export interface FetchLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
}

export interface FetchedMedia {
  readonly bytes: Buffer;
  /** The response's Content-Type without parameters, lower-cased; undefined when the server sent none. */
  readonly contentType: string | undefined;
  readonly finalUrl: string;
}

const failed = (detail: string) => new HmaError('fetch_failed', `Failed to fetch URL: ${detail}`);
const transient = (detail: string) => new HmaError('fetch_transient', `Failed to fetch URL: ${detail}`);
const tooLarge = () => new HmaError('too_large', 'Content too large');

const transientErrnos = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/** A DNS lookup for sockets that refuses addresses the policy forbids (also used by the exchange HTTP client). */
export function guardedLookup(policy: UrlPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      try {
        for (const a of addresses) checkAddress(hostname, a.address, policy);
      } catch (refusal) {
        return callback(refusal as Error, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * The policy check of a URL accepted now and fetched later (POST /v1/content): the
 * URL itself and the addresses its host resolves to now. A host that does not
 * resolve at the moment is let through (DNS may be briefly down; the hasher checks
 * again when it connects); a host resolving to a refused address is refused at once.
 */
export async function preflightUrl(raw: string, policy: UrlPolicy): Promise<URL> {
  const url = checkUrl(raw, policy);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = await dns.promises.lookup(host, { all: true }).catch(() => []);
  for (const a of addresses) checkAddress(url.hostname, a.address, policy);
  return url;
}

function getOnce(url: URL, policy: UrlPolicy, signal: AbortSignal): Promise<http.IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { lookup: guardedLookup(policy), signal, headers: { 'user-agent': 'hma-stream' } }, resolve);
    req.on('error', reject);
  });
}

function classify(err: unknown, signal: AbortSignal): HmaError {
  if (err instanceof HmaError) return err;
  if (signal.aborted) return transient('timed out');
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  if (transientErrnos.has(code)) return transient(message);
  return failed(message);
}

async function readBody(res: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      res.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

export async function fetchMedia(raw: string, policy: UrlPolicy, limits: FetchLimits): Promise<FetchedMedia> {
  let url = checkUrl(raw, policy);
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    for (let redirects = 0; ; redirects++) {
      const res = await getOnce(url, policy, signal);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects >= limits.maxRedirects) throw failed(`more than ${limits.maxRedirects} redirects`);
        url = checkUrl(new URL(res.headers.location, url).toString(), policy);
        continue;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        const detail = `${status} ${res.statusMessage ?? ''}`.trim();
        throw status >= 500 || status === 429 || status === 408 ? transient(detail) : failed(detail);
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > limits.maxBytes) {
        res.destroy();
        throw tooLarge();
      }
      const bytes = await readBody(res, limits.maxBytes);
      const contentType = res.headers['content-type']?.split(';')[0]?.trim().toLowerCase() || undefined;
      return { bytes, contentType, finalUrl: url.toString() };
    }
  } catch (err) {
    throw classify(err, signal);
  }
}
