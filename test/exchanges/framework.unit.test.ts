import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffMs, nextDelayMs, type ScheduleSettings } from '../../src/exchanges/fetcher/schedule.js';
import { createHttpClient, parseRetryAfter } from '../../src/exchanges/http.js';
import { infiniteRandomExchange } from '../../src/exchanges/infinite-random/infinite-random.js';
import { sampleExchange } from '../../src/exchanges/sample/sample.js';
import { lastPerKey } from '../../src/exchanges/store/commit.js';
import type { AnyExchangeType, FetchBatch, JsonObject, RecordUpdate } from '../../src/exchanges/types.js';
import { startFakeServer, type FakeServer } from './fakes/server.js';
import { memoryStore, runOnce, signalsByKey } from './support/memory.js';

const up = (key: string): RecordUpdate => ({ op: 'upsert', key, signals: { pdq: '0'.repeat(64) }, metadata: {} });

/** An exchange type that yields scripted batches; checkpoints are {p: progress}. */
function scripted(script: (cp: { p: number } | null) => AsyncGenerator<FetchBatch<{ p: number }>>, extra: Partial<AnyExchangeType> = {}): AnyExchangeType {
  return {
    ...(infiniteRandomExchange as AnyExchangeType),
    name: 'scripted',
    parseConfig: () => ({}),
    parseCheckpoint: (j) => j as { p: number },
    checkpointJson: (cp) => cp as JsonObject,
    progress: (cp) => (cp as { p: number }).p,
    isStale: () => false,
    fetch: (_c, _k, cp) => script(cp as { p: number } | null),
    ...extra,
  };
}

describe('sample exchange', () => {
  it('yields the 16 PDQ and 2 MD5 examples, once', async () => {
    const store = memoryStore();
    const r = await runOnce(sampleExchange as AnyExchangeType, store, {}, undefined);
    expect(r).toEqual({ upToDate: true, items: 18 });
    const signals = Object.values(signalsByKey(store));
    expect(signals.filter((s) => s.pdq).length).toBe(16);
    expect(signals.filter((s) => s.video_md5).map((s) => s.video_md5).sort()).toEqual(['cab08b36195edb1a1231d2d09fa450e0', 'd41d8cd98f00b204e9800998ecf8427e']);
    expect(store.records.has('pdq:f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22')).toBe(true);
    // Fetched once, like HMA's NoCheckpointing: the next run does nothing.
    expect(await runOnce(sampleExchange as AnyExchangeType, store, {}, undefined)).toEqual({ upToDate: true, items: 0 });
  });
});

describe('infinite_random exchange', () => {
  it('creates, rewrites even ids and deletes odd ids, resuming its counters', async () => {
    const type = infiniteRandomExchange as AnyExchangeType;
    const store = memoryStore();
    const cfg = { new_items_per_fetch_iter: 10, total_item_limit: 30, updates_per_fetch_iter: 2, deletes_per_fetch_iter: 1 };
    await runOnce(type, store, { ...cfg, new_items_per_fetch: 20 }, undefined);
    expect(store.checkpoint).toEqual({ next_id: 20, update_count: 4, delete_count: 2 });
    expect(store.records.has('1')).toBe(false);
    expect(store.records.has('3')).toBe(false);
    expect(store.records.get('2')!.metadata).toEqual({ rewrite: 2 });
    await runOnce(type, store, cfg, undefined);
    expect(store.checkpoint).toEqual({ next_id: 30, update_count: 6, delete_count: 3 });
    expect(store.records.size).toBe(27);
    const types = new Set([...store.records.values()].flatMap((r) => Object.keys(r.signals)));
    expect(types).toEqual(new Set(['pdq', 'video_md5']));
    expect(Object.values(store.records.get('0')!.signals)[0]).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('fetch driver', () => {
  const run = (type: AnyExchangeType, store = memoryStore(), opts: Parameters<typeof runOnce>[4] = {}) => runOnce(type, store, {}, undefined, opts);

  it('coalesces batches up to the commit size, each commit with its last checkpoint', async () => {
    const type = scripted(async function* () {
      for (let p = 1; p <= 5; p++) yield { updates: [up(`a${p}`), up(`b${p}`)], checkpoint: { p } };
    });
    const store = memoryStore();
    await run(type, store, { drive: { maxCommitUpdates: 4 } });
    expect(store.commits.map((c) => [c.updates, c.progress])).toEqual([[4, 2], [4, 4], [2, 5]]);
  });

  it('commits pending updates after the delay even while the next page is slow', async () => {
    const committedAt: number[] = [];
    let secondAt = 0;
    const type = scripted(async function* () {
      yield { updates: [up('a')], checkpoint: { p: 1 } };
      await sleep(300);
      secondAt = Date.now();
      yield { updates: [up('b')], checkpoint: { p: 2 } };
    });
    const store = memoryStore();
    const origPush = store.commits.push.bind(store.commits);
    store.commits.push = (...items) => {
      committedAt.push(Date.now());
      return origPush(...items);
    };
    await run(type, store, { drive: { maxCommitDelayMs: 50 } });
    expect(committedAt.length).toBe(2);
    expect(committedAt[0]!).toBeLessThan(secondAt);
  });

  it('refuses a checkpoint that moves progress backwards, keeping what came before', async () => {
    const type = scripted(async function* () {
      yield { updates: [up('a')], checkpoint: { p: 5 } };
      yield { updates: [up('b')], checkpoint: { p: 4 } };
    });
    const store = memoryStore();
    await expect(run(type, store)).rejects.toMatchObject({ kind: 'rewound' });
    expect([...store.records.keys()]).toEqual(['a']);
    expect(store.checkpoint).toEqual({ p: 5 });
  });

  it('keeps received batches when the fetch fails, and stops at the time limit', async () => {
    let closed = false;
    const failing = scripted(async function* () {
      yield { updates: [up('a')], checkpoint: { p: 1 } };
      throw new Error('boom');
    });
    const store = memoryStore();
    await expect(run(failing, store)).rejects.toThrow('boom');
    expect(store.checkpoint).toEqual({ p: 1 });

    const endless = scripted(async function* () {
      try {
        for (let p = 1; ; p++) {
          await sleep(5);
          yield { updates: [up(`k${p}`)], checkpoint: { p } };
        }
      } finally {
        closed = true;
      }
    });
    const r = await run(endless, memoryStore(), { drive: { timeLimitMs: 50 } });
    expect(r.upToDate).toBe(false);
    expect(r.items).toBeGreaterThan(0);
    expect(closed).toBe(true);
  });

  it('drops a stale checkpoint and starts from scratch', async () => {
    const seen: unknown[] = [];
    const type = scripted(
      async function* (cp) {
        seen.push(cp);
        yield { updates: [], checkpoint: { p: 1 } };
      },
      { isStale: () => true },
    );
    const store = memoryStore();
    store.checkpoint = { p: 100 };
    await run(type, store);
    expect(seen).toEqual([null]);
    expect(store.checkpoint).toEqual({ p: 1 });
  });

  it('reduces a batch to the last update of each key', () => {
    const del: RecordUpdate = { op: 'delete', key: 'a' };
    expect(lastPerKey([up('a'), up('b'), del]).map((u) => [u.key, u.op])).toEqual([['b', 'upsert'], ['a', 'delete']]);
  });
});

describe('exchange HTTP client', () => {
  let server: FakeServer | undefined;
  afterEach(() => server?.close());

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });

  it('retries a GET on 5xx, not a POST; maps statuses to typed errors', async () => {
    server = await startFakeServer((req) => ({ status: req.url.pathname === '/ok' ? 200 : Number(req.url.pathname.slice(1)), body: 'x' }));
    const http = createHttpClient({ retries: 2, backoffMs: 1 });
    server.fault({ match: (r) => r.url.pathname === '/ok', reply: { status: 503 }, times: 2 });
    expect((await http.request({ url: `${server.url}/ok`, what: 't' })).text).toBe('x');
    server.fault({ match: (r) => r.url.pathname === '/ok', reply: { status: 503 } });
    await expect(http.request({ method: 'POST', url: `${server.url}/ok`, what: 't', body: '' })).rejects.toMatchObject({ kind: 'transient', status: 503 });
    await expect(http.request({ url: `${server.url}/401`, what: 't' })).rejects.toMatchObject({ kind: 'auth' });
    await expect(http.request({ url: `${server.url}/404`, what: 't' })).rejects.toMatchObject({ kind: 'upstream', status: 404 });
    expect((await http.request({ url: `${server.url}/304`, what: 't', accept: [304] })).status).toBe(304);
  });

  it('times out, caps the body size, and reports a refused connection as transient', async () => {
    server = await startFakeServer(async (req) => {
      if (req.url.pathname === '/slow') await sleep(500);
      return { body: 'y'.repeat(100) };
    });
    await expect(createHttpClient({ timeoutMs: 100, retries: 0 }).request({ url: `${server.url}/slow`, what: 't' })).rejects.toMatchObject({ kind: 'transient', message: expect.stringContaining('timed out') });
    await expect(createHttpClient({ maxBodyBytes: 10 }).request({ url: `${server.url}/big`, what: 't' })).rejects.toMatchObject({ kind: 'malformed' });
    await expect(createHttpClient({ retries: 0 }).request({ url: 'http://127.0.0.1:1/', what: 't' })).rejects.toMatchObject({ kind: 'transient' });
  });

  it('stops waiting when the caller aborts', async () => {
    server = await startFakeServer(async () => {
      await sleep(1000);
      return { body: '' };
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('shutdown')), 50);
    await expect(createHttpClient().request({ url: server.url, what: 't', signal: ac.signal })).rejects.toThrow('shutdown');
  });
});

describe('fetch schedule', () => {
  const s: ScheduleSettings = { intervalMs: 240_000, leaseRetryMs: 5000, backoffBaseMs: 5000, backoffMaxMs: 3_600_000 };

  it('waits the interval when up to date, continues a cut run at once, retries a busy lease soon', () => {
    expect(nextDelayMs({ kind: 'done', upToDate: true, items: 1 }, 0, s)).toBe(240_000);
    expect(nextDelayMs({ kind: 'done', upToDate: false, items: 1 }, 0, s)).toBe(0);
    expect(nextDelayMs({ kind: 'busy' }, 0, s)).toBe(5000);
  });

  it('backs off exponentially with jitter, capped, and never sooner than Retry-After', () => {
    expect(backoffMs(1, s, () => 0)).toBe(2500);
    expect(backoffMs(1, s, () => 1)).toBe(5000);
    expect(backoffMs(4, s, () => 1)).toBe(40_000);
    expect(backoffMs(30, s, () => 1)).toBe(3_600_000);
    expect(nextDelayMs({ kind: 'failed', error: 'x', retryAfterMs: 120_000 }, 1, s, () => 0)).toBe(120_000);
  });
});
