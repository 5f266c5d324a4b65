/** /c/banks and /c/bank/<name>: success and error paths against the real database. */
import { describe, expect, it } from 'vitest';
import { useCuratorApp } from './support/app.js';

const t = useCuratorApp('apibanks');
const call = t.call;

describe('POST /c/banks', () => {
  it('creates a bank with 201 and HMA fields, plus labels', async () => {
    const r = await call('POST', '/c/banks', { name: 'CREATE_ME', labels: ['csam', ' spam ', 'csam'] });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toEqual({ name: 'CREATE_ME', matching_enabled_ratio: 1, labels: ['csam', 'spam'], exchange: null });
  });
  it('honours enabled when no ratio is given (HMA ignored it)', async () => {
    expect((await call('POST', '/c/banks', { name: 'OFF_AT_BIRTH', enabled: false })).json().matching_enabled_ratio).toBe(0);
    expect((await call('POST', '/c/banks', { name: 'HALF', enabled: false, enabled_ratio: 0.5 })).json().matching_enabled_ratio).toBe(0.5);
  });
  it.each([
    [{ name: 'lower_case' }, 400, 'Bank names must be UPPER_WITH_UNDERSCORE'],
    [{ name: '1STARTS_WITH_DIGIT' }, 400, 'Bank names must be UPPER_WITH_UNDERSCORE'],
    [{ name: 'A'.repeat(256) }, 400, 'Bank names must be at most 255 characters'],
    [{ name: 'RATIO', enabled_ratio: 1.5 }, 400, 'enabled_ratio must be between 0.0 and 1.0'],
    [{ name: 'LABELS', labels: [''] }, 400, 'labels must not contain empty labels'],
    [{}, 422, "body must have required property 'name'"],
    // HMA's pydantic model takes a number or a numeric string (clients send "1").
    [
      { name: 'X', enabled_ratio: 'lots' },
      422,
      String.raw`body/enabled_ratio must be number, body/enabled_ratio must match pattern "^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$", body/enabled_ratio must be null, body/enabled_ratio must match a schema in anyOf`,
    ],
    [
      { name: 'X', enabled_ratio: [] },
      422,
      'body/enabled_ratio must be number, body/enabled_ratio must be string, body/enabled_ratio must be null, body/enabled_ratio must match a schema in anyOf',
    ],
    [{ name: 'X', enabled: 'maybe' }, 422, 'body/enabled must be equal to one of the allowed values'],
  ])('refuses %j with %i', async (body, status, message) => {
    const r = await call('POST', '/c/banks', body);
    expect(r.statusCode).toBe(status);
    expect(r.json()).toEqual({ message });
  });
  it('answers 403 for a duplicate, and writes nothing', async () => {
    await call('POST', '/c/banks', { name: 'DUP' });
    const r = await call('POST', '/c/banks', { name: 'DUP', enabled_ratio: 0.1 });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual({ message: 'Bank already exists' });
    expect((await call('GET', '/c/bank/DUP')).json().matching_enabled_ratio).toBe(1);
  });
  it('rejects malformed JSON and bodies over the limit with 4xx', async () => {
    const bad = await t.app.inject({ method: 'POST', url: '/c/banks', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/JSON/);
    const huge = await call('POST', '/c/banks', { name: 'BIG', labels: ['x'.repeat(2 * 1024 * 1024)] });
    expect(huge.statusCode).toBe(413);
    const text = await t.app.inject({ method: 'POST', url: '/c/banks', headers: { 'content-type': 'text/plain' }, payload: 'NAME' });
    // HMA parses a non-JSON body as {} and its model then fails: 422.
    expect(text.statusCode).toBe(422);
  });
});

describe('GET /c/banks, GET /c/bank/<name>', () => {
  it('lists and gets banks', async () => {
    await call('POST', '/c/banks', { name: 'LISTED', enabled_ratio: 0.25 });
    const list = (await call('GET', '/c/banks')).json() as { name: string }[];
    expect(list.map((b) => b.name)).toContain('LISTED');
    expect((await call('GET', '/c/bank/LISTED')).json()).toMatchObject({ name: 'LISTED', matching_enabled_ratio: 0.25 });
  });
  it('answers 404 naming the bank', async () => {
    const r = await call('GET', '/c/bank/NOPE');
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ message: "bank 'NOPE' not found" });
  });
});

describe('PUT /c/bank/<name>', () => {
  it('renames, enables/disables (ratio wins), and sets labels', async () => {
    await call('POST', '/c/banks', { name: 'OLD_NAME' });
    const r = await call('PUT', '/c/bank/OLD_NAME', { name: 'NEW_NAME', enabled: false, labels: ['a'] });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ name: 'NEW_NAME', matching_enabled_ratio: 0, labels: ['a'] });
    expect((await call('PUT', '/c/bank/NEW_NAME', { enabled: false, enabled_ratio: 0.3 })).json().matching_enabled_ratio).toBe(0.3);
    expect((await call('GET', '/c/bank/OLD_NAME')).statusCode).toBe(404);
  });
  it('answers 404, 400 and 403 with HMA messages', async () => {
    await call('POST', '/c/banks', { name: 'TAKEN' });
    await call('POST', '/c/banks', { name: 'RENAMER' });
    expect((await call('PUT', '/c/bank/MISSING', { enabled: true })).json()).toEqual({ message: 'Bank not found' });
    const bad = await call('PUT', '/c/bank/RENAMER', { name: 'bad name' });
    expect([bad.statusCode, bad.json().message]).toEqual([400, 'Bank names must be UPPER_WITH_UNDERSCORE']);
    const dup = await call('PUT', '/c/bank/RENAMER', { name: 'TAKEN' });
    expect([dup.statusCode, dup.json().message]).toEqual([403, 'Bank name already exists']);
    const range = await call('PUT', '/c/bank/RENAMER', { enabled_ratio: -0.1 });
    expect(range.statusCode).toBe(400);
  });
});

describe('DELETE /c/bank/<name>', () => {
  it('deletes a bank with its content, and is idempotent', async () => {
    await call('POST', '/c/banks', { name: 'DOOMED' });
    const added = await call('POST', '/c/bank/DOOMED/signal', { video_md5: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(added.statusCode).toBe(200);
    expect((await call('DELETE', '/c/bank/DOOMED')).json()).toEqual({ message: 'Done' });
    expect((await call('DELETE', '/c/bank/DOOMED')).json()).toEqual({ message: 'Done' });
    const { rows } = await t.db.pool.query('SELECT 1 FROM bank_content WHERE id = $1', [added.json().id]);
    expect(rows).toHaveLength(0);
  });
  it('refuses (409) to delete a bank an exchange owns, naming the exchange', async () => {
    expect((await call('POST', '/c/exchanges', { bank: 'OWNED_FEED', api: 'sample' })).statusCode).toBe(201);
    const r = await call('DELETE', '/c/bank/OWNED_FEED');
    expect(r.statusCode).toBe(409);
    expect(r.json().message).toContain("exchange 'OWNED_FEED'");
    expect((await call('GET', '/c/bank/OWNED_FEED')).json().exchange).toBe('OWNED_FEED');
  });
});

describe('GET /c/bank/<name>/metadata', () => {
  it('counts items, enabled items and signals per type', async () => {
    await call('POST', '/c/banks', { name: 'COUNTED' });
    const pdq = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
    const a = (await call('POST', '/c/bank/COUNTED/signal', { pdq, video_md5: 'cab08b36195edb1a1231d2d09fa450e0' })).json();
    await call('POST', '/c/bank/COUNTED/signal', { pdq });
    await call('PUT', `/c/bank/COUNTED/content/${a.id}`, { disable_until_ts: 0 });
    const r = await call('GET', '/c/bank/COUNTED/metadata');
    expect(r.json()).toMatchObject({ name: 'COUNTED', content_count: 2, enabled_content_count: 1, signal_counts: { pdq: 2, video_md5: 1 } });
    expect((await call('GET', '/c/bank/NOPE/metadata')).statusCode).toBe(404);
  });
});
