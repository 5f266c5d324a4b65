/**
 * Scopes a token can hold and which one each route group needs. Pure: the auth hook
 * asks `accessFor` with the route's URL pattern, so a new route group is refused to
 * everyone but admins until it is given a scope here (fail closed).
 */
import { invalidInput } from '../errors/errors.js';

export const SCOPES = ['hash', 'match', 'curate', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

/** A comma-separated scope list, de-duplicated; unknown names are refused. */
export function parseScopes(raw: string): Scope[] {
  const names = raw.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0);
  if (names.length === 0) throw invalidInput(`at least one scope is required (${SCOPES.join(', ')})`);
  const unknown = names.filter((s) => !isScope(s));
  if (unknown.length > 0) throw invalidInput(`unknown scope '${unknown[0]}' (scopes: ${SCOPES.join(', ')})`);
  return SCOPES.filter((s) => names.includes(s));
}

/** admin holds every scope. */
export const grants = (held: readonly Scope[], needed: Scope | 'any'): boolean =>
  needed === 'any' || held.includes('admin') || held.includes(needed);

export type Access =
  | { readonly kind: 'open' }
  /** `browser`: a UI login (session cookie, with CSRF checks) is accepted besides a bearer token. */
  | { readonly kind: 'scope'; readonly scope: Scope | 'any'; readonly browser: boolean };

const OPEN: Access = { kind: 'open' };
const need = (scope: Scope | 'any', browser = false): Access => ({ kind: 'scope', scope, browser });

const under = (route: string, prefix: string) => route === prefix || route.startsWith(`${prefix}/`);

/**
 * What a route needs, by its URL pattern (`/c/bank/:bank_name`, not the request path).
 * Probes, the site map and the OpenAPI document stay open; /metrics is open unless
 * `metricsAuth`.
 */
export function accessFor(route: string, opts: { readonly metricsAuth: boolean }): Access {
  if (route === '/' || route === '/status' || route === '/status/live' || route === '/site-map') return OPEN;
  if (route === '/metrics') return opts.metricsAuth ? need('any') : OPEN;
  if (under(route, '/openapi')) return OPEN;
  if (route === '/ui/login' || under(route, '/ui/static')) return OPEN;
  if (route === '/ui/logout') return need('any', true);
  if (under(route, '/ui')) return need('curate', true);
  if (under(route, '/dev')) return need('admin', true);
  if (under(route, '/h')) return need('hash');
  if (under(route, '/m')) return need('match');
  // Submitting content to the pipeline is hashing (and matching) by another road.
  if (under(route, '/v1/content')) return need('hash');
  if (under(route, '/c/audit')) return need('admin');
  if (under(route, '/c')) return need('curate');
  return need('admin');
}
