/**
 * End to end on the real broker, registry and database: the sample exchange fetched by
 * the fetcher lands in its bank, flows through the outbox relay and the signal topics
 * into an API process's replica, and every one of its 18 signals becomes matchable.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeExtraRoutes } from '../../src/api/exchanges/routes.js';
import { getExchange } from '../../src/curation/exchanges.js';
import { fetchExchange } from '../../src/exchanges/fetcher/fetch-exchange.js';
import { SAMPLE_SIGNALS } from '../../src/exchanges/sample/examples.js';
import { buildApi } from '../../src/processes/api.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { scratchStack, type Stack } from '../support/stack.js';
import { testDeps } from './support/fetch.js';

let stack: Stack;
let runtime: Runtime;
let app: FastifyInstance;

beforeAll(async () => {
  stack = await scratchStack('exsample');
  runtime = new Runtime(stack.config, 'exchanges-e2e');
  app = (await buildApi(runtime)).app;
  await app.ready();
  exchangeExtraRoutes({ db: runtime.db, config: stack.config }); // registers the exchange types
  for (let i = 0; i < 300 && (await app.inject({ url: '/status' })).statusCode !== 200; i++) await new Promise((r) => setTimeout(r, 100));
});
afterAll(async () => {
  await runtime?.stop();
  await stack?.drop();
});

/** Content ids matching the value exactly (PDQ lookups also return near neighbours). */
const exact = async (type: string, value: string): Promise<number[]> => {
  const res = await app.inject({ url: `/m/raw_lookup?signal_type=${type}&signal=${value}&include_distance=true` });
  const found = res.json().matches as { bank_content_id: number; distance: string }[];
  return found.filter((m) => m.distance === '0' || m.distance === '-').map((m) => m.bank_content_id);
};

describe('the sample exchange end to end', () => {
  it('makes its 16 PDQ and 2 MD5 signals matchable in bank SEED_SAMPLE', async () => {
    expect((await app.inject({ method: 'POST', url: '/c/exchanges', payload: { bank: 'SEED_SAMPLE', api: 'sample' } })).statusCode).toBe(201);
    const outcome = await fetchExchange(testDeps(runtime.db), await getExchange(runtime.db, 'SEED_SAMPLE'), new AbortController().signal);
    expect(outcome).toEqual({ kind: 'done', upToDate: true, items: 18 });

    const wanted = [...SAMPLE_SIGNALS.pdq!.map((v) => ['pdq', v] as const), ...SAMPLE_SIGNALS.video_md5!.map((v) => ['video_md5', v] as const)];
    let found: number[][] = [];
    for (let i = 0; i < 300; i++) {
      found = await Promise.all(wanted.map(([t, v]) => exact(t, v)));
      if (found.every((m) => m.length > 0)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(found.every((m) => m.length === 1)).toBe(true);
    expect(new Set(found.flat()).size).toBe(18);

    // The 12 bridge-mods hashes are one near-duplicate cluster within distance 31.
    const near = (await app.inject({ url: `/m/lookup?signal_type=pdq&signal=${SAMPLE_SIGNALS.pdq![0]}` })).json();
    expect(Object.keys(near)).toEqual(['SEED_SAMPLE']);
    expect(near.SEED_SAMPLE.length).toBe(12);
  });
});
