/**
 * Fetches media over http(s) with SSRF protection, size limits and a deadline, through the
 * one outbound HTTP path (src/net/outbound.ts), with failures as HMA words them
 * ("Failed to fetch URL: …"), split into permanent and transient.
 */
import type { Config } from '../config/config.js';
import { HmaError, isHmaError } from '../errors/errors.js';
import { discard, isTransientNetworkError, isTransientStatus, OutboundError, outboundFetch, readCapped, rootCause, type OutboundFetch } from '../net/outbound.js';
import type { UrlPolicy } from '../net/url-policy.js';

export interface FetchLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
}

export function fetchLimitsFrom(config: Config): FetchLimits {
  return {
    maxBytes: config.MAX_MEDIA_BYTES,
    timeoutMs: config.MEDIA_FETCH_TIMEOUT_MS,
    maxRedirects: config.MEDIA_MAX_REDIRECTS,
  };
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

function classify(err: unknown, signal: AbortSignal): HmaError {
  if (isHmaError(err)) return err;
  const cause = rootCause(err);
  // The guarded DNS lookup refused the address a host name resolved to.
  if (isHmaError(cause)) return cause;
  if (err instanceof OutboundError) return err.failure.kind === 'too_large' ? tooLarge() : failed(err.message);
  if (signal.aborted) return transient('timed out');
  const message = cause instanceof Error ? cause.message : String(cause);
  return isTransientNetworkError(err) ? transient(message) : failed(message);
}

/** One guarded connection pool per policy and redirect limit: they come from config, so there are a handful. */
const fetchers = new Map<string, OutboundFetch>();
function fetcherFor(policy: UrlPolicy, maxRedirects: number): OutboundFetch {
  const key = JSON.stringify([policy.allowedHostnames, policy.privateHostsAllowed, policy.allowLoopback, maxRedirects]);
  let fetcher = fetchers.get(key);
  if (!fetcher) {
    fetcher = outboundFetch({ urlPolicy: policy, maxRedirects });
    fetchers.set(key, fetcher);
  }
  return fetcher;
}

export async function fetchMedia(raw: string, policy: UrlPolicy, limits: FetchLimits): Promise<FetchedMedia> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    const res = await fetcherFor(policy, limits.maxRedirects)(raw, {
      headers: { 'user-agent': 'hma-stream' },
      signal,
    });
    if (!res.ok) {
      await discard(res);
      const detail = `${res.status} ${res.statusText}`.trim();
      throw isTransientStatus(res.status) ? transient(detail) : failed(detail);
    }
    const bytes = await readCapped(res, limits.maxBytes);
    const contentType = res.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() || undefined;
    return { bytes, contentType, finalUrl: res.url };
  } catch (err) {
    throw classify(err, signal);
  }
}
