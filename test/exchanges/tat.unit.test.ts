import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tatExchange } from '../../src/exchanges/tat/tat.js';
import { tatProgress } from '../../src/exchanges/tat/wire.js';
import type { AnyExchangeType } from '../../src/exchanges/types.js';
import { TAT_CREDS, startFakeTat, type FakeTat, type FakeTatResult } from './fakes/tat.js';
import { memoryStore, runOnce, signalsByKey } from './support/memory.js';

const type = tatExchange as AnyExchangeType;
const pdq = (n: number) => n.toString(16).padStart(64, '0');
const md5 = (n: number) => n.toString(16).padStart(32, '0');
const result = (id: number, ts: number, extra: Partial<FakeTatResult> = {}): FakeTatResult => ({
  id, hash_digest: pdq(id), algorithm: 'PDQ', ideology: 'far-right', file_type: 'png', deleted: false, updated_on: ts, created_on: ts, ...extra,
});

describe('tat checkpoints', () => {
  it('reads progress from the cursor string', () => {
    expect(tatProgress('1724856487.709035,10594')).toBe(1724856487);
    expect(tatProgress('')).toBeNull();
  });
});

describe('tat against a fake service', () => {
  let fake: FakeTat;
  beforeEach(async () => {
    fake = await startFakeTat();
    fake.results = Array.from({ length: 7 }, (_, i) => result(i + 1, 1000 + i));
  });
  afterEach(() => fake.close());
  const run = (store = memoryStore(), extra: Parameters<typeof runOnce>[4] = {}, creds: Record<string, unknown> = TAT_CREDS) =>
    runOnce(type, store, {}, creds, { baseUrl: fake.url, ...extra });

  for (const style of ['query', 'url'] as const) {
    it(`pages with next as a ${style}, logging in once, then fetches after the cursor`, async () => {
      fake.nextStyle = style;
      const store = memoryStore();
      await run(store, { drive: { maxCommitUpdates: 1 } });
      expect(store.records.size).toBe(7);
      expect(fake.logins).toBe(1);
      expect(store.checkpoint).toEqual({ checkpoint: '1006.000000,7' });
      expect(fake.requests[1]!.url.search).toBe('?order=asc');

      fake.results.push(result(8, 2000), result(3, 2001, { deleted: true }), result(9, 2002, { algorithm: 'MD5', file_type: 'mp4', hash_digest: md5(9) }));
      fake.results.push(result(10, 2003, { algorithm: 'MD5', file_type: 'jpg', hash_digest: md5(10) }));
      await run(store);
      const signals = signalsByKey(store);
      expect(signals[`pdq:${pdq(8)}`]).toEqual({ pdq: pdq(8) });
      expect(signals[`pdq:${pdq(3)}`]).toBeUndefined();
      expect(signals[`video_md5:${md5(9)}`]).toEqual({ video_md5: md5(9) });
      expect(signals[`video_md5:${md5(10)}`]).toBeUndefined(); // an image MD5 is not a video MD5
      expect(store.records.size).toBe(8);
    });
  }

  it('logs in again when the token expires mid-fetch', async () => {
    fake.tokenUses = 2;
    const store = memoryStore();
    await run(store);
    expect(store.records.size).toBe(7);
    expect(fake.logins).toBe(2);
  });

  it('reports refused credentials as an auth error', async () => {
    await expect(run(memoryStore(), {}, { username: 'analyst', password: 'wrong' })).rejects.toMatchObject({ kind: 'auth' });
  });

  it('waits out a 429 with Retry-After', async () => {
    fake.fault({ match: (r) => r.url.searchParams.has('offset'), reply: { status: 429, headers: { 'retry-after': '1' } } });
    const store = memoryStore();
    await run(store);
    expect(store.records.size).toBe(7);
  });

  it('keeps the pages before a lasting 500 and resumes after the cursor', async () => {
    fake.fault({ match: (r) => r.url.searchParams.get('offset') === '6', reply: { status: 502 }, times: 3 });
    const store = memoryStore();
    await expect(run(store, { drive: { maxCommitUpdates: 1 } })).rejects.toMatchObject({ kind: 'transient' });
    expect(store.records.size).toBe(6);
    expect(store.checkpoint).toEqual({ checkpoint: '1005.000000,6' });
    const before = fake.requests.length;
    await run(store);
    expect(store.records.size).toBe(7);
    expect(fake.requests.slice(before).find((r) => r.method === 'GET')!.url.searchParams.get('after')).toBe('1005.000000,6');
  });

  it('fails on a malformed body, keeping earlier pages', async () => {
    fake.fault({ match: (r) => r.url.searchParams.has('offset'), reply: { status: 200, body: '{"results": [{"id": 1}]}' } });
    const store = memoryStore();
    await expect(run(store, { drive: { maxCommitUpdates: 1 } })).rejects.toMatchObject({ kind: 'malformed' });
    expect(store.records.size).toBe(3);
  });

  it('has no feedback', async () => {
    await expect(type.sendFeedback({}, type.parseCredentials(TAT_CREDS), { key: 'k', metadata: {}, signals: {} }, { kind: 'true_positive', labels: [] }, null as never)).rejects.toMatchObject({ kind: 'unsupported' });
  });
});
