/**
 * Authentication and authorization of the API process as `hma api` composes it
 * (AUTH=token): every route group with no token, an unknown token, a token of another
 * scope and the right one; the open routes; the UI login with its cookie and CSRF
 * checks; security headers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/security/scopes.js';
import { createToken, revokeToken } from '../../src/security/token-store.js';
import { newToken } from '../../src/security/tokens.js';
import { sessionCookie, startSecuredApi, type SecuredApi } from './support.js';

let api: SecuredApi;
const secret: Partial<Record<Scope, string>> = {};
const tokenOf = (s: Scope) => secret[s]!;

beforeAll(async () => {
  // Development mode for the /dev group, with AUTH=token set explicitly (the development default is none).
  api = await startSecuredApi('auth', { PRODUCTION: 'false' });
  for (const s of ['hash', 'match', 'curate', 'admin'] as const) secret[s] = (await api.token(`t-${s}`, [s])).secret;
});
afterAll(() => api?.stop());

const through = (r: LightMyRequestResponse) => r.statusCode !== 401 && r.statusCode !== 403;

const groups: ReadonlyArray<{ group: string; scope: Scope; other: Scope; req: InjectOptions }> = [
  { group: '/h', scope: 'hash', other: 'match', req: { url: '/h/hash?url=ftp://example.com/x.jpg' } },
  { group: '/v1/content', scope: 'hash', other: 'match', req: { method: 'POST', url: '/v1/content', payload: { url: 'ftp://example.com/x.jpg' } } },
  { group: '/m', scope: 'match', other: 'hash', req: { url: '/m/index/status' } },
  { group: '/c', scope: 'curate', other: 'match', req: { url: '/c/banks' } },
  { group: '/c (write)', scope: 'curate', other: 'hash', req: { method: 'POST', url: '/c/banks', payload: { name: 'not a valid name!' } } },
  { group: '/c/audit', scope: 'admin', other: 'curate', req: { url: '/c/audit' } },
  { group: '/ui', scope: 'curate', other: 'match', req: { url: '/ui/banks', headers: { accept: 'application/json' } } },
  { group: '/dev', scope: 'admin', other: 'curate', req: { url: '/dev/seed_banks' } },
];

describe.each(groups)('$group', ({ scope, other, req }) => {
  it('refuses a request without a token: 401, WWW-Authenticate: Bearer, JSON message', async () => {
    const r = await api.as(undefined, req);
    expect(r.statusCode).toBe(401);
    expect(r.headers['www-authenticate']).toMatch(/^Bearer realm="hma"/);
    expect(r.json().message).toMatch(/authentication required/);
  });

  it('refuses an unknown, a malformed and a non-bearer credential: 401', async () => {
    for (const headers of [{ authorization: `Bearer ${newToken()}` }, { authorization: 'Bearer nope' }, { authorization: 'Basic dTpw' }]) {
      const r = await api.app.inject({ ...req, headers: { ...req.headers, ...headers } });
      expect(r.statusCode, JSON.stringify(headers)).toBe(401);
      expect(r.headers['www-authenticate']).toContain('error="invalid_token"');
    }
  });

  it(`refuses a token without the '${scope}' scope: 403 naming the scope`, async () => {
    const r = await api.as(tokenOf(other), req);
    expect(r.statusCode).toBe(403);
    expect(r.json().message).toContain(`'${scope}'`);
  });

  it(`lets a '${scope}' token and an admin token through`, async () => {
    for (const s of [scope, 'admin'] as const) {
      const r = await api.as(tokenOf(s), req);
      expect(through(r), `${s}: ${r.statusCode} ${r.body.slice(0, 200)}`).toBe(true);
    }
  });
});

describe('open routes and other credentials', () => {
  it('serves probes, metrics, the site map, the OpenAPI document and the login page without a token', async () => {
    for (const url of ['/status', '/status/live', '/metrics', '/site-map', '/openapi/openapi.json', '/ui/login', '/ui/static/ui.css']) {
      expect((await api.app.inject({ url })).statusCode, url).toBe(200);
    }
  });

  it('answers 404, not 401, for a route that does not exist', async () => {
    expect((await api.app.inject({ url: '/c/nothing/here' })).statusCode).toBe(404);
  });

  it('refuses revoked and expired tokens', async () => {
    const revoked = await api.token('to-revoke', ['curate']);
    expect((await revokeToken(api.stack.db.pool, 'to-revoke'))?.id).toBe(revoked.id);
    expect((await api.as(revoked.secret, { url: '/c/banks' })).statusCode).toBe(401);
    const expired = await createToken(api.stack.db.pool, { name: 'expired', scopes: ['curate'], expiresAt: new Date(Date.now() - 1000) });
    expect((await api.as(expired.token, { url: '/c/banks' })).statusCode).toBe(401);
  });

  it('needs no CSRF token from bearer clients', async () => {
    const r = await api.as(tokenOf('curate'), { method: 'POST', url: '/c/banks', payload: { name: 'BEARER_BANK' } });
    expect(r.statusCode).toBe(201);
  });

  it('refuses request bodies over MAX_REQUEST_BYTES with 413', async () => {
    const r = await api.as(tokenOf('curate'), { method: 'POST', url: '/c/banks', payload: { name: 'BIG', labels: ['x'.repeat(api.stack.config.MAX_REQUEST_BYTES)] } });
    expect(r.statusCode).toBe(413);
    expect(r.json().message).not.toMatch(/\bat .*\.ts:\d+/);
  });
});

describe('security headers', () => {
  it('gives UI pages a strict Content-Security-Policy and the usual hardening headers', async () => {
    const r = await api.as(tokenOf('curate'), { url: '/ui/banks' });
    expect(r.statusCode).toBe(200);
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['strict-transport-security']).toContain('max-age=');
  });

  it('lets Swagger UI have inline styles, but still only its own scripts', async () => {
    const csp = String((await api.app.inject({ url: '/openapi/swagger' })).headers['content-security-policy']);
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("script-src 'self';");
  });

  it('has UI templates without inline scripts, event handlers or style attributes (the CSP would block them)', () => {
    const dir = path.resolve(import.meta.dirname, '../../src/api/ui/templates');
    const files = readdirSync(dir).map((f) => path.join(dir, f)).concat(path.resolve(import.meta.dirname, '../../src/security/templates/login.eta'));
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
      expect(text, file).not.toMatch(/\son[a-z]+\s*=/i);
      expect(text, file).not.toMatch(/\sstyle\s*=/i);
      expect(text, file).not.toMatch(/javascript:/i);
    }
  });
});

describe('the UI login', () => {
  const login = (token: string, next = '/ui/banks', headers: Record<string, string> = {}) =>
    api.app.inject({ method: 'POST', url: '/ui/login', payload: new URLSearchParams({ token, next }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  const page = (cookie: string, url: string) => api.app.inject({ url, cookies: { hma_session: cookie }, headers: { accept: 'text/html' } });
  const form = (cookie: string, url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    api.app.inject({ method: 'POST', url, cookies: { hma_session: cookie }, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  const csrfOf = (html: string) => /<meta name="csrf-token" content="([^"]+)">/.exec(html)?.[1] ?? '';

  it('sends a browser without a login to the login page, and back afterwards', async () => {
    const r = await api.app.inject({ url: '/ui/banks?x=1', headers: { accept: 'text/html' } });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe(`/ui/login?next=${encodeURIComponent('/ui/banks?x=1')}`);
    const loginPage = await api.app.inject({ url: r.headers.location as string });
    expect(loginPage.body).toContain('name="next" value="/ui/banks?x=1"');
  });

  it('refuses an invalid token (401) and a token without curate (403); sets an HTTP-only SameSite=Strict cookie otherwise', async () => {
    expect((await login(newToken())).statusCode).toBe(401);
    expect((await login(tokenOf('hash'))).statusCode).toBe(403);
    const ok = await login(tokenOf('curate'));
    expect([ok.statusCode, ok.headers.location]).toEqual([303, '/ui/banks']);
    const c = ok.cookies.find((x) => x.name === 'hma_session')!;
    expect(c).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(c.value).not.toContain(tokenOf('curate'));
  });

  it('never redirects off the UI after login', async () => {
    for (const next of ['https://evil.example/', '//evil.example/', '/c/banks', '/ui\\\\evil.example']) {
      expect((await login(tokenOf('curate'), next)).headers.location, next).toBe('/ui/');
    }
  });

  it('accepts UI forms only with the CSRF token (field, header or query), and refuses cross-site posts', async () => {
    const cookie = sessionCookie(await login(tokenOf('curate')));
    const banks = await page(cookie, '/ui/banks');
    expect(banks.statusCode).toBe(200);
    const csrf = csrfOf(banks.body);
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(banks.body).toContain(`name="_csrf" value="${csrf}"`);

    const missing = await form(cookie, '/ui/create_bank', { bank_name: 'CSRF_NONE' });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('CSRF');
    expect((await form(cookie, '/ui/create_bank', { bank_name: 'CSRF_WRONG', _csrf: csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).statusCode).toBe(403);
    expect((await form(cookie, '/ui/create_bank', { bank_name: 'CSRF_FIELD', _csrf: csrf })).statusCode).toBe(303);
    expect((await form(cookie, '/ui/create_bank', { bank_name: 'CSRF_HEADER' }, { 'x-csrf-token': csrf })).statusCode).toBe(303);

    // Multipart forms carry it in the action's query string.
    const boundary = 'xXx';
    const multipart = (url: string) =>
      api.app.inject({
        method: 'POST',
        url,
        cookies: { hma_session: cookie },
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: ['source', 'signal_type', 'signal_value']
          .map((k, i) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${['hash', 'video_md5', 'd41d8cd98f00b204e9800998ecf8427e'][i]}\r\n`)
          .join('') + `--${boundary}--\r\n`,
      });
    expect((await multipart('/ui/bank/CSRF_FIELD/add')).statusCode).toBe(403);
    expect((await multipart(`/ui/bank/CSRF_FIELD/add?_csrf=${csrf}`)).statusCode).toBe(303);

    expect((await form(cookie, '/ui/create_bank', { bank_name: 'CROSS_SITE', _csrf: csrf }, { 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect((await form(cookie, '/ui/create_bank', { bank_name: 'OTHER_ORIGIN', _csrf: csrf }, { origin: 'https://evil.example' })).statusCode).toBe(403);
    const names = (await api.as(tokenOf('curate'), { url: '/c/banks' })).json().map((b: { name: string }) => b.name);
    expect(names).toEqual(expect.arrayContaining(['CSRF_FIELD', 'CSRF_HEADER']));
    expect(names).not.toEqual(expect.arrayContaining(['CSRF_NONE']));
    for (const refused of ['CSRF_NONE', 'CSRF_WRONG', 'CROSS_SITE', 'OTHER_ORIGIN']) expect(names).not.toContain(refused);
  });

  it('needs an admin login for the /dev buttons', async () => {
    const curate = sessionCookie(await login(tokenOf('curate')));
    const curateCsrf = csrfOf((await page(curate, '/ui/')).body);
    expect((await form(curate, '/dev/run_fetch', { _csrf: curateCsrf })).statusCode).toBe(403);
    const admin = sessionCookie(await login(tokenOf('admin')));
    const adminCsrf = csrfOf((await page(admin, '/ui/')).body);
    expect((await form(admin, '/dev/run_fetch', {})).statusCode).toBe(403);
    expect((await form(admin, '/dev/run_fetch', { _csrf: adminCsrf })).statusCode).toBe(302);
  });

  it('ends the session at logout and when its token is revoked', async () => {
    const cookie = sessionCookie(await login(tokenOf('curate')));
    const csrf = csrfOf((await page(cookie, '/ui/banks')).body);
    const out = await form(cookie, '/ui/logout', { _csrf: csrf });
    expect([out.statusCode, out.headers.location]).toEqual([303, '/ui/login']);
    expect((await page(cookie, '/ui/banks')).statusCode).toBe(303);

    const t = await api.token('ui-revoked', ['curate']);
    const other = sessionCookie(await login(t.secret));
    await revokeToken(api.stack.db.pool, String(t.id));
    expect((await page(other, '/ui/banks')).statusCode).toBe(303);
  });

  it('is accepted only on the UI and /dev, not on the JSON API', async () => {
    const cookie = sessionCookie(await login(tokenOf('curate')));
    expect((await api.app.inject({ url: '/c/banks', cookies: { hma_session: cookie } })).statusCode).toBe(401);
  });
});
