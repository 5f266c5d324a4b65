/**
 * The one outbound HTTP path (media fetching, exchange clients, webhooks): undici's request
 * (about twice the rate of its fetch, which needs web streams) with redirects followed one hop at a time, each target checked by the URL policy when
 * there is one, sockets that only connect to addresses the policy allows (so neither a
 * redirect nor a DNS name leads to a private address), credentials kept with their origin,
 * response bodies read under a size cap, and one rule for which failures are transient.
 * Callers turn OutboundError and the policy's url_refused HmaError into their own errors.
 */
import dns from 'node:dns';
import { STATUS_CODES } from 'node:http';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { checkAddress, checkUrl, type UrlPolicy } from './url-policy.js';

export type OutboundFailure =
  | { readonly kind: 'too_many_redirects'; readonly max: number }
  /** `declared` when the Content-Length already said so, before any byte was read. */
  | { readonly kind: 'too_large'; readonly max: number; readonly declared?: number };

export class OutboundError extends Error {
  constructor(readonly failure: OutboundFailure) {
    super(
      failure.kind === 'too_many_redirects'
        ? `more than ${failure.max} redirects`
        : failure.declared !== undefined
          ? `response of ${failure.declared} bytes is over the ${failure.max}-byte limit`
          : `response is over the ${failure.max}-byte limit`,
    );
    this.name = 'OutboundError';
  }
}

/** A DNS lookup for sockets that refuses addresses the policy forbids. */
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

export interface OutboundOptions {
  /** SSRF protection: URLs, redirect targets and resolved addresses are checked. Absent for operator-chosen URLs. */
  readonly urlPolicy?: UrlPolicy;
  /** Redirects followed at most; 0 refuses any redirect. */
  readonly maxRedirects: number;
}

export interface OutboundInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

export interface OutboundResponse {
  readonly status: number;
  /** 2xx. */
  readonly ok: boolean;
  /** The standard reason phrase of the status ('' when it has none). */
  readonly statusText: string;
  readonly headers: Headers;
  readonly body: Readable;
  /** The URL that answered, after redirects. */
  readonly url: string;
}

export type OutboundFetch = (url: string, init: OutboundInit) => Promise<OutboundResponse>;

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

/** Shared by the callers without a URL policy. */
let openDispatcher: Dispatcher | undefined;

/**
 * Fetch following redirects itself. As browsers' fetch does, 303 (and 301/302 after a POST)
 * turn into a GET without a body; stronger than it, every header but the user agent stays
 * with its origin (API keys travel in custom headers, not only Authorization).
 */
export function outboundFetch(opts: OutboundOptions): OutboundFetch {
  const policy = opts.urlPolicy;
  const dispatcher = policy ? new Agent({ connect: { lookup: guardedLookup(policy) } }) : (openDispatcher ??= new Agent());
  const check = (u: string): string => (policy ? checkUrl(u, policy).toString() : new URL(u).toString());
  return async (url, init) => {
    let next = check(url);
    let req: OutboundInit = init;
    for (let hop = 0; ; hop++) {
      const answer = await request(next, {
        dispatcher,
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
      });
      const status = answer.statusCode;
      const res: OutboundResponse = {
        status,
        ok: status >= 200 && status < 300,
        statusText: STATUS_CODES[status] ?? '',
        headers: toHeaders(answer.headers),
        body: answer.body,
        url: next,
      };
      const location = res.headers.get('location');
      if (status < 300 || status >= 400 || location === null) return res;
      await discard(res);
      if (hop >= opts.maxRedirects) throw new OutboundError({ kind: 'too_many_redirects', max: opts.maxRedirects });
      const target = check(new URL(location, next).toString());
      const sameOrigin = new URL(target).origin === new URL(next).origin;
      const userAgent = new Headers(req.headers).get('user-agent');
      const headers = sameOrigin ? req.headers : userAgent === null ? {} : { 'user-agent': userAgent };
      const toGet = res.status === 303 || ((res.status === 301 || res.status === 302) && req.method === 'POST');
      req = { ...req, headers, ...(toGet ? { method: 'GET', body: undefined } : {}) };
      next = target;
    }
  };
}

/** The body, refused (OutboundError too_large) past `maxBytes`, declared or streamed. */
export async function readCapped(res: OutboundResponse, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    close(res.body);
    throw new OutboundError({ kind: 'too_large', max: maxBytes, declared });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  // Leaving the loop by throwing destroys the stream.
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new OutboundError({ kind: 'too_large', max: maxBytes });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** Drops a body we do not read, so the connection can be reused. */
export async function discard(res: OutboundResponse): Promise<void> {
  const body = res.body as Readable & { dump?: () => Promise<void> };
  if (body.dump) await body.dump().catch(() => undefined);
  else close(body);
}

/** Ends a body we stop reading (undici reports that as an 'error' event: expected here). */
function close(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Statuses worth trying again later: timeouts, rate limits and server errors. */
export const isTransientStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

const transientErrnos = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

/** fetch-style errors wrap a network failure in TypeError('fetch failed'); the error that says what happened is its cause. */
export function rootCause(err: unknown): unknown {
  const cause = (err as { cause?: unknown } | null)?.cause;
  return err instanceof TypeError && cause !== undefined ? cause : err;
}

/** The errno-like code of a network failure ('' when none). */
export function errnoOf(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  const code = cause?.code ?? (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** A connection-level failure worth trying again (refused, reset, timed out, DNS briefly down…). */
export const isTransientNetworkError = (err: unknown): boolean => transientErrnos.has(errnoOf(err));
