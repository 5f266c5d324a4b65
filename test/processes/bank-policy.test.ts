/**
 * Bank matching policy end to end: per-bank match thresholds and allow-list banks, set through
 * /c on one API process, carried on the banks topic, applied by the /m lookups of ANOTHER
 * process on the same stack within seconds.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/processes/api.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { scratchStack, type Stack } from '../support/stack.js';

const A = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const flip = (hex: string, bits: number) => (BigInt(`0x${hex}`) ^ ((1n << BigInt(bits)) - 1n)).toString(16).padStart(64, '0');

let stack: Stack;
const runtimes: Runtime[] = [];
let one: FastifyInstance;
let other: FastifyInstance;

async function api(name: string): Promise<FastifyInstance> {
  const runtime = new Runtime(stack.config, name);
  runtimes.push(runtime);
  const app = (await buildApi(runtime)).app;
  await app.ready();
  for (let i = 0; i < 300; i++) {
    if ((await app.inject({ url: '/status' })).statusCode === 200) return app;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} never became ready`);
}

const json = (app: FastifyInstance, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

/** JSON with object keys sorted: bank order in a grouped answer is the index's. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

/** Polls a lookup on `other` until it gives `want`; returns how long that took (ms). */
async function until(url: string, want: unknown): Promise<number> {
  const started = Date.now();
  let last: unknown;
  for (let i = 0; i < 200; i++) {
    last = (await json(other, 'GET', url)).json();
    if (canonical(last) === canonical(want)) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(last, url).toEqual(want);
  return Date.now() - started;
}

beforeAll(async () => {
  stack = await scratchStack('policy', { SIGNAL_TYPES: 'pdq,video_md5' });
  one = await api('thresholds-one');
  other = await api('thresholds-two');
});
afterAll(async () => {
  for (const r of runtimes.reverse()) await r.stop();
  await stack?.drop();
});

describe('per-bank match thresholds', () => {
  let id = 0;

  it('are validated, shown in GET /c/bank/<b> only when set (HMA shape otherwise)', async () => {
    expect((await json(one, 'POST', '/c/banks', { name: 'PLAIN_BANK' })).statusCode).toBe(201);
    expect((await json(one, 'GET', '/c/bank/PLAIN_BANK')).json()).toEqual({ name: 'PLAIN_BANK', matching_enabled_ratio: 1, labels: [], exchange: null });
    const created = await json(one, 'POST', '/c/banks', { name: 'TUNED_BANK', match_thresholds: { pdq: 40 } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'TUNED_BANK', match_thresholds: { pdq: 40 } });
    for (const [bad, message] of [
      [{ pdq: 53 }, 'match_thresholds.pdq must be an integer from 0 to 52'],
      [{ pdq: 2.5 }, 'match_thresholds.pdq must be an integer from 0 to 52'],
      [{ pdq: '20' }, 'match_thresholds.pdq must be an integer from 0 to 52'],
      [{ video_md5: 1 }, "match_thresholds: 'video_md5' is matched exactly and takes no threshold"],
      [{ nope: 1 }, "match_thresholds: no such signal type 'nope'"],
      [[20], 'body/match_thresholds must be object,null'],
    ] as const) {
      const r = await json(one, 'PUT', '/c/bank/TUNED_BANK', { match_thresholds: bad });
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
      expect(r.json().message).toBe(message);
    }
    expect((await json(one, 'GET', '/c/bank/TUNED_BANK')).json().match_thresholds).toEqual({ pdq: 40 });
  });

  it('narrowed on one process, change /m/lookup on another within seconds', async () => {
    for (const bank of ['PLAIN_BANK', 'TUNED_BANK']) {
      const r = await json(one, 'POST', `/c/bank/${bank}/signal`, { pdq: A });
      expect(r.statusCode).toBeLessThan(300);
      id = r.json().id;
    }
    const at = (d: number, extra = '') => `/m/lookup?signal_type=pdq&signal=${flip(A, d)}&bypass_coinflip=true${extra}`;
    const banks = async (url: string) => Object.keys((await json(other, 'GET', url)).json() as object).sort();
    // TUNED (40) matches beyond the default of 31; PLAIN does not.
    await until(at(35), { TUNED_BANK: [{ bank_content_id: id, distance: '35' }] });
    expect(await banks(at(25))).toEqual(['PLAIN_BANK', 'TUNED_BANK']);

    const put = await json(one, 'PUT', '/c/bank/TUNED_BANK', { match_thresholds: { pdq: 20 } });
    expect(put.statusCode).toBe(200);
    expect(put.json().match_thresholds).toEqual({ pdq: 20 });
    const ms = await until(at(25), { PLAIN_BANK: [{ bank_content_id: id - 1, distance: '25' }] });
    expect(ms).toBeLessThan(10_000);
    console.info(`narrowed threshold visible on the other process after ${ms} ms`);
    expect(await banks(at(35))).toEqual([]);
    expect(await banks(at(15))).toEqual(['PLAIN_BANK', 'TUNED_BANK']);
    // A request's threshold narrows, never widens past the bank's.
    expect(await banks(at(15, '&threshold=10'))).toEqual([]);
    expect(await banks(at(25, '&threshold=52'))).toEqual(['PLAIN_BANK']);
    // Raw and batch lookups decide the same way.
    expect((await json(other, 'GET', `/m/raw_lookup?signal_type=pdq&signal=${flip(A, 25)}`)).json()).toEqual({ matches: [id - 1] });
    const batch = await json(other, 'POST', '/m/lookup/batch', { signals: [{ signal_type: 'pdq', signal: flip(A, 25) }], bypass_coinflip: true });
    expect(Object.keys(batch.json().results[0].matches)).toEqual(['PLAIN_BANK']);

    // Cleared: the default applies again.
    expect((await json(one, 'PUT', '/c/bank/TUNED_BANK', { match_thresholds: {} })).json()).not.toHaveProperty('match_thresholds');
    await until(at(25), { PLAIN_BANK: [{ bank_content_id: id - 1, distance: '25' }], TUNED_BANK: [{ bank_content_id: id, distance: '25' }] });
  });
});

describe('allow-list banks on /m', () => {
  const C = flip(A, 40).replace(/^./, '0'); // far from A: its own content
  it('are set through /c, suppress in-scope matches on another process, and say so only when asked', async () => {
    expect((await json(one, 'POST', '/c/banks', { name: 'SHARED_HASHES', labels: ['shared'] })).statusCode).toBe(201);
    expect((await json(one, 'POST', '/c/bank/SHARED_HASHES/signal', { pdq: C })).statusCode).toBeLessThan(300);
    const created = await json(one, 'POST', '/c/banks', { name: 'BENIGN', allow_list: true, allow_list_scope: ['shared'] });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ allow_list: true, allow_list_scope: ['shared'] });
    const entry = (await json(one, 'POST', '/c/bank/BENIGN/signal', { pdq: flip(C, 1) })).json().id as number;
    const lookup = `/m/lookup?signal_type=pdq&signal=${C}&bypass_coinflip=true`;
    await until(`${lookup}&include_suppressed=true`, {
      matches: {},
      suppressed: [{
        bank: 'SHARED_HASHES', bank_content_id: entry - 1, signal_type: 'pdq', distance: '0',
        suppressed_by: { bank: 'BENIGN', bank_content_id: entry, signal_type: 'pdq', distance: '1' },
      }],
    });
    // HMA's shape: the suppressed match and the allow-list entry are both absent.
    expect((await json(other, 'GET', lookup)).json()).toEqual({});
    const batch = await json(other, 'POST', '/m/lookup/batch', { signals: [{ signal_type: 'pdq', signal: C }], bypass_coinflip: true, include_suppressed: true });
    expect(batch.json().results[0]).toMatchObject({ matches: {}, suppressed: [{ bank: 'SHARED_HASHES', suppressed_by: { bank: 'BENIGN' } }] });

    // Scoped to other labels: the shared list matches again.
    expect((await json(one, 'PUT', '/c/bank/BENIGN', { allow_list_scope: ['memes'] })).json().allow_list_scope).toEqual(['memes']);
    await until(lookup, { SHARED_HASHES: [{ bank_content_id: entry - 1, distance: '0' }] });
    // Off: BENIGN is an ordinary bank and matches itself.
    expect((await json(one, 'PUT', '/c/bank/BENIGN', { allow_list: false })).json()).not.toHaveProperty('allow_list');
    await until(lookup, { SHARED_HASHES: [{ bank_content_id: entry - 1, distance: '0' }], BENIGN: [{ bank_content_id: entry, distance: '1' }] });
    const bad = await json(one, 'PUT', '/c/bank/BENIGN', { allow_list_scope: 'shared' });
    expect(bad.statusCode).toBe(400);
  });
});
