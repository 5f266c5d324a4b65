import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateExchange } from '../../src/curation/exchanges.js';
import { CommitRefused, commitBatch } from '../../src/exchanges/store/commit.js';
import { tryLease } from '../../src/exchanges/store/lease.js';
import { findRecord, storedKeys } from '../../src/exchanges/store/records.js';
import { HISTORY_KEPT, completeFetch, fetchHistory, startFetch } from '../../src/exchanges/store/status.js';
import type { RecordUpdate } from '../../src/exchanges/types.js';
import type { ScratchDb } from '../support/scratch-db.js';
import { bankSignals, exchangeDb, lastSeq, newExchange, outboxSignals } from './support/db.js';

const pdq = (n: number) => n.toString(16).padStart(64, '0');
const md5 = (n: number) => n.toString(16).padStart(32, '0');
const up = (key: string, signals: Record<string, string>, metadata = {}): RecordUpdate => ({ op: 'upsert', key, signals, metadata });
const del = (key: string): RecordUpdate => ({ op: 'delete', key });

describe('committing exchange batches', () => {
  let db: ScratchDb;
  let id: number;
  let expected: unknown = null;
  beforeAll(async () => {
    db = await exchangeDb('exstore');
    id = await newExchange(db.pool, 'FEED', 'infinite_random');
  });
  afterAll(() => db.drop());

  async function commit(updates: RecordUpdate[], progress: number) {
    const lease = (await tryLease(db.pool, id))!;
    try {
      const checkpoint = { p: progress };
      await commitBatch(lease.client, { exchangeId: id, expected, updates, checkpoint, progress });
      expected = checkpoint;
    } finally {
      await lease.release();
    }
  }

  it('creates one content item per record in the bank, and an outbox row per signal', async () => {
    const seq = await lastSeq(db.pool);
    await commit([up('a', { pdq: pdq(1) }, { x: 1 }), up('b', { pdq: pdq(2), video_md5: md5(2) }), up('c', { video_md5: md5(3) })], 1);
    expect(await bankSignals(db.pool, id)).toEqual({
      a: { pdq: pdq(1) },
      b: { pdq: pdq(2), video_md5: md5(2) },
      c: { video_md5: md5(3) },
    });
    const rows = await outboxSignals(db.pool, seq);
    expect(rows.length).toBe(4);
    expect(rows.every((r) => r.value !== null)).toBe(true);
    const status = await db.pool.query('SELECT checkpoint_json, checkpoint_ts FROM exchange_fetch_status WHERE exchange_id = $1', [id]);
    expect(status.rows[0]).toEqual({ checkpoint_json: { p: 1 }, checkpoint_ts: '1' });
    const rec = await findRecord(db.pool, 'FEED', 'a');
    expect(rec).toMatchObject({ exchange: 'FEED', key: 'a', metadata: { x: 1 }, signals: { pdq: pdq(1) } });
  });

  it('writes nothing to the outbox for an unchanged record, and only the changes otherwise', async () => {
    let seq = await lastSeq(db.pool);
    await commit([up('a', { pdq: pdq(1) }, { x: 1 }), up('c', { video_md5: md5(3) })], 2);
    expect(await outboxSignals(db.pool, seq)).toEqual([]);

    seq = await lastSeq(db.pool);
    // a: value changes; b: loses its MD5; c: deleted.
    await commit([up('a', { pdq: pdq(9) }), up('b', { pdq: pdq(2) }), del('c')], 3);
    const rows = await outboxSignals(db.pool, seq);
    const byKind = rows.map((r) => [r.key.split(':')[0], r.value === null ? 'tombstone' : r.value.value]);
    expect(byKind.sort()).toEqual([['pdq', pdq(9)], ['video_md5', 'tombstone'], ['video_md5', 'tombstone']].sort());
    expect(await bankSignals(db.pool, id)).toEqual({ a: { pdq: pdq(9) }, b: { pdq: pdq(2) } });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM bank_content')).rows[0].n).toBe(2);
  });

  it('applies the last update of a key within a batch', async () => {
    await commit([up('d', { pdq: pdq(4) }), del('d'), up('e', { pdq: pdq(5) }), up('e', { pdq: pdq(6) })], 4);
    const s = await bankSignals(db.pool, id);
    expect(s.d).toBeUndefined();
    expect(s.e).toEqual({ pdq: pdq(6) });
  });

  it('gives a record its content back when it was deleted by hand and the exchange sends it again', async () => {
    await db.pool.query("DELETE FROM bank_content c USING exchange_record r WHERE c.exchange_record_id = r.id AND r.record_key = 'e'");
    expect((await bankSignals(db.pool, id)).e).toBeUndefined();
    await commit([up('e', { pdq: pdq(6) })], 5);
    expect((await bankSignals(db.pool, id)).e).toEqual({ pdq: pdq(6) });
  });

  it('refuses a commit when the stored checkpoint moved, or the exchange is disabled', async () => {
    const lease = (await tryLease(db.pool, id))!;
    try {
      await expect(
        commitBatch(lease.client, { exchangeId: id, expected: { p: 1 }, updates: [up('z', { pdq: pdq(7) })], checkpoint: { p: 9 }, progress: 9 }),
      ).rejects.toMatchObject({ reason: 'checkpoint_moved' });
      await updateExchange(db.pool, 'FEED', { enabled: false });
      const refused = await commitBatch(lease.client, { exchangeId: id, expected, updates: [], checkpoint: { p: 9 }, progress: 9 }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(CommitRefused);
      expect((refused as CommitRefused).reason).toBe('disabled');
      await updateExchange(db.pool, 'FEED', { enabled: true });
    } finally {
      await lease.release();
    }
    expect((await bankSignals(db.pool, id)).z).toBeUndefined();
  });

  it('lets one holder lease an exchange at a time', async () => {
    const first = await tryLease(db.pool, id);
    expect(first).toBeDefined();
    expect(await tryLease(db.pool, id)).toBeUndefined();
    await first!.release();
    const again = await tryLease(db.pool, id);
    expect(again).toBeDefined();
    await again!.release();
  });

  it('keeps the last 1000 history rows of an exchange', async () => {
    await db.pool.query(
      "INSERT INTO exchange_fetch_history (exchange_id, started_at, completed_at, succeeded) SELECT $1, now(), now(), true FROM generate_series(1, 1005)",
      [id],
    );
    const historyId = await startFetch(db.pool, id, Date.now());
    await completeFetch(db.pool, id, historyId, Date.now(), { succeeded: true, upToDate: true, items: 3, error: null });
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM exchange_fetch_history WHERE exchange_id = $1', [id]);
    expect(rows[0]!.n).toBe(HISTORY_KEPT);
    expect((await fetchHistory(db.pool, id, 1))[0]).toMatchObject({ succeeded: true, items_fetched: 3 });
  });

  it('lists stored keys in pages', async () => {
    const pages: string[][] = [];
    for await (const p of storedKeys(db.pool, id, 1)) pages.push(p);
    expect(pages).toEqual([['a'], ['b'], ['e']]);
  });
});
