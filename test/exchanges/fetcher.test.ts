import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getExchange, getFetchStatus, setApiCredentials, updateExchange } from '../../src/curation/exchanges.js';
import { exchangeTypeRegistry } from '../../src/exchanges/registry.js';
import { fetchExchange } from '../../src/exchanges/fetcher/fetch-exchange.js';
import { createFetcher } from '../../src/exchanges/fetcher/fetcher.js';
import { fetchHistory } from '../../src/exchanges/store/status.js';
import type { ScratchDb } from '../support/scratch-db.js';
import { startFakeNcmec, type FakeNcmec } from './fakes/ncmec.js';
import { bankSignals, exchangeDb, newExchange } from './support/db.js';
import { testDeps, testSettings } from './support/fetch.js';

const root = path.resolve(import.meta.dirname, '../..');
const never = new AbortController().signal;
const md5 = (n: number) => n.toString(16).padStart(32, '0');

describe('fetching into the database', () => {
  let db: ScratchDb;
  let fake: FakeNcmec;
  beforeAll(async () => {
    db = await exchangeDb('exfetch');
    fake = await startFakeNcmec();
    const t0 = Math.floor(Date.now() / 1000) - 50_000;
    fake.entries = Array.from({ length: 10 }, (_, i) => ({
      memberId: 7, memberName: 'ESP', id: `v${i}`, type: 'video' as const, deleted: false, timestamp: t0 + i * 100, fingerprints: { md5: md5(i) },
    }));
  });
  afterAll(async () => {
    await fake.close();
    await db.drop();
  });

  it('fetches the sample exchange into its bank: 18 signals, status and history recorded, then only once', async () => {
    const id = await newExchange(db.pool, 'SEED_SAMPLE', 'sample');
    const deps = testDeps(db.pool);
    const outcome = await fetchExchange(deps, await getExchange(db.pool, 'SEED_SAMPLE'), never);
    expect(outcome).toEqual({ kind: 'done', upToDate: true, items: 18 });
    const signals = Object.values(await bankSignals(db.pool, id));
    expect(signals.length).toBe(18);
    expect(signals.filter((s) => s.pdq).length).toBe(16);
    expect(signals.filter((s) => s.video_md5).length).toBe(2);
    const status = await getFetchStatus(db.pool, 'SEED_SAMPLE');
    expect(status).toMatchObject({ running_fetch_start_ts: null, last_fetch_succeeded: true, up_to_date: true, fetched_items: 18 });
    expect(status.last_fetch_complete_ts).toBeGreaterThan(0);
    expect(await fetchExchange(deps, await getExchange(db.pool, 'SEED_SAMPLE'), never)).toEqual({ kind: 'done', upToDate: true, items: 0 });
    const history = await fetchHistory(db.pool, id, 10);
    expect(history.map((h) => [h.succeeded, h.up_to_date, h.items_fetched])).toEqual([[true, true, 0], [true, true, 18]]);
  });

  it('records bad or missing credentials as a failed fetch with a clear error, never the secret', async () => {
    const id = await newExchange(db.pool, 'NCMEC_BAD', 'ncmec', { environment: 'https://exttest.cybertip.org/hashsharing' });
    const deps = testDeps(db.pool, { ncmec: fake.url });
    const missing = await fetchExchange(deps, await getExchange(db.pool, 'NCMEC_BAD'), never);
    expect(missing).toMatchObject({ kind: 'failed', error: expect.stringContaining('no credentials set') });
    await setApiCredentials(db.pool, exchangeTypeRegistry({ PRODUCTION: false }), 'ncmec', { credential_json: { user: 'user', password: 'hunter2-wrong' } });
    const refused = await fetchExchange(deps, await getExchange(db.pool, 'NCMEC_BAD'), never);
    expect(refused).toMatchObject({ kind: 'failed', error: 'NCMEC entries: credentials refused (HTTP 401)' });
    expect(await getFetchStatus(db.pool, 'NCMEC_BAD')).toMatchObject({ last_fetch_succeeded: false, up_to_date: false, running_fetch_start_ts: null });
    const history = await fetchHistory(db.pool, id, 10);
    expect(history[0]!.error).toBe('NCMEC entries: credentials refused (HTTP 401)');
    expect(JSON.stringify(history)).not.toContain('hunter2');
  });

  it('keeps what a failed fetch committed and resumes there on the next run', async () => {
    await setApiCredentials(db.pool, exchangeTypeRegistry({ PRODUCTION: false }), 'ncmec', { credential_json: { user: 'user', password: 'secret' } });
    const id = await newExchange(db.pool, 'NCMEC_OK', 'ncmec', { environment: 'https://exttest.cybertip.org/hashsharing' });
    const deps = testDeps(db.pool, { ncmec: fake.url }, { maxCommitUpdates: 1 });
    fake.fault({ match: (r) => r.url.searchParams.get('start') === '7', reply: { status: 500 }, times: 3 });
    const failed = await fetchExchange(deps, await getExchange(db.pool, 'NCMEC_OK'), never);
    expect(failed).toMatchObject({ kind: 'failed', error: 'NCMEC entries: upstream error (HTTP 500)' });
    expect(Object.keys(await bankSignals(db.pool, id)).length).toBe(6);
    const ok = await fetchExchange(deps, await getExchange(db.pool, 'NCMEC_OK'), never);
    expect(ok).toMatchObject({ kind: 'done', upToDate: true, items: 4 });
    expect(Object.keys(await bankSignals(db.pool, id)).length).toBe(10);
    const history = await fetchHistory(db.pool, id, 10);
    expect(history.map((h) => [h.succeeded, h.items_fetched])).toEqual([[true, 4], [false, 6]]);
  });

  it('runs one fetch per exchange at a time across fetchers, and both fetchers together get everything', async () => {
    const id = await newExchange(db.pool, 'RANDOM_TWO', 'infinite_random', { new_items_per_fetch_iter: 100, total_item_limit: 3000, sleep_per_iter: 0.01 });
    const a = createFetcher(testDeps(db.pool, {}, { timeLimitMs: 200 }), testSettings);
    const b = createFetcher(testDeps(db.pool, {}, { timeLimitMs: 200 }), testSettings);
    a.start();
    b.start();
    for (let i = 0; i < 200; i++) {
      const status = await getFetchStatus(db.pool, 'RANDOM_TWO');
      if (status.fetched_items === 3000 && status.up_to_date) break;
      await sleep(100);
    }
    await Promise.all([a.stop(), b.stop()]);
    expect(Object.keys(await bankSignals(db.pool, id)).length).toBe(3000);
    const runs = await db.pool.query<{ started_at: Date; completed_at: Date }>(
      'SELECT started_at, completed_at FROM exchange_fetch_history WHERE exchange_id = $1 ORDER BY started_at',
      [id],
    );
    expect(runs.rows.length).toBeGreaterThan(1);
    for (let i = 1; i < runs.rows.length; i++) {
      expect(runs.rows[i]!.started_at.getTime()).toBeGreaterThanOrEqual(runs.rows[i - 1]!.completed_at.getTime());
    }
  });

  it('records a run interrupted by shutdown as such, and keeps what it committed', async () => {
    const id = await newExchange(db.pool, 'RANDOM_STOP', 'infinite_random', { new_items_per_fetch_iter: 10, total_item_limit: 1000, sleep_per_iter: 0.2 });
    const f = createFetcher(testDeps(db.pool), testSettings);
    f.start();
    for (let i = 0; i < 100 && (await getFetchStatus(db.pool, 'RANDOM_STOP')).fetched_items < 10; i++) await sleep(50);
    await f.stop();
    const status = await getFetchStatus(db.pool, 'RANDOM_STOP');
    expect(status).toMatchObject({ running_fetch_start_ts: null, last_fetch_succeeded: false, up_to_date: false });
    expect(status.fetched_items).toBeGreaterThanOrEqual(10);
    expect((await fetchHistory(db.pool, id, 1))[0]).toMatchObject({ error: 'interrupted: the fetcher is stopping' });
    await updateExchange(db.pool, 'RANDOM_STOP', { enabled: false });
  });

  it('loses nothing when a fetcher is killed with SIGKILL mid-fetch: another takes over and resumes', async () => {
    const id = await newExchange(db.pool, 'RANDOM_KILL', 'infinite_random', { new_items_per_fetch_iter: 50, total_item_limit: 4000, sleep_per_iter: 0.02 });
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      LOG_LEVEL: 'warn',
      PRODUCTION: 'false',
      FETCHER_COMMIT_MAX_DELAY_MS: '50',
      // The other exchanges of this schema must not reach the real NCMEC.
      EXCHANGE_BASE_URLS: `ncmec=${fake.url}`,
    };
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/exchanges/support/fetcher-main.ts')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const other = createFetcher(testDeps(db.pool), testSettings);
    try {
      let fetched = 0;
      for (let i = 0; i < 300 && fetched < 500; i++) {
        await sleep(100);
        fetched = (await getFetchStatus(db.pool, 'RANDOM_KILL')).fetched_items;
      }
      expect(fetched).toBeGreaterThanOrEqual(500);
      // A second fetcher is running too, but the child holds this exchange's lease.
      other.start();
      await sleep(500);
      expect((await fetchHistory(db.pool, id, 10)).length).toBe(1);
      expect((await getFetchStatus(db.pool, 'RANDOM_KILL')).fetched_items).toBeLessThan(4000);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      for (let i = 0; i < 300; i++) {
        const status = await getFetchStatus(db.pool, 'RANDOM_KILL');
        if (status.up_to_date && status.fetched_items === 4000) break;
        await sleep(100);
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await other.stop();
    }
    const signals = await bankSignals(db.pool, id);
    expect(Object.keys(signals).length).toBe(4000);
    expect(new Set(Object.keys(signals).map(Number))).toEqual(new Set(Array.from({ length: 4000 }, (_, i) => i)));
    const cp = await db.pool.query<{ checkpoint_json: { next_id: number } }>('SELECT checkpoint_json FROM exchange_fetch_status WHERE exchange_id = $1', [id]);
    expect(cp.rows[0]!.checkpoint_json.next_id).toBe(4000);
    const content = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM bank_content c JOIN bank b ON b.id = c.bank_id WHERE b.exchange_id = $1', [id]);
    expect(content.rows[0]!.n).toBe(4000);
    const history = await fetchHistory(db.pool, id, 10);
    expect(history.at(-1)).toMatchObject({ succeeded: false, error: expect.stringContaining('stopped before completing') });
    expect(history[0]).toMatchObject({ succeeded: true, up_to_date: true });
  });
});
