/**
 * The audit log: every curation change recorded in the same transaction, with who
 * (token, UI login, CLI, or the process), what, when, before and after; credentials
 * never by value; bulk statements summarized; GET /c/audit paginated; the table
 * append-only.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withWriteTx } from '../../src/curation/db.js';
import { importSignals } from '../../src/curation/import/bulk-import.js';
import { runAs } from '../../src/curation/actor.js';
import type { AuditEntry } from '../../src/security/audit-store.js';
import { sessionCookie, startSecuredApi, type SecuredApi } from './support.js';
import { SIGNAL_TYPE_NAMES, signalTypeRegistry } from '../../src/signals/registry.js';

const PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const PASSWORD = 'audit-test-password-8c1f';

let api: SecuredApi;
let admin = '';
let alice = { secret: '', id: 0 };

beforeAll(async () => {
  api = await startSecuredApi('audit', { ROLE_MATCHER: 'false', ROLE_HASHER: 'false' });
  admin = (await api.token('auditor', ['admin'])).secret;
  alice = await api.token('alice', ['curate']);
});
afterAll(() => api?.stop());

async function audit(query = ''): Promise<{ entries: AuditEntry[]; next_page_token: string | null }> {
  const r = await api.as(admin, { url: `/c/audit${query}` });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}
const asAlice = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => api.as(alice.secret, { method, url, payload });

describe('the audit log', () => {
  it('records who created, changed and deleted a bank and its content, with before and after', async () => {
    expect((await asAlice('POST', '/c/banks', { name: 'AUDITED' })).statusCode).toBe(201);
    expect((await asAlice('PUT', '/c/bank/AUDITED', { enabled_ratio: 0.5 })).statusCode).toBe(200);
    const added = await asAlice('POST', '/c/bank/AUDITED/signal', { pdq: PDQ });
    expect(added.statusCode).toBeLessThan(300);
    const contentId = added.json().id as number;

    const who = `token:${alice.id}:alice`;
    const mine = (await audit('?page_size=50')).entries.filter((e) => e.actor === who).reverse();
    const bank = mine.filter((e) => e.entity === 'bank');
    expect(bank.map((e) => e.action)).toEqual(['insert', 'update']);
    expect(bank[0]).toMatchObject({ before: null, after: { name: 'AUDITED', matching_enabled_ratio: 1 }, rows: 1 });
    expect(bank[1]).toMatchObject({ before: { matching_enabled_ratio: 1 }, after: { matching_enabled_ratio: 0.5 } });
    expect(Date.now() - new Date(bank[1]!.at).getTime()).toBeLessThan(60_000);
    expect(mine.find((e) => e.entity === 'bank_content')).toMatchObject({ action: 'insert', key: { id: contentId } });
    expect(mine.find((e) => e.entity === 'content_signal')).toMatchObject({
      action: 'insert',
      key: { content_id: contentId, signal_type: 'pdq' },
      after: { signal_val: PDQ },
    });

    expect((await asAlice('DELETE', '/c/bank/AUDITED')).statusCode).toBe(200);
    const deleted = (await audit('?page_size=50')).entries.filter((e) => e.actor === who && e.action === 'delete');
    expect(deleted.map((e) => e.entity).sort()).toEqual(['bank', 'bank_content', 'content_signal']);
    expect(deleted.find((e) => e.entity === 'bank')?.before).toMatchObject({ name: 'AUDITED' });
  });

  it('records credential changes without their values', async () => {
    const r = await asAlice('POST', '/c/exchanges/api/ncmec', { credential_json: { user: 'audit-user', password: PASSWORD } });
    expect(r.statusCode, r.body).toBe(200);
    const page = await audit('?entity=exchange_api_credentials');
    expect(page.entries[0]).toMatchObject({ actor: `token:${alice.id}:alice`, action: 'insert', key: { api: 'ncmec' }, after: { credentials: '[redacted]' } });
    expect(JSON.stringify(page)).not.toContain(PASSWORD);
    const raw = await api.stack.db.pool.query<{ credentials: Buffer; key_id: string }>("SELECT credentials, key_id FROM exchange_api_credentials WHERE api = 'ncmec'");
    expect(raw.rows[0]!.credentials.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(raw.rows[0]!.key_id).toMatch(/^[0-9a-f]{12}$/);
  });

  it('names UI logins as ui:<token id>:<name>', async () => {
    const login = await api.app.inject({
      method: 'POST',
      url: '/ui/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token: alice.secret, next: '/ui/banks' }).toString(),
    });
    const cookie = sessionCookie(login);
    const page = await api.app.inject({ url: '/ui/banks', cookies: { hma_session: cookie } });
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)![1]!;
    const made = await api.app.inject({
      method: 'POST',
      url: '/ui/create_bank',
      cookies: { hma_session: cookie },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ bank_name: 'FROM_UI', _csrf: csrf }).toString(),
    });
    expect(made.statusCode).toBe(303);
    const entry = (await audit('?entity=bank')).entries.find((e) => (e.after as { name?: string } | null)?.name === 'FROM_UI');
    expect(entry?.actor).toBe(`ui:${alice.id}:alice`);
  });

  it('names who quarantined bank content (the flood counter) and who released it, by API token and by UI login', async () => {
    expect((await asAlice('POST', '/c/banks', { name: 'FLOODED' })).statusCode).toBe(201);
    const ids: number[] = [];
    for (const pdq of [PDQ, 'f'.repeat(64)]) ids.push((await asAlice('POST', '/c/bank/FLOODED/signal', { pdq })).json().id as number);
    // As the flood counter quarantines (src/pipeline/flood/store.ts).
    await runAs('system:flood-counter', () =>
      withWriteTx(api.stack.db.pool, (tx) => tx.query('INSERT INTO flood_quarantine (content_id, window_matches, baseline_per_window) SELECT unnest($1::bigint[]), 5000, 3', [ids])),
    );
    expect((await asAlice('DELETE', `/c/flood/quarantine/${ids[0]}`)).statusCode).toBe(200);
    const login = await api.app.inject({
      method: 'POST',
      url: '/ui/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token: alice.secret, next: '/ui/bank/FLOODED' }).toString(),
    });
    const cookie = sessionCookie(login);
    const page = await api.app.inject({ url: '/ui/bank/FLOODED', cookies: { hma_session: cookie } });
    expect(page.body).toContain(`action="/ui/flood/${ids[1]}/release"`);
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)![1]!;
    const noCsrf = await api.app.inject({
      method: 'POST',
      url: `/ui/flood/${ids[1]}/release`,
      cookies: { hma_session: cookie },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'back=%2Fui%2Fbank%2FFLOODED',
    });
    expect(noCsrf.statusCode).toBe(403);
    const released = await api.app.inject({
      method: 'POST',
      url: `/ui/flood/${ids[1]}/release`,
      cookies: { hma_session: cookie },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ back: '/ui/bank/FLOODED', _csrf: csrf }).toString(),
    });
    expect(released.statusCode).toBe(303);
    const entries = (await audit('?entity=flood_quarantine&page_size=50')).entries.reverse();
    expect(entries.map((e) => [e.action, (e.key as { content_id: number }).content_id, e.actor])).toEqual([
      ['insert', ids[0], 'system:flood-counter'],
      ['insert', ids[1], 'system:flood-counter'],
      ['delete', ids[0], `token:${alice.id}:alice`],
      ['delete', ids[1], `ui:${alice.id}:alice`],
    ]);
  });

  it('records bulk writes as one entry per statement with its row count, under the CLI actor', async () => {
    expect((await asAlice('POST', '/c/banks', { name: 'BULK' })).statusCode).toBe(201);
    const lines = Array.from({ length: 1500 }, (_, i) => `pdq,${i.toString(16).padStart(64, '0')}`).join('\n');
    await runAs('cli:tester', () => importSignals(api.stack.db.pool, { signalTypes: signalTypeRegistry(SIGNAL_TYPE_NAMES), bank: 'BULK', input: Readable.from([lines]), format: 'csv', batchRows: 5000 }));
    const bulk = (await audit('?actor=cli:tester')).entries;
    expect(bulk.map((e) => [e.entity, e.action, e.rows]).sort()).toEqual([
      ['bank_content', 'insert', 1500],
      ['content_signal', 'insert', 1500],
    ]);
    expect(bulk.every((e) => e.before === null && e.after === null)).toBe(true);
  });

  it('writes nothing for a change that was rolled back', async () => {
    await expect(
      withWriteTx(api.stack.db.pool, async (tx) => {
        await tx.query("INSERT INTO bank (name) VALUES ('ROLLED_BACK')");
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(JSON.stringify(await audit('?entity=bank&page_size=1000'))).not.toContain('ROLLED_BACK');
  });

  it('pages newest first without overlap', async () => {
    const first = await audit('?page_size=3');
    expect(first.entries).toHaveLength(3);
    expect(first.next_page_token).toBe(String(first.entries[2]!.id));
    const second = await audit(`?page_size=3&page_token=${first.next_page_token}`);
    const ids = [...first.entries, ...second.entries].map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);
    expect((await api.as(admin, { url: '/c/audit?page_token=x' })).statusCode).toBe(400);
  });

  it('is append-only, even for the database owner', async () => {
    const pool = api.stack.db.pool;
    for (const sql of ["UPDATE audit_log SET actor = 'someone else'", 'DELETE FROM audit_log', 'TRUNCATE audit_log']) {
      await expect(pool.query(sql), sql).rejects.toThrow(/audit_log is append-only/);
    }
    expect((await audit('?page_size=1')).entries).toHaveLength(1);
  });
});
