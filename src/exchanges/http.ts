/**
 * HTTP for exchange clients: Node's fetch with a deadline per attempt, a size cap,
 * bounded in-line retries of idempotent requests on 429/5xx/network errors, and every
 * failure turned into a typed ExchangeError. Messages name the call, never the full
 * URL: some APIs carry credentials in the query string.
 *
 * Requests go through the one outbound HTTP path (src/net/outbound.ts): redirects followed
 * hop by hop with credentials kept to their origin, and, with a URL policy (src/net/url-policy.ts),
 * every URL, redirect target and resolved address checked, as curators can point exchanges at
 * URLs of their choosing (remote_file, base_url_override).
 */
import { isHmaError } from '../errors/errors.js';
import { backoffDelayMs, sleep } from '../retry/backoff.js';
import { discard, isTransientNetworkError, errnoOf, OutboundError, outboundFetch, readCapped as readBody, type OutboundResponse } from '../net/outbound.js';
import type { UrlPolicy } from '../net/url-policy.js';
import { ExchangeError } from './errors.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  readonly method?: HttpMethod;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** What the call is, for messages ("NCMEC entries"). */
  readonly what: string;
  readonly signal?: AbortSignal;
  /** Retry in-line on 429/5xx/network errors; defaults to true for GET and HEAD only. */
  readonly retry?: boolean;
  /** Statuses handed back to the caller instead of thrown (e.g. 304, or 401 to re-authenticate). */
  readonly accept?: readonly number[];
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
}

export interface HttpOptions {
  readonly timeoutMs: number;
  /** In-line retries after the first attempt. */
  readonly retries: number;
  /** First retry delay; doubles per retry, with full jitter. */
  readonly backoffMs: number;
  /** A Retry-After longer than this is not waited for in-line: the caller backs off instead. */
  readonly maxInlineWaitMs: number;
  readonly maxBodyBytes: number;
  readonly userAgent?: string;
  /** SSRF protection: refuse URLs, redirects and resolved addresses the policy forbids. */
  readonly urlPolicy?: UrlPolicy;
  /** Redirects followed at most (each one checked when a URL policy is set). */
  readonly maxRedirects: number;
}

export const defaultHttpOptions: HttpOptions = {
  timeoutMs: 60_000,
  retries: 3,
  backoffMs: 200,
  maxInlineWaitMs: 10_000,
  maxBodyBytes: 512 * 1024 * 1024,
  maxRedirects: 5,
};

/** A URL refused by the policy, as this client's error (not worth a retry). */
const refusal = (what: string, err: unknown): ExchangeError | undefined =>
  isHmaError(err) && err.code === 'url_refused' ? new ExchangeError('config', `${what}: ${err.message}`) : undefined;

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

async function readCapped(res: OutboundResponse, max: number, what: string): Promise<string> {
  try {
    return (await readBody(res, max)).toString('utf8');
  } catch (err) {
    if (err instanceof OutboundError) throw new ExchangeError('malformed', `${what}: ${err.message}`);
    throw err;
  }
}

function statusError(what: string, status: number, retryAfterMs: number | undefined): ExchangeError {
  if (status === 401 || status === 403) {
    return new ExchangeError('auth', `${what}: credentials refused (HTTP ${status})`, { status });
  }
  if (status === 429) {
    const after = retryAfterMs === undefined ? '' : `, retry after ${Math.ceil(retryAfterMs / 1000)} s`;
    return new ExchangeError('rate_limited', `${what}: rate limited (HTTP 429${after})`, { status, retryAfterMs });
  }
  if (status >= 500) return new ExchangeError('transient', `${what}: upstream error (HTTP ${status})`, { status, retryAfterMs });
  return new ExchangeError('upstream', `${what}: refused (HTTP ${status})`, { status });
}

export function createHttpClient(opts: Partial<HttpOptions> = {}): HttpClient {
  const o = { ...defaultHttpOptions, ...opts };
  const get = outboundFetch({ urlPolicy: o.urlPolicy, maxRedirects: o.maxRedirects });

  async function attempt(req: HttpRequest): Promise<HttpResponse> {
    const deadline = AbortSignal.timeout(o.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
    let res: OutboundResponse;
    try {
      res = await get(req.url, {
        method: req.method ?? 'GET',
        headers: { 'user-agent': o.userAgent ?? 'hma-stream', ...req.headers },
        body: req.body,
        signal,
      });
      if (res.ok || req.accept?.includes(res.status)) {
        return { status: res.status, headers: res.headers, text: await readCapped(res, o.maxBodyBytes, req.what) };
      }
      await discard(res);
    } catch (err) {
      if (err instanceof ExchangeError) throw err;
      if (req.signal?.aborted) throw req.signal.reason ?? err;
      // The URL, a redirect target, or (through the guarded DNS lookup) the address a host name resolved to was refused.
      const refused = refusal(req.what, err) ?? refusal(req.what, (err as { cause?: unknown }).cause);
      if (refused) throw refused;
      if (err instanceof OutboundError) throw new ExchangeError('upstream', `${req.what}: ${err.message}`);
      if (deadline.aborted) throw new ExchangeError('transient', `${req.what}: timed out after ${o.timeoutMs} ms`);
      const code = errnoOf(err);
      // Any network failure, named by its code only: its message may carry the URL.
      if (isTransientNetworkError(err) || err instanceof TypeError || code !== '') {
        throw new ExchangeError('transient', `${req.what}: connection failed${code ? ` (${code})` : ''}`);
      }
      throw new ExchangeError('transient', `${req.what}: ${(err as Error).message}`);
    }
    throw statusError(req.what, res.status, parseRetryAfter(res.headers.get('retry-after'), Date.now()));
  }

  return {
    async request(req) {
      const method = req.method ?? 'GET';
      const retries = (req.retry ?? (method === 'GET' || method === 'HEAD')) ? o.retries : 0;
      for (let n = 0; ; n++) {
        try {
          return await attempt(req);
        } catch (err) {
          if (!(err instanceof ExchangeError) || !err.retryable || n >= retries) throw err;
          const backoff = backoffDelayMs({ baseMs: o.backoffMs, capMs: Infinity, jitter: 'full' }, n + 1);
          const wait = err.retryAfterMs ?? backoff;
          if (wait > o.maxInlineWaitMs) throw err;
          await sleep(wait, req.signal);
        }
      }
    },
  };
}
