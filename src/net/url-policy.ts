/**
 * Which URLs outbound HTTP may reach. Pure: src/net/outbound.ts asks it about the URL
 * before connecting, about every redirect target, and about the address each
 * host name actually resolved to (so DNS tricks and redirects cannot reach
 * private networks).
 */
import ipaddr from 'ipaddr.js';
import { HmaError } from '../errors/errors.js';

export interface UrlPolicy {
  /** Hostnames (and their subdomains) allowed; empty = any host. */
  readonly allowedHostnames: readonly string[];
  /** Hosts that may resolve to private/loopback addresses (e.g. an internal media CDN). */
  readonly privateHostsAllowed: readonly string[];
  /** Loopback (127.0.0.0/8, ::1) allowed, as in development mode. */
  readonly allowLoopback: boolean;
}

const refused = (why: string) => new HmaError('url_refused', `Invalid or unsafe URL provided: ${why}`);

function hostMatches(host: string, entries: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return entries.some((e) => {
    const entry = e.toLowerCase().replace(/\.$/, '');
    return h === entry || h.endsWith(`.${entry}`);
  });
}

/** Checks scheme, host, port and the hostname allowlist. Returns the parsed URL. */
export function checkUrl(raw: string, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused('not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refused(`scheme '${url.protocol.replace(':', '')}' is not http or https`);
  if (url.hostname === '') throw refused('no host');
  if (url.username !== '' || url.password !== '') throw refused('credentials in URLs are not allowed');
  if (policy.allowedHostnames.length > 0 && !hostMatches(url.hostname, policy.allowedHostnames)) {
    throw refused(`host '${url.hostname}' is not in the allowed host list`);
  }
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(literal)) checkAddress(url.hostname, literal, policy);
  return url;
}

/** Address ranges that are never public: what SSRF protection keeps media fetching away from. */
const blockedRanges = new Set([
  'unspecified', 'broadcast', 'multicast', 'linkLocal', 'loopback', 'private', 'reserved',
  'carrierGradeNat', 'uniqueLocal', 'ipv4Mapped', 'rfc6145', 'rfc6052', '6to4', 'teredo',
  'benchmarking', 'amt', 'as112', 'as112v6', 'deprecated', 'orchid2', 'droneRemoteIdProtocolEntityTags',
]);

/** Checks the address a host resolved to (or a literal IP host). */
export function checkAddress(host: string, address: string, policy: UrlPolicy): void {
  let addr = ipaddr.parse(address);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  }
  const range = addr.range();
  if (!blockedRanges.has(range)) return;
  if (range === 'loopback' && policy.allowLoopback) return;
  if (hostMatches(host, policy.privateHostsAllowed)) return;
  throw refused(`host '${host}' resolves to a ${range} address (${addr.toString()})`);
}
