/** Builds the media fetching policy and limits from the process config. */
import type { Config } from '../config/config.js';
import type { FetchLimits } from './fetch.js';
import type { UrlPolicy } from '../net/url-policy.js';

export function urlPolicyFrom(config: Config): UrlPolicy {
  return {
    allowedHostnames: config.URL_ALLOWED_HOSTNAMES,
    privateHostsAllowed: config.URL_ALLOWED_PRIVATE_HOSTS,
    // Development mode lets people try it on files served from their own machine.
    allowLoopback: config.URL_ALLOW_LOOPBACK === '' ? !config.PRODUCTION : config.URL_ALLOW_LOOPBACK,
  };
}

export function fetchLimitsFrom(config: Config): FetchLimits {
  return {
    maxBytes: config.MAX_MEDIA_BYTES,
    timeoutMs: config.MEDIA_FETCH_TIMEOUT_MS,
    maxRedirects: config.MEDIA_MAX_REDIRECTS,
  };
}
