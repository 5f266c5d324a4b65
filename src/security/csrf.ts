/**
 * CSRF protection for what a browser sends on its own: UI forms and ui.js calls, which
 * authenticate with the session cookie. Two layers:
 * - a synchronizer token, derived from the session id (HMAC), that every
 *   state-changing request must carry in a `_csrf` form field, an `x-csrf-token` header
 *   or (for multipart forms, whose fields are read only by the handler) a `_csrf` query
 *   parameter; a page from another site cannot read it;
 * - a refusal of requests the browser marks as coming from another site (Sec-Fetch-Site,
 *   or Origin for browsers without it), which also guards AUTH=none deployments.
 * Bearer-token requests need neither: browsers never attach those by themselves.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export const csrfTokenFor = (sessionId: string): string => createHmac('sha256', sessionId).update('hma-csrf-v1').digest('base64url');

export function csrfMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

const firstString = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);

/** The CSRF token a request carries, wherever it put it. */
export function presentedCsrf(req: FastifyRequest): string | undefined {
  const header = firstString(req.headers[CSRF_HEADER]);
  if (header !== undefined) return header;
  const body = req.body;
  if (typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) {
    const field = firstString((body as Record<string, unknown>)[CSRF_FIELD]);
    if (field !== undefined) return field;
  }
  return firstString((req.query as Record<string, unknown> | undefined)?.[CSRF_FIELD]);
}

export const unsafeMethod = (method: string): boolean => !['GET', 'HEAD', 'OPTIONS'].includes(method);

/** The browser says this request was made by a page of another site. */
export function fromAnotherSite(req: FastifyRequest): boolean {
  const site = firstString(req.headers['sec-fetch-site']);
  if (site !== undefined) return site === 'cross-site' || site === 'same-site';
  const origin = firstString(req.headers.origin);
  if (origin === undefined) return false;
  if (origin === 'null') return true;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

/** What templates put in forms: a hidden field (urlencoded forms) and a query string (multipart forms). Empty without a UI login. */
export function csrfFormParts(token: string): { csrf: string; csrfField: string; csrfQuery: string } {
  if (token === '') return { csrf: '', csrfField: '', csrfQuery: '' };
  // base64url only: nothing to escape.
  return { csrf: token, csrfField: `<input type="hidden" name="${CSRF_FIELD}" value="${token}">`, csrfQuery: `?${CSRF_FIELD}=${token}` };
}
