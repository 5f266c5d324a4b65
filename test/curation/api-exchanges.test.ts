/** Exchange config endpoints (storage side), signal/content type settings, and the OpenAPI document. */
import { describe, expect, it } from 'vitest';
import { useCuratorApp } from './support/app.js';

const { call } = useCuratorApp('apiexchanges');

describe('exchange APIs and credentials', () => {
  it('lists installed APIs and their schemas', async () => {
    expect((await call('GET', '/c/exchanges/apis')).json()).toEqual(expect.arrayContaining(['sample', 'fb_threatexchange', 'ncmec', 'stop_ncii']));
    expect((await call('GET', '/c/exchanges/api/sample/schema')).json()).toEqual({ config_schema: { fields: [] }, credentials_schema: null });
    const tx = (await call('GET', '/c/exchanges/api/fb_threatexchange/schema')).json();
    expect(tx.config_schema.fields[0]).toMatchObject({ name: 'privacy_group', type: 'number', required: true });
    expect(tx.credentials_schema.fields[0]).toMatchObject({ name: 'api_token', type: 'string' });
    expect((await call('GET', '/c/exchanges/api/nope/schema')).json()).toEqual({ message: "Exchange API 'nope' not found" });
  });
  it('sets, reports and clears credentials, never returning them', async () => {
    expect((await call('GET', '/c/exchanges/api/ncmec')).json()).toEqual({ supports_authentification: true, has_set_authentification: false });
    const set = await call('POST', '/c/exchanges/api/ncmec', { credential_json: { user: 'u', password: 'secret-pw' } });
    expect(set.json()).toEqual({ supports_authentification: true, has_set_authentification: true });
    expect(set.body).not.toContain('secret-pw');
    expect((await call('POST', '/c/exchanges/api/ncmec', {})).json().has_set_authentification).toBe(true);
    expect((await call('POST', '/c/exchanges/api/ncmec', { credential_json: {} })).json().has_set_authentification).toBe(false);
  });
  it.each([
    ['/c/exchanges/api/nope', { credential_json: {} }, "no such Exchange API 'nope'"],
    ['/c/exchanges/api/sample', { credential_json: { token: 'x' } }, "Exchange API 'sample' does not take credentials"],
    ['/c/exchanges/api/ncmec', { credential_json: { user: 'u' } }, "Invalid credentials for 'ncmec': missing required field 'password'"],
    ['/c/exchanges/api/ncmec', { credential_json: { user: 'u', password: 'p', extra: 1 } }, "Invalid credentials for 'ncmec': unknown field 'extra'"],
    ['/c/exchanges/api/ncmec', { credential_json: 'user:pw' }, 'credential_json should be a json object'],
  ])('POST %s %j → 400', async (url, body, message) => {
    const r = await call('POST', url, body);
    expect([r.statusCode, r.json().message]).toEqual([400, message]);
  });
  it('GET of an unknown API is 400', async () => {
    expect((await call('GET', '/c/exchanges/api/nope')).statusCode).toBe(400);
  });
});

describe('exchanges', () => {
  it('creates an exchange and its bank, gets, lists, reports status, updates flags with a JSON body', async () => {
    const r = await call('POST', '/c/exchanges', { bank: 'TX_FEED', api: 'fb_threatexchange', api_json: { privacy_group: 1012185296055235, enabled: false } });
    expect([r.statusCode, r.json()]).toEqual([201, { message: 'Created successfully' }]);
    expect((await call('GET', '/c/exchanges')).json()).toContain('TX_FEED');
    expect((await call('GET', '/c/exchange/TX_FEED')).json()).toEqual({
      name: 'TX_FEED', api: 'fb_threatexchange', enabled: false, privacy_group: 1012185296055235,
      report_seen: false, report_true_positive: false, report_false_positive: false,
    });
    expect((await call('GET', '/c/bank/TX_FEED')).json().exchange).toBe('TX_FEED');
    expect((await call('GET', '/c/exchange/TX_FEED/status')).json()).toEqual({
      checkpoint_ts: null, running_fetch_start_ts: null, last_fetch_complete_ts: null, last_fetch_succeeded: null, up_to_date: false, fetched_items: 0,
    });
    const put = await call('PUT', '/c/exchange/TX_FEED', { enabled: true, report_seen: true });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ name: 'TX_FEED', enabled: true, report_seen: true });
  });
  it.each([
    [{ api: 'sample' }, 400, 'bank is required'],
    [{ bank: 'lower', api: 'sample' }, 400, 'Field `bank` must match /^[A-Z0-9_]+$/'],
    [{ bank: '1ABC', api: 'sample' }, 400, 'Field `bank` must not start with a digit and be at most 255 characters'],
    [{ bank: 'NO_API' }, 400, 'Field `api` is required'],
    [{ bank: 'BAD_JSON', api: 'sample', api_json: [1] }, 400, 'Field `api_json` must be object'],
    [{ bank: 'NO_TYPE', api: 'gifct' }, 400, "No such exchange type 'gifct'"],
    [{ bank: 'NO_GROUP', api: 'fb_threatexchange' }, 400, "Failed to parse `api_json` - missing required field 'privacy_group'"],
    [{ bank: 'BAD_ENV', api: 'ncmec', api_json: { environment: 'mars' } }, 400, expect.stringContaining("field 'environment' must be one of")],
  ])('refuses %j', async (body, status, message) => {
    const r = await call('POST', '/c/exchanges', body);
    expect([r.statusCode, r.json().message]).toEqual([status, message]);
  });
  it('refuses a name already used by a bank or an exchange (403, not 500), writing nothing', async () => {
    await call('POST', '/c/banks', { name: 'PLAIN_BANK' });
    const clash = await call('POST', '/c/exchanges', { bank: 'PLAIN_BANK', api: 'sample' });
    expect(clash.statusCode).toBe(403);
    expect((await call('GET', '/c/exchange/PLAIN_BANK')).statusCode).toBe(404);
    await call('POST', '/c/exchanges', { bank: 'TWICE', api: 'sample' });
    expect((await call('POST', '/c/exchanges', { bank: 'TWICE', api: 'sample' })).statusCode).toBe(403);
  });
  it('404s for unknown exchanges', async () => {
    expect((await call('GET', '/c/exchange/NOPE')).json()).toEqual({ message: "Exchange 'NOPE' not found" });
    expect((await call('GET', '/c/exchange/NOPE/status')).statusCode).toBe(404);
    expect((await call('PUT', '/c/exchange/NOPE', { enabled: true })).statusCode).toBe(404);
    expect((await call('PUT', '/c/exchange/TWICE', { enabled: 'yes' })).statusCode).toBe(400);
  });
  it('deletes an exchange with its bank, or keeps the bank and its content with keep_bank=true', async () => {
    for (const name of ['GOES', 'STAYS']) {
      await call('POST', '/c/exchanges', { bank: name, api: 'sample' });
      await call('POST', `/c/bank/${name}/signal`, { video_md5: 'd41d8cd98f00b204e9800998ecf8427e' });
    }
    expect((await call('DELETE', '/c/exchange/GOES')).json()).toEqual({ message: 'Exchange deleted' });
    expect((await call('GET', '/c/bank/GOES')).statusCode).toBe(404);
    expect((await call('DELETE', '/c/exchange/STAYS?keep_bank=true')).json()).toEqual({ message: 'Exchange deleted' });
    expect((await call('GET', '/c/exchange/STAYS')).statusCode).toBe(404);
    const kept = (await call('GET', '/c/bank/STAYS/metadata')).json();
    expect(kept).toMatchObject({ exchange: null, content_count: 1 });
    // Once detached, the bank is an ordinary bank again.
    expect((await call('DELETE', '/c/bank/STAYS')).statusCode).toBe(200);
    expect((await call('DELETE', '/c/exchange/NEVER_WAS')).json()).toEqual({ message: 'Exchange deleted' });
  });
});

describe('signal and content types', () => {
  it('lists, sets a ratio (204) and refuses bad input with 400 (HMA: 500)', async () => {
    expect((await call('GET', '/c/signal_type')).json()).toEqual([
      { name: 'pdq', enabled_ratio: 1 }, { name: 'video_md5', enabled_ratio: 1 }, { name: 'vpdq', enabled_ratio: 1 },
    ]);
    expect((await call('PUT', '/c/signal_type/pdq', { enabled_ratio: 0.5 })).statusCode).toBe(204);
    expect((await call('GET', '/c/signal_type')).json()[0]).toEqual({ name: 'pdq', enabled_ratio: 0.5 });
    for (const [url, body, message] of [
      ['/c/signal_type/pdq', {}, 'enabled_ratio is required'],
      ['/c/signal_type/pdq', { enabled_ratio: 'half' }, "Invalid float: 'half'"],
      ['/c/signal_type/pdq', { enabled_ratio: 2 }, 'enabled_ratio must be between 0.0 and 1.0'],
      ['/c/signal_type/sha1', { enabled_ratio: 1 }, "No such signal type 'sha1'"],
    ] as const) {
      const r = await call('PUT', url, body);
      expect([r.statusCode, r.json().message]).toEqual([400, message]);
    }
    expect((await call('GET', '/c/content_type')).json()).toEqual([{ name: 'photo', enabled: true }, { name: 'video', enabled: true }]);
  });
});

describe('OpenAPI', () => {
  it('serves the document with HMA\'s title and every /c route, and Swagger UI', async () => {
    const doc = (await call('GET', '/openapi/openapi.json')).json();
    expect(doc.info.title).toBe('Open Media Match API');
    for (const p of ['/c/banks', '/c/bank/{bank_name}', '/c/bank/{bank_name}/content/{content_id}', '/c/bank/{bank_name}/signal', '/c/exchanges', '/c/exchange/{exchange_name}/status', '/c/signal_type/{signal_type_name}']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(doc.paths['/c/banks'].post.responses['201']).toBeDefined();
    expect((await call('GET', '/openapi/swagger')).statusCode).toBeLessThan(400);
  });
});
