/**
 * The URL policy of exchange HTTP clients: the media fetcher's SSRF protection
 * (private, loopback, link-local and metadata addresses refused; loopback allowed in
 * development mode), without its hostname allowlist (that one is for media). Hosts named
 * in EXCHANGE_BASE_URLS are exempt: the operator, not a curator, chose them (test
 * servers, an internal proxy).
 */
import type { Config } from '../config/config.js';
import { urlPolicyFrom } from '../net/policy-from-config.js';
import type { UrlPolicy } from '../net/url-policy.js';
import { baseUrlMap } from './session.js';

export function exchangeUrlPolicy(config: Config): UrlPolicy {
  const media = urlPolicyFrom(config);
  const operatorHosts = [...baseUrlMap(config.EXCHANGE_BASE_URLS).values()].map((u) => new URL(u).hostname.replace(/^\[|\]$/g, ''));
  return { ...media, allowedHostnames: [], privateHostsAllowed: [...media.privateHostsAllowed, ...operatorHosts] };
}
