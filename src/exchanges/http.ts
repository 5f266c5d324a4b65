/**
 * HTTP for exchange clients: Node's fetch with a deadline per attempt, a size cap,
 * bounded in-line retries of idempotent requests on 429/5xx/network errors, and every
 * failure turned into a typed ExchangeError. Messages name the call, never the full
 * URL: some APIs carry credentials in the query string.
 *
 * With a URL policy (the media fetcher's SSRF protection, src/media/url-policy.ts) every
 * URL, every redirect target and every address a host name resolves to is checked, as
 * curators can point exchanges at URLs of their choosing (remote_file, base_url_override).
 */
import { Agent, fetch as undiciFetch } from 'undici';
import { isHmaError } from '../errors/errors.js';
import { backoffDelayMs, sleep } from '../retry/backoff.js';
import { guardedLookup } from '../media/fetch.js';
import { checkUrl, type UrlPolicy } from '../media/url-policy.js';
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
  /** Redirects followed at most when a URL policy is set (each one checked). */
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

type Fetch = (url: string, init: RequestInit, what: string) => Promise<Response>;

/** A URL refused by the policy, as this client's error (not worth a retry). */
const refusal = (what: string, err: unknown): ExchangeError | undefined =>
  isHmaError(err) && err.code === 'url_refused' ? new ExchangeError('config', `${what}: ${err.message}`) : undefined;

/** Fetch whose sockets only reach addresses the policy allows, following redirects one checked hop at a time. */
function guardedFetch(policy: UrlPolicy, maxRedirects: number): Fetch {
  const dispatcher = new Agent({ connect: { lookup: guardedLookup(policy) } });
  return async (url, init, what) => {
    const check = (u: string) => {
      try {
        return checkUrl(u, policy).toString();
      } catch (err) {
        throw refusal(what, err) ?? err;
      }
    };
    let next = check(url);
    let req = init;
    for (let hop = 0; ; hop++) {
      // undici's own fetch, to pass its dispatcher; its Response is the standard one in all but type.
      const res = (await undiciFetch(next, { ...req, redirect: 'manual', dispatcher } as Parameters<typeof undiciFetch>[1])) as unknown as Response;
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || location === null) return res;
      await res.body?.cancel().catch(() => undefined);
      if (hop >= maxRedirects) throw new ExchangeError('upstream', `${what}: more than ${maxRedirects} redirects`);
      const target = check(new URL(location, next).toString());
      // As fetch's own redirects do: credentials stay with their origin; 303 (and 301/302 after POST) become GET.
      const headers = new URL(target).origin === new URL(next).origin ? req.headers : { 'user-agent': new Headers(req.headers).get('user-agent') ?? 'hma-stream' };
      const toGet = res.status === 303 || ((res.status === 301 || res.status === 302) && req.method === 'POST');
      req = { ...req, headers, ...(toGet ? { method: 'GET', body: undefined } : {}) };
      next = target;
    }
  };
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

const transientErrnos = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

function errnoOf(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  const code = cause?.code ?? (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

async function readCapped(res: Response, max: number, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) throw new ExchangeError('malformed', `${what}: response of ${declared} bytes is over the ${max}-byte limit`);
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += chunk.byteLength;
    if (total > max) throw new ExchangeError('malformed', `${what}: response is over the ${max}-byte limit`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
  const get: Fetch = o.urlPolicy ? guardedFetch(o.urlPolicy, o.maxRedirects) : (url, init) => fetch(url, init);

  async function attempt(req: HttpRequest): Promise<HttpResponse> {
    const deadline = AbortSignal.timeout(o.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
    let res: Response;
    try {
      res = await get(req.url, {
        method: req.method ?? 'GET',
        headers: { 'user-agent': o.userAgent ?? 'hma-stream', ...req.headers },
        body: req.body,
        signal,
        redirect: 'follow',
      }, req.what);
      if (res.ok || req.accept?.includes(res.status)) {
        return { status: res.status, headers: res.headers, text: await readCapped(res, o.maxBodyBytes, req.what) };
      }
      // Drain so the connection can be reused.
      await res.body?.cancel().catch(() => undefined);
    } catch (err) {
      if (err instanceof ExchangeError) throw err;
      if (req.signal?.aborted) throw req.signal.reason ?? err;
      // The guarded DNS lookup refused the address a host name resolved to.
      const refused = refusal(req.what, (err as { cause?: unknown }).cause);
      if (refused) throw refused;
      if (deadline.aborted) throw new ExchangeError('transient', `${req.what}: timed out after ${o.timeoutMs} ms`);
      const code = errnoOf(err);
      if (transientErrnos.has(code) || err instanceof TypeError) {
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
