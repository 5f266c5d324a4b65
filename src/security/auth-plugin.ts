/**
 * Authentication and authorization of every route, at the root of the app: registered
 * before the route groups, so its hooks cover all of them. A route's URL pattern says
 * what it needs (scopes.ts); a request presents a bearer token or, on the UI and /dev, a
 * session cookie. 401 (with WWW-Authenticate) when it presents nothing usable, 403 when
 * its token lacks the scope. Errors are thrown as HmaError so that each route group
 * renders them its own way ({message} JSON, or the UI's error page).
 */
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HmaError } from '../errors/errors.js';
import { log } from '../observability/logger.js';
import { runAs } from '../curation/actor.js';
import type { Authenticator } from './authenticator.js';
import { csrfMatches, csrfTokenFor, fromAnotherSite, presentedCsrf, unsafeMethod } from './csrf.js';
import { actorOf, ANONYMOUS, type Principal } from './principal.js';
import { accessFor, grants, type Scope } from './scopes.js';
import { SESSION_COOKIE } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook for every routed request; null only before it ran (or on a 404). */
    principal: Principal | null;
  }
}

export interface AuthOptions {
  /** undefined = AUTH=none: every route is open (a gateway in front decides). */
  readonly authenticator: Authenticator | undefined;
  readonly metricsAuth: boolean;
}

export const principalOf = (req: FastifyRequest): Principal => req.principal ?? ANONYMOUS;

/** The CSRF token the current UI page's forms must carry ('' when not logged in through the UI). */
export function csrfTokenOf(req: FastifyRequest): string {
  const p = principalOf(req);
  return p.kind === 'token' && p.csrf !== undefined ? p.csrf : '';
}

/** Pages of the UI and /dev, where a browser may act on its own. */
export const browserRoute = (route: string): boolean => /^\/(ui|dev)(\/|$)/.test(route);

function bearerOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(h);
  return m ? m[1] : '';
}

const wantsPage = (req: FastifyRequest) => (req.headers.accept ?? '').includes('text/html');

function unauthenticated(req: FastifyRequest, reply: FastifyReply, browser: boolean, why: string): FastifyReply | never {
  if (browser && wantsPage(req)) {
    // A person at a browser: to the login page, and back here afterwards (GET only).
    const next = req.method === 'GET' ? `?next=${encodeURIComponent(req.url)}` : '';
    return reply.redirect(`/ui/login${next}`, 303);
  }
  reply.header('www-authenticate', why === 'missing' ? 'Bearer realm="hma"' : 'Bearer realm="hma", error="invalid_token"');
  throw new HmaError('unauthenticated', why === 'missing' ? 'authentication required: send Authorization: Bearer <token>' : 'invalid, revoked or expired token');
}

async function authenticate(auth: Authenticator, req: FastifyRequest, browser: boolean): Promise<Principal | 'missing' | 'invalid'> {
  const bearer = bearerOf(req);
  if (bearer !== undefined) {
    const t = await auth.bearer(bearer);
    return t ? { kind: 'token', via: 'bearer', tokenId: t.id, name: t.name, scopes: t.scopes } : 'invalid';
  }
  const sid = browser ? req.cookies[SESSION_COOKIE] : undefined;
  if (sid === undefined) return 'missing';
  const t = await auth.session(sid);
  return t ? { kind: 'token', via: 'session', tokenId: t.id, name: t.name, scopes: t.scopes, csrf: csrfTokenFor(sid) } : 'invalid';
}

const lacks = (scope: Scope | 'any') =>
  new HmaError('forbidden', scope === 'any' ? 'this token may not do that' : `this token lacks the '${scope}' scope this route needs`);

export function authPlugin(opts: AuthOptions) {
  const logger = log('auth');
  return fp(
    async (app: FastifyInstance) => {
      await app.register(cookie);
      app.decorateRequest('principal', null);

      app.addHook('onRequest', async (req, reply) => {
        const route = req.routeOptions.url;
        // Headers only at trace level, credentials redacted by the logger; never the query (it may hold a CSRF token).
        if (logger.isLevelEnabled('trace')) logger.trace({ method: req.method, path: req.url.split('?')[0], headers: req.headers }, 'request');
        // No route, nothing to protect: the 404 says no more than the site map does.
        if (route === undefined) return;
        if (browserRoute(route) && unsafeMethod(req.method) && fromAnotherSite(req)) {
          throw new HmaError('forbidden', 'cross-site request refused');
        }
        const access = accessFor(route, opts);
        if (access.kind === 'open' || !opts.authenticator) {
          req.principal = ANONYMOUS;
          return;
        }
        const who = await authenticate(opts.authenticator, req, access.browser);
        if (who === 'missing' || who === 'invalid') {
          // Refusals at info: a stream of them is someone guessing, or a client with a revoked token.
          if (who === 'invalid') logger.info({ route, ip: req.ip }, 'refused an invalid, revoked or expired credential');
          return unauthenticated(req, reply, access.browser, who);
        }
        if (who.kind === 'token' && !grants(who.scopes, access.scope)) {
          logger.info({ route, ip: req.ip, actor: actorOf(who), needed: access.scope }, 'refused: scope missing');
          throw lacks(access.scope);
        }
        req.principal = who;
      });

      // After body parsing (so a form's _csrf field is readable), just before the handler:
      // the handler runs as the principal, for the audit log.
      app.addHook('preHandler', (req, _reply, done) => {
        const p = principalOf(req);
        if (p.kind === 'token' && p.csrf !== undefined && unsafeMethod(req.method) && !csrfMatches(p.csrf, presentedCsrf(req))) {
          done(new HmaError('forbidden', 'missing or invalid CSRF token: reload the page and try again'));
          return;
        }
        runAs(actorOf(p), done);
      });
    },
    { name: 'hma-auth' },
  );
}
