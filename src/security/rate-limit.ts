/**
 * Rate limiting per token (per client address for anonymous requests), with
 * @fastify/rate-limit: 429 with Retry-After. Runs after authentication (its hooks are
 * route-level, the auth hook is at the root), so the key is the token, wherever the
 * token is used from. Counters are per process (see docs/SECURITY.md).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/config.js';
import { HmaError } from '../errors/errors.js';
import { principalOf } from './auth-plugin.js';

/** Orchestrator probes, Prometheus and the UI's static files are never limited. */
const unlimited = (route: string | undefined) =>
  route === '/status' || route === '/status/live' || route === '/metrics' || (route?.startsWith('/ui/static') ?? false);

export function rateLimitKey(req: FastifyRequest): string {
  const p = principalOf(req);
  return p.kind === 'token' ? `token:${p.tokenId}` : `ip:${req.ip}`;
}

export const DEFAULT_RATE_LIMIT = 6000;

/** RATE_LIMIT_MAX as set; unset, the default with tokens and none without (a gateway in front would share one address). */
export const rateLimitOf = (config: Pick<Config, 'RATE_LIMIT_MAX'>, auth: 'token' | 'none'): number =>
  config.RATE_LIMIT_MAX !== '' ? config.RATE_LIMIT_MAX : auth === 'token' ? DEFAULT_RATE_LIMIT : 0;

export function rateLimits(config: Pick<Config, 'RATE_LIMIT_MAX' | 'RATE_LIMIT_WINDOW_SECONDS'>, auth: 'token' | 'none') {
  const max = rateLimitOf(config, auth);
  return fp(
    async (app: FastifyInstance) => {
      if (max === 0) return;
      await app.register(rateLimit, {
        global: true,
        max,
        timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
        keyGenerator: rateLimitKey,
        allowList: (req) => unlimited(req.routeOptions.url),
        errorResponseBuilder: (_req, ctx) =>
          new HmaError('rate_limited', `rate limit exceeded: ${max} requests per ${config.RATE_LIMIT_WINDOW_SECONDS} s; retry in ${ctx.after}`),
      });
    },
    { name: 'hma-rate-limit' },
  );
}
