/** An API process with authentication on (AUTH=token), on a private slice of the real stack, and tokens for it. */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Scope } from '../../src/security/scopes.js';
import { createToken } from '../../src/security/token-store.js';
import { startTestApi, type TestApi } from '../ui/support/api.js';

export interface SecuredApi extends TestApi {
  /** A new token with these scopes (its secret). */
  token(name: string, scopes: readonly Scope[]): Promise<{ secret: string; id: number }>;
  /** app.inject with a bearer token (none when undefined). */
  as(secret: string | undefined, opts: InjectOptions): Promise<LightMyRequestResponse>;
}

export async function startSecuredApi(label: string, overrides: Record<string, string> = {}): Promise<SecuredApi> {
  const api = await startTestApi(label, { AUTH: 'token', ...overrides });
  return {
    ...api,
    async token(name, scopes) {
      const { token, info } = await createToken(api.stack.db.pool, { name, scopes });
      return { secret: token, id: info.id };
    },
    as: (secret, opts) =>
      api.app.inject({ ...opts, headers: { ...(secret === undefined ? {} : { authorization: `Bearer ${secret}` }), ...opts.headers } }),
  };
}

/** The session cookie a successful UI login set. */
export function sessionCookie(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === 'hma_session');
  if (!c) throw new Error(`no session cookie (status ${res.statusCode})`);
  return c.value;
}
