/** Scopes and route access, secrets sealing, CSRF tokens: the pure parts of security. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { csrfMatches, csrfTokenFor } from '../../src/security/csrf.js';
import { safeNext } from '../../src/security/login-routes.js';
import { actorOf } from '../../src/security/principal.js';
import { accessFor, grants, parseScopes } from '../../src/security/scopes.js';
import { generateKey, isPlaintext, keyIdOf, open, parseKeys, seal, sealedWith } from '../../src/security/secrets.js';
import { digest, newToken, wellFormedToken } from '../../src/security/tokens.js';

describe('scopes', () => {
  it('parses comma lists, de-duplicated in canonical order, refusing unknown names', () => {
    expect(parseScopes(' curate, HASH ,hash')).toEqual(['hash', 'curate']);
    expect(() => parseScopes('curate,root')).toThrow("unknown scope 'root'");
    expect(() => parseScopes(' , ')).toThrow('at least one scope');
  });

  it('lets admin stand for every scope', () => {
    expect(grants(['admin'], 'hash')).toBe(true);
    expect(grants(['match'], 'hash')).toBe(false);
    expect(grants(['match'], 'any')).toBe(true);
  });

  it('maps every route group to its scope, keeps probes open, and needs admin for anything unknown', () => {
    const o = { metricsAuth: false };
    const cases: Array<[string, ReturnType<typeof accessFor>]> = [
      ['/status', { kind: 'open' }],
      ['/status/live', { kind: 'open' }],
      ['/site-map', { kind: 'open' }],
      ['/', { kind: 'open' }],
      ['/openapi/swagger/*', { kind: 'open' }],
      ['/ui/static/:file', { kind: 'open' }],
      ['/ui/login', { kind: 'open' }],
      ['/metrics', { kind: 'open' }],
      ['/h/hash', { kind: 'scope', scope: 'hash', browser: false }],
      ['/m/lookup', { kind: 'scope', scope: 'match', browser: false }],
      ['/v1/content', { kind: 'scope', scope: 'hash', browser: false }],
      ['/c/bank/:bank_name', { kind: 'scope', scope: 'curate', browser: false }],
      ['/c/audit', { kind: 'scope', scope: 'admin', browser: false }],
      ['/ui/', { kind: 'scope', scope: 'curate', browser: true }],
      ['/ui/logout', { kind: 'scope', scope: 'any', browser: true }],
      ['/dev/factory_reset', { kind: 'scope', scope: 'admin', browser: true }],
      ['/hidden', { kind: 'scope', scope: 'admin', browser: false }],
      ['/custom/route', { kind: 'scope', scope: 'admin', browser: false }],
      ['/uix', { kind: 'scope', scope: 'admin', browser: false }],
    ];
    for (const [route, access] of cases) expect(accessFor(route, o), route).toEqual(access);
    expect(accessFor('/metrics', { metricsAuth: true })).toEqual({ kind: 'scope', scope: 'any', browser: false });
  });

  it('names actors for the audit log', () => {
    expect(actorOf({ kind: 'anonymous' })).toBe('anonymous');
    expect(actorOf({ kind: 'token', via: 'bearer', tokenId: 7, name: 'ci', scopes: ['curate'] })).toBe('token:7:ci');
    expect(actorOf({ kind: 'token', via: 'session', tokenId: 7, name: 'ann', scopes: ['curate'] })).toBe('ui:7:ann');
  });
});

describe('tokens', () => {
  it('are 256 random bits with a recognisable prefix; only well-formed ones are looked up', () => {
    const a = newToken();
    expect(wellFormedToken(a)).toBe(true);
    expect(a).not.toBe(newToken());
    expect(wellFormedToken(`${a}x`)).toBe(false);
    expect(wellFormedToken('hma_short')).toBe(false);
    expect(digest(a)).toHaveLength(32);
  });
});

describe('secrets', () => {
  const k1 = generateKey();
  const k2 = generateKey();
  const data = Buffer.from(JSON.stringify({ user: 'u', password: 'hunter2' }));

  it('seal and open round-trip; the sealed bytes hold neither the plaintext nor the key', () => {
    const ring = parseKeys(k1, 'test');
    const { sealed, keyId } = seal(ring, data, 'row-a');
    expect(keyId).toBe(keyIdOf(Buffer.from(k1, 'base64')));
    expect(sealedWith(sealed)).toBe(keyId);
    expect(sealed.includes(Buffer.from('hunter2'))).toBe(false);
    expect(sealed.includes(Buffer.from(k1, 'base64'))).toBe(false);
    expect(open(ring, sealed, 'row-a')).toEqual(data);
    expect(seal(ring, data, 'row-a').sealed.equals(sealed)).toBe(false); // a fresh IV each time
  });

  it('refuses a value moved to another row, tampered with, or sealed with a key it does not hold', () => {
    const ring = parseKeys(k1, 'test');
    const { sealed } = seal(ring, data, 'row-a');
    expect(() => open(ring, sealed, 'row-b')).toThrow(/failed authentication/);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => open(ring, tampered, 'row-a')).toThrow(/failed authentication/);
    expect(() => open(parseKeys(k2, 'SECRETS_KEY'), sealed, 'row-a')).toThrow(/needs key [0-9a-f]{12}, which SECRETS_KEY does not hold/);
  });

  it('rotates: the first key seals, every key opens', () => {
    const old = seal(parseKeys(k1, 'old'), data, 'r').sealed;
    const ring = parseKeys(`${k2},${k1}`, 'rotating');
    expect(open(ring, old, 'r')).toEqual(data);
    expect(sealedWith(seal(ring, data, 'r').sealed)).toBe(keyIdOf(Buffer.from(k2, 'base64')));
  });

  it('opens values written before encryption as they are', () => {
    const plain = Buffer.from('{"user":"u"}');
    expect(isPlaintext(plain)).toBe(true);
    expect(open(parseKeys(k1, 't'), plain, 'r')).toEqual(plain);
  });

  it('refuses bad keys without repeating them', () => {
    const bad = randomBytes(16).toString('base64');
    for (const text of [bad, `${k1},${bad}`, 'not base64 !!', '']) {
      let message = '';
      try {
        parseKeys(text, 'SECRETS_KEY');
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, text).toMatch(/^SECRETS_KEY: /);
      if (text) expect(message).not.toContain(bad);
    }
    expect(parseKeys(`${Buffer.from(k1, 'base64').toString('base64url')}\n`, 'file').keys).toHaveLength(1);
  });
});

describe('CSRF tokens and login redirects', () => {
  it('derive from the session id and compare exactly', () => {
    const t = csrfTokenFor('session-a');
    expect(t).toBe(csrfTokenFor('session-a'));
    expect(t).not.toBe(csrfTokenFor('session-b'));
    expect(csrfMatches(t, t)).toBe(true);
    expect(csrfMatches(t, undefined)).toBe(false);
    expect(csrfMatches(t, t.slice(1))).toBe(false);
  });

  it('only go back into the UI after login', () => {
    expect(safeNext('/ui/bank/X?focus=1')).toBe('/ui/bank/X?focus=1');
    for (const next of ['https://evil.example', '//evil.example', '/c/banks', '/ui\\evil', undefined, 3]) expect(safeNext(next)).toBe('/ui/');
  });
});
