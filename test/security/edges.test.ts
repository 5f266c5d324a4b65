/**
 * The security plugins on small apps of their own: /metrics access,
 * rate limiting per token (429 with Retry-After), and AUTH=none.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/runtime/app.js';
import { loadConfig } from '../../src/config/config.js';
import { apiSecurity, authMode } from '../../src/security/api-security.js';
import { rateLimitOf } from '../../src/security/rate-limit.js';
import { createToken } from '../../src/security/token-store.js';
import { scratchDb, type ScratchDb } from '../support/scratch-db.js';

let db: ScratchDb;
beforeAll(async () => {
  db = await scratchDb('edges');
});
afterAll(() => db?.drop());

async function appWith(env: Record<string, string>, extra: Array<(app: FastifyInstance) => Promise<void>> = []): Promise<FastifyInstance> {
  const config = loadConfig({ ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', ROLE_CURATOR: 'false', UI_ENABLED: 'false', ...env });
  const ping = async (app: FastifyInstance) => {
    app.get('/c/ping', async () => ({ ok: true }));
  };
  const app = await buildApp({ config, plugins: [...apiSecurity(config, db.pool).plugins, ping, ...extra] });
  await app.ready();
  return app;
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const token = async (name: string, scopes: Array<'hash' | 'match' | 'curate' | 'admin'>) => (await createToken(db.pool, { name, scopes })).token;

describe('AUTH', () => {
  it('defaults to token in production and to none in development mode; an explicit value wins', () => {
    expect(authMode(loadConfig({}))).toBe('token');
    expect(authMode(loadConfig({ PRODUCTION: 'false' }))).toBe('none');
    expect(authMode(loadConfig({ PRODUCTION: 'false', AUTH: 'token' }))).toBe('token');
    expect(authMode(loadConfig({ AUTH: 'none' }))).toBe('none');
    expect(() => loadConfig({ AUTH: 'maybe' })).toThrow(/AUTH/);
  });

  it('none opens every route (a gateway in front decides)', async () => {
    const app = await appWith({ AUTH: 'none' });
    expect((await app.inject({ url: '/c/ping' })).statusCode).toBe(200);
    await app.close();
  });
});

describe('/metrics', () => {
  it('is open by default, and needs a token (any scope) with METRICS_AUTH=true', async () => {
    const open = await appWith({ AUTH: 'token' });
    expect((await open.inject({ url: '/metrics' })).statusCode).toBe(200);
    await open.close();
    const closed = await appWith({ AUTH: 'token', METRICS_AUTH: 'true' });
    expect((await closed.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect((await closed.inject({ url: '/metrics', headers: bearer(await token('prometheus', ['match'])) })).statusCode).toBe(200);
    expect((await closed.inject({ url: '/status' })).statusCode).toBe(200);
    await closed.close();
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After once a token used its requests, per token; probes are never limited', async () => {
    const app = await appWith({ AUTH: 'token', RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
    const a = bearer(await token('rl-a', ['curate']));
    const b = bearer(await token('rl-b', ['curate']));
    for (let i = 0; i < 3; i++) expect((await app.inject({ url: '/c/ping', headers: a })).statusCode).toBe(200);
    const limited = await app.inject({ url: '/c/ping', headers: a });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.json().message).toMatch(/^rate limit exceeded: 3 requests per 60 s/);
    expect((await app.inject({ url: '/c/ping', headers: b })).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/status' })).statusCode).toBe(200);
    await app.close();
  });

  it('limits anonymous clients by address (AUTH=none)', async () => {
    const app = await appWith({ AUTH: 'none', RATE_LIMIT_MAX: '2' });
    const from = (ip: string) => app.inject({ url: '/c/ping', remoteAddress: ip });
    expect((await from('10.0.0.1')).statusCode).toBe(200);
    expect((await from('10.0.0.1')).statusCode).toBe(200);
    expect((await from('10.0.0.1')).statusCode).toBe(429);
    expect((await from('10.0.0.2')).statusCode).toBe(200);
    await app.close();
  });

  it('defaults to 6000 per window with tokens and to no limit with AUTH=none', () => {
    expect(rateLimitOf(loadConfig({ AUTH: 'token' }), 'token')).toBe(6000);
    expect(rateLimitOf(loadConfig({ AUTH: 'none' }), 'none')).toBe(0);
    expect(rateLimitOf(loadConfig({ AUTH: 'none', RATE_LIMIT_MAX: '50' }), 'none')).toBe(50);
  });

  it('is off with RATE_LIMIT_MAX=0', async () => {
    const app = await appWith({ AUTH: 'token', RATE_LIMIT_MAX: '0' });
    const t = bearer(await token('rl-off', ['curate']));
    for (let i = 0; i < 20; i++) expect((await app.inject({ url: '/c/ping', headers: t })).statusCode).toBe(200);
    await app.close();
  });
});
