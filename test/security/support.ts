/** An API process with authentication on (AUTH=token), on a private slice of the real stack, and tokens for it. */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApi } from '../../src/processes/api.js';
import { Runtime } from '../../src/processes/runtime.js';
import type { Scope } from '../../src/security/scopes.js';
import { createToken } from '../../src/security/token-store.js';
import { scratchStack, type Stack } from '../support/stack.js';

export interface SecuredApi {
  readonly stack: Stack;
  readonly runtime: Runtime;
  readonly app: FastifyInstance;
  /** A new token with these scopes (its secret). */
  token(name: string, scopes: readonly Scope[]): Promise<{ secret: string; id: number }>;
  /** app.inject with a bearer token (none when undefined). */
  as(secret: string | undefined, opts: InjectOptions): Promise<LightMyRequestResponse>;
  stop(): Promise<void>;
}

export async function startSecuredApi(label: string, overrides: Record<string, string> = {}): Promise<SecuredApi> {
  const stack = await scratchStack(label, { AUTH: 'token', ...overrides });
  const runtime = new Runtime(stack.config, `${label}-test`);
  const app = (await buildApi(runtime)).app;
  await app.ready();
  if (stack.config.ROLE_MATCHER) {
    for (let i = 0; (await app.inject({ url: '/status' })).statusCode !== 200; i++) {
      if (i === 300) throw new Error('API never became ready');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    stack,
    runtime,
    app,
    async token(name, scopes) {
      const { token, info } = await createToken(stack.db.pool, { name, scopes });
      return { secret: token, id: info.id };
    },
    as: (secret, opts) =>
      app.inject({ ...opts, headers: { ...(secret === undefined ? {} : { authorization: `Bearer ${secret}` }), ...(opts.headers ?? {}) } }),
    async stop() {
      await runtime.stop();
      await stack.drop();
    },
  };
}

/** The session cookie a successful UI login set. */
export function sessionCookie(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === 'hma_session');
  if (!c) throw new Error(`no session cookie (status ${res.statusCode})`);
  return c.value;
}
