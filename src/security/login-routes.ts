/**
 * The UI's login: a token typed into /ui/login opens a server-side session whose id
 * goes in an HTTP-only, SameSite=Strict cookie; /ui/logout ends it. The UI needs the
 * curate scope (admin for the /dev buttons).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import formbody from '@fastify/formbody';
import { Eta } from 'eta';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../config/config.js';
import type { Db } from '../curation/db.js';
import { log } from '../observability/logger.js';
import type { Authenticator } from './authenticator.js';
import { principalOf } from './auth-plugin.js';
import { grants } from './scopes.js';
import { closeSession, openSession, SESSION_COOKIE } from './sessions.js';

const eta = new Eta({ views: path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates'), cache: true });

/** Only back into the UI: never an open redirect to another site. */
export const safeNext = (next: unknown): string =>
  typeof next === 'string' && /^\/ui\/[^\\]*$/.test(next) && !next.startsWith('//') ? next : '/ui/';

export interface LoginDeps {
  readonly db: Db;
  readonly config: Pick<Config, 'PRODUCTION' | 'UI_SESSION_HOURS' | 'UI_COOKIE_SECURE'>;
  /** undefined = AUTH=none: there is nothing to log in to. */
  readonly authenticator: Authenticator | undefined;
}

export function loginRoutes(deps: LoginDeps) {
  const { config } = deps;
  const secure = config.UI_COOKIE_SECURE === '' ? config.PRODUCTION : config.UI_COOKIE_SECURE;
  const logger = log('auth');
  const page = (reply: FastifyReply, status: number, next: string, error?: string) =>
    reply
      .status(status)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(eta.render('login', { next, error, hours: config.UI_SESSION_HOURS }));

  return async (app: FastifyInstance) => {
    await app.register(formbody, { bodyLimit: 8 * 1024 });
    const auth = deps.authenticator;

    app.get<{ Querystring: { next?: string } }>('/ui/login', { schema: { hide: true } }, async (req, reply) => {
      const next = safeNext(req.query.next);
      if (!auth) return reply.redirect(next, 303);
      return page(reply, 200, next);
    });

    app.post<{ Body: { token?: unknown; next?: unknown } }>('/ui/login', { schema: { hide: true }, bodyLimit: 8 * 1024 }, async (req, reply) => {
      const next = safeNext(req.body?.next);
      if (!auth) return reply.redirect(next, 303);
      const secret = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
      const token = secret ? await auth.bearer(secret) : undefined;
      if (!token) return page(reply, 401, next, 'That token is not valid: unknown, revoked or expired.');
      if (!grants(token.scopes, 'curate')) return page(reply, 403, next, 'That token cannot use the UI: it needs the curate or admin scope.');
      const sid = await openSession(deps.db, token.id, config.UI_SESSION_HOURS);
      reply.setCookie(SESSION_COOKIE, sid, {
        httpOnly: true,
        sameSite: 'strict',
        secure,
        path: '/',
        maxAge: config.UI_SESSION_HOURS * 3600,
      });
      logger.info({ token_id: token.id, token_name: token.name }, 'UI login');
      return reply.redirect(next, 303);
    });

    app.post('/ui/logout', { schema: { hide: true } }, async (req, reply) => {
      const sid = req.cookies[SESSION_COOKIE];
      if (sid !== undefined) {
        await closeSession(deps.db, sid);
        auth?.forget();
      }
      const p = principalOf(req);
      if (p.kind === 'token') logger.info({ token_id: p.tokenId, token_name: p.name }, 'UI logout');
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect(auth ? '/ui/login' : '/ui/', 303);
    });
  };
}
