/**
 * Everything security adds to an API process, for its composition (src/processes/api.ts):
 * root plugins registered before any route group (headers, authentication, rate limits,
 * the UI login), and the audit endpoint of the curator role.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';
import type { Db } from '../curation/db.js';
import { log } from '../observability/logger.js';
import { auditRoutes } from './audit-routes.js';
import { authPlugin } from './auth-plugin.js';
import { Authenticator } from './authenticator.js';
import { securityHeaders } from './headers.js';
import { generatedKeyFile, initProcessKeyring } from './keyring.js';
import { loginRoutes } from './login-routes.js';
import { rateLimits } from './rate-limit.js';

type Plugin = (app: FastifyInstance) => Promise<void>;

/** AUTH as set, else token in production and none in development mode. */
export const authMode = (config: Pick<Config, 'AUTH' | 'PRODUCTION'>): 'token' | 'none' =>
  config.AUTH !== '' ? config.AUTH : config.PRODUCTION ? 'token' : 'none';

export interface ApiSecurity {
  /** Register first, in this order. */
  readonly plugins: readonly Plugin[];
  /** GET /c/audit, for processes with the curator role. */
  readonly audit: Plugin;
}

export function apiSecurity(config: Config, db: Db, opts: { readonly authCacheMs?: number } = {}): ApiSecurity {
  const logger = log('security');
  const mode = authMode(config);
  const authenticator = mode === 'token' ? new Authenticator(db, opts.authCacheMs) : undefined;
  if (!authenticator) {
    logger.warn(
      { port: config.API_PORT, development: !config.PRODUCTION },
      `AUTH=none${config.AUTH === '' ? ' (development mode default)' : ''}: every API route and the UI are open to anyone who can reach this port: use it only behind a gateway that authenticates`,
    );
  }
  if (config.ROLE_CURATOR) {
    // Configured keys are loaded now, so a bad one stops the start; the generated key file waits for first use.
    if (config.SECRETS_KEY.trim() !== '' || config.SECRETS_KEY_FILE.trim() !== '') initProcessKeyring(config);
    else if (config.PRODUCTION) {
      logger.warn(
        { file: generatedKeyFile(config) },
        'no SECRETS_KEY or SECRETS_KEY_FILE: exchange credentials are sealed with a generated key file, which every process reading them (the fetcher) must share',
      );
    }
  }
  const plugins: Plugin[] = [securityHeaders, authPlugin({ authenticator, metricsAuth: config.METRICS_AUTH }), rateLimits(config, mode)];
  if (config.UI_ENABLED) plugins.push(loginRoutes({ db, config, authenticator }));
  return { plugins, audit: auditRoutes(db) };
}
