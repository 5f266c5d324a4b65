/**
 * Provenance and hashes with matches on /m, against the real stack: content a local_file
 * exchange fetched names its exchange, record id and tags when the caller opts in; an upload
 * lookup returns the hashes it computed with include_hashes; HMA's shapes otherwise.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeExtraRoutes } from '../../src/api/exchanges/routes.js';
import { getExchange } from '../../src/curation/exchanges.js';
import { fetchExchange } from '../../src/exchanges/fetcher/fetch-exchange.js';
import { buildApi } from '../../src/processes/api.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { pdqDir } from '../hashing/testdata.js';
import { testDeps } from '../exchanges/support/fetch.js';
import { scratchStack, type Stack } from '../support/stack.js';

// The PDQ of bridge-1-original.jpg.
const A = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const B = '0'.repeat(63) + '1';

let stack: Stack;
let runtime: Runtime;
let app: FastifyInstance;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hma-provenance-'));
  stack = await scratchStack('provenance', { SIGNAL_TYPES: 'pdq,video_md5', LOCAL_FILE_EXCHANGE_DIRS: os.tmpdir() });
  runtime = new Runtime(stack.config, 'provenance-test');
  app = (await buildApi(runtime)).app;
  await app.ready();
  exchangeExtraRoutes({ db: runtime.db, config: stack.config }); // registers the exchange types
  for (let i = 0; i < 300 && (await app.inject({ url: '/status' })).statusCode !== 200; i++) await new Promise((r) => setTimeout(r, 100));
});
afterAll(async () => {
  await runtime?.stop();
  await stack?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const get = (url: string) => app.inject({ method: 'GET', url });

async function until(url: string, ok: (body: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  for (let i = 0; i < 200; i++) {
    last = (await get(url)).json();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  return last;
}

describe('provenance and hashes with matches', () => {
  it('names the exchange, record id and tags of fetched content only when asked', async () => {
    const file = path.join(dir, 'list.jsonl');
    await writeFile(file, `{"id": "rec-1", "signal_type": "pdq", "signal": "${A}", "tags": ["csam", "sextortion"]}\n`);
    expect((await app.inject({ method: 'POST', url: '/c/exchanges', payload: { bank: 'FILE_LIST', api: 'local_file', api_json: { filename: file } } })).statusCode).toBe(201);
    const outcome = await fetchExchange(testDeps(runtime.db), await getExchange(runtime.db, 'FILE_LIST'), new AbortController().signal);
    expect(outcome).toMatchObject({ kind: 'done', items: 1 });
    // A local bank holding a neighbour: no exchange, so no provenance.
    expect((await app.inject({ method: 'POST', url: '/c/banks', payload: { name: 'LOCAL_LIST' } })).statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: '/c/bank/LOCAL_LIST/signal', payload: { pdq: A } })).statusCode).toBeLessThan(300);

    const plain = await until(`/m/lookup?signal_type=pdq&signal=${A}&bypass_coinflip=true`, (b) => 'FILE_LIST' in b && 'LOCAL_LIST' in b);
    for (const matches of Object.values(plain) as Array<Array<Record<string, unknown>>>) {
      expect(Object.keys(matches[0]!).sort()).toEqual(['bank_content_id', 'distance']); // HMA's shape
    }
    const withProvenance = (await get(`/m/lookup?signal_type=pdq&signal=${A}&bypass_coinflip=true&provenance=true`)).json();
    expect(withProvenance.FILE_LIST[0].provenance).toEqual({ exchange: 'FILE_LIST', exchange_type: 'local_file', record_id: 'rec-1', tags: ['csam', 'sextortion'] });
    expect(withProvenance.LOCAL_LIST[0]).not.toHaveProperty('provenance');

    const batch = await app.inject({ method: 'POST', url: '/m/lookup/batch', payload: { signals: [{ signal_type: 'pdq', signal: A }, { signal_type: 'pdq', signal: 'nope' }], bypass_coinflip: true, provenance: true } });
    expect(batch.json().results[0].matches.FILE_LIST[0].provenance.record_id).toBe('rec-1');
    expect(batch.json().results[1].error).toMatch(/invalid signal/);
    const bad = await get(`/m/lookup?signal_type=pdq&signal=${A}&provenance=maybe`);
    expect([bad.statusCode, bad.json().message]).toEqual([400, "provenance must be a boolean, got 'maybe'"]);
  });

  it('returns the hashes an upload was looked up by, with include_hashes', async () => {
    const image = await readFile(path.join(pdqDir(), 'pdq-data/reg-test-input/dih/bridge-1-original.jpg'));
    const upload = async (query: string) => {
      const fd = new FormData();
      fd.append('photo', new Blob([image]), 'bridge.jpg');
      const req = new Request('http://localhost/', { method: 'POST', body: fd });
      const payload = Buffer.from(await req.arrayBuffer());
      return app.inject({ method: 'POST', url: `/m/lookup${query}`, payload, headers: { 'content-type': req.headers.get('content-type')! } });
    };
    const hma = (await upload('?bypass_coinflip=true')).json();
    expect(Object.keys(hma)).toEqual(['pdq']); // HMA's {type: {bank: matches}}
    const r = await upload('?bypass_coinflip=true&include_hashes=true&provenance=true');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.hashes).toEqual({ pdq: A });
    expect(body.matches.pdq.FILE_LIST[0].provenance.record_id).toBe('rec-1');
    expect(body.matches).toEqual({ ...hma, pdq: { ...hma.pdq, FILE_LIST: body.matches.pdq.FILE_LIST } });
    const bare = await get(`/m/lookup?signal_type=pdq&signal=${B}&include_hashes=true`);
    expect([bare.statusCode, bare.json().message]).toEqual([400, 'include_hashes needs media to hash: use url or an upload']);
  });
});
