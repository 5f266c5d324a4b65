/** `hma token` and `hma secrets` as a user runs them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealCredentials } from '../../src/curation/credentials.js';
import { parseKeys, sealedWith, generateKey, keyIdOf } from '../../src/security/secrets.js';
import { findLiveToken } from '../../src/security/token-store.js';
import { scratchDb, type ScratchDb } from '../support/scratch-db.js';
import { runHma } from '../support/cli.js';

let db: ScratchDb;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  db = await scratchDb('seccli');
  env = { ...process.env, DATABASE_URL: db.url };
});
afterAll(() => db?.drop());

describe('hma token', () => {
  it('creates a token printed once, alone on stdout, and stored only as a hash', async () => {
    const r = await runHma(['token', 'create', '--name', 'ci-bot', '--scopes', 'match,hash', '--expires-in', '30d'], env);
    expect(r.code, r.stderr).toBe(0);
    const secret = r.stdout.trim();
    expect(secret).toMatch(/^hma_[A-Za-z0-9_-]{43}$/);
    expect(r.stderr).toMatch(/token \d+ 'ci-bot', scopes hash,match, expires 20\d\d-/);
    expect(await findLiveToken(db.pool, secret)).toMatchObject({ name: 'ci-bot', scopes: ['hash', 'match'] });
    const dump = JSON.stringify((await db.pool.query('SELECT * FROM api_token')).rows);
    expect(dump).not.toContain(secret);
    const audit = await db.pool.query<{ actor: string }>("SELECT actor FROM audit_log WHERE entity = 'api_token'");
    expect(audit.rows[0]?.actor).toMatch(/^cli:/);
  });

  it('lists live tokens without secrets, revokes by name, and explains mistakes', async () => {
    const list = await runHma(['token', 'list'], env);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+SCOPES/);
    expect(list.stdout).toContain('ci-bot');
    expect(list.stdout).not.toContain('hma_');
    expect((await runHma(['token', 'revoke', 'ci-bot'], env)).stdout).toMatch(/^revoked token \d+ 'ci-bot'/);
    expect((await runHma(['token', 'list'], env)).stdout).not.toContain('ci-bot');
    expect((await runHma(['token', 'list', '--all', '--json'], env)).stdout).toContain('"revoked_at":"20');
    const again = await runHma(['token', 'revoke', 'ci-bot'], env);
    expect([again.code, again.stderr.trim()]).toEqual([1, "no live token 'ci-bot'"]);
    const bad = await runHma(['token', 'create', '--name', 'x', '--scopes', 'root'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("unknown scope 'root'");
  });
});

describe('hma secrets', () => {
  it('re-seals stored credentials with the first key, old and plaintext rows alike', async () => {
    const oldKey = generateKey();
    const newKey = generateKey();
    const { sealed, keyId } = sealCredentials('ncmec', { user: 'u', password: 'p' }, parseKeys(oldKey, 'old'));
    await db.pool.query('INSERT INTO exchange_api_credentials (api, credentials, key_id) VALUES ($1, $2, $3), ($4, $5, NULL)', [
      'ncmec', sealed, keyId, 'tat', Buffer.from('{"username":"u","password":"p"}'),
    ]);
    const withBoth = { ...env, SECRETS_KEY: `${newKey},${oldKey}` };
    const status = await runHma(['secrets', 'status'], withBoth);
    expect(status.stdout).toContain(`${keyId}: 1 credential`);
    expect(status.stdout).toContain('plaintext: 1 credential');
    const rotated = await runHma(['secrets', 'rotate'], withBoth);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('2 re-sealed (ncmec, tat)');
    const newId = keyIdOf(Buffer.from(newKey, 'base64'));
    const rows = await db.pool.query<{ credentials: Buffer; key_id: string }>('SELECT credentials, key_id FROM exchange_api_credentials');
    for (const r of rows.rows) expect([r.key_id, sealedWith(r.credentials)]).toEqual([newId, newId]);
    // Without the key that sealed them, nothing is rewritten.
    const refused = await runHma(['secrets', 'rotate'], { ...env, SECRETS_KEY: generateKey() });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/needs key [0-9a-f]{12}, which SECRETS_KEY does not hold/);
  });
});
