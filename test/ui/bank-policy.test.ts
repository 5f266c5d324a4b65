/** The bank page's match thresholds and allow-list forms, and the UI find form applying a bank's threshold (HTTP, no browser). */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApi, type TestApi } from './support/api.js';

const A = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const flip = (hex: string, bits: number) => (BigInt(`0x${hex}`) ^ ((1n << BigInt(bits)) - 1n)).toString(16).padStart(64, '0');

let api: TestApi;
let app: FastifyInstance;
const form = (url: string, fields: Record<string, string>) =>
  app.inject({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

beforeAll(async () => {
  api = await startTestApi('uipolicy', { SIGNAL_TYPES: 'pdq,video_md5' });
  app = api.app;
});
afterAll(async () => {
  await api?.stop();
});

describe('bank page: matching policy', () => {
  it('sets and shows a bank threshold, which the find form then applies', async () => {
    expect((await app.inject({ method: 'POST', url: '/c/banks', payload: { name: 'UI_TUNED' } })).statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: '/c/bank/UI_TUNED/signal', payload: { pdq: A } })).statusCode).toBeLessThan(300);
    const page = (await app.inject({ url: '/ui/bank/UI_TUNED' })).body;
    expect(page).toContain('id="threshold-pdq"');
    expect(page).not.toContain('id="threshold-video_md5"'); // exact: no threshold
    const find = async () => (await form('/ui/query_hash', { signal_type: 'pdq', signal_value: flip(A, 25) })).json().banks as string[];
    expect(await eventually(find, (banks) => banks.includes('UI_TUNED'))).toEqual(['UI_TUNED']);

    const saved = await form('/ui/bank/UI_TUNED/thresholds', { threshold_pdq: '20', threshold_video_md5: '3' });
    expect([saved.statusCode, saved.headers.location]).toEqual([303, '/ui/bank/UI_TUNED?done=thresholds_saved&name=UI_TUNED']);
    expect((await app.inject({ url: '/c/bank/UI_TUNED' })).json().match_thresholds).toEqual({ pdq: 20 });
    expect((await app.inject({ url: '/ui/bank/UI_TUNED' })).body).toMatch(/name="threshold_pdq"[^>]*value="20"/);
    expect(await find()).toEqual([]);
    const bad = await form('/ui/bank/UI_TUNED/thresholds', { threshold_pdq: '99' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('match_thresholds.pdq must be an integer from 0 to 52');
    // Emptied: the default again.
    await form('/ui/bank/UI_TUNED/thresholds', { threshold_pdq: '' });
    expect((await app.inject({ url: '/c/bank/UI_TUNED' })).json()).not.toHaveProperty('match_thresholds');
  });

  it('turns a bank into a scoped allow-list and back', async () => {
    expect((await app.inject({ method: 'POST', url: '/c/banks', payload: { name: 'UI_MEMES' } })).statusCode).toBe(201);
    const on = await form('/ui/bank/UI_MEMES/allow_list', { allow_list: 'true', allow_list_scope: 'shared, ncii' });
    expect([on.statusCode, on.headers.location]).toEqual([303, '/ui/bank/UI_MEMES?done=allow_list_on&name=UI_MEMES']);
    expect((await app.inject({ url: '/c/bank/UI_MEMES' })).json()).toMatchObject({ allow_list: true, allow_list_scope: ['shared', 'ncii'] });
    expect((await app.inject({ url: '/ui/bank/UI_MEMES' })).body).toContain('suppresses matches of banks labelled shared, ncii');
    // The find form names what the allow-list suppressed.
    const plain = await app.inject({ method: 'POST', url: '/c/bank/UI_TUNED/signal', payload: { pdq: flip(A, 60) } });
    const memesEntry = (await app.inject({ method: 'POST', url: '/c/bank/UI_MEMES/signal', payload: { pdq: flip(A, 61) } })).json().id as number;
    expect((await app.inject({ method: 'PUT', url: '/c/bank/UI_MEMES', payload: { allow_list_scope: [] } })).statusCode).toBe(200);
    const find = async (): Promise<{ matches: unknown[]; suppressed?: unknown[] }> =>
      (await form('/ui/query_hash', { signal_type: 'pdq', signal_value: flip(A, 60) })).json();
    const found = await eventually(find, (r) => (r.suppressed?.length ?? 0) > 0);
    expect(found.matches).toEqual([]);
    expect(found.suppressed).toEqual([{
      bank_name: 'UI_TUNED', content_id: plain.json().id, signal_type: 'pdq', distance: '0', allow_list_bank: 'UI_MEMES', allow_list_content_id: memesEntry,
    }]);
    await form('/ui/bank/UI_MEMES/allow_list', { allow_list_scope: '' });
    expect((await app.inject({ url: '/c/bank/UI_MEMES' })).json()).not.toHaveProperty('allow_list');
  });
});
