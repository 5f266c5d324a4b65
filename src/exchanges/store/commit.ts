/**
 * Applies one batch of exchange updates and its checkpoint in one transaction, with
 * set-based statements (a batch is thousands of records). Each record is one content
 * item in the exchange's bank; its signals are synced so that only real changes reach
 * content_signal, whose triggers write the outbox (new values, and tombstones for
 * removed ones).
 */
import type pg from 'pg';
import { HmaError } from '../../errors/errors.js';
import { OUTBOX_LOCK_KEY, translatePgError } from '../../curation/db.js';
import type { JsonObject, RecordUpdate } from '../types.js';

/** The commit was refused: the fetch must stop (not an upstream problem). */
export class CommitRefused extends HmaError {
  constructor(readonly reason: 'deleted' | 'disabled' | 'no_bank' | 'checkpoint_moved', message: string) {
    super('conflict', message);
    this.name = 'CommitRefused';
  }
}

/** The final state of each key in a batch: later updates of a key replace earlier ones. */
export function lastPerKey(updates: readonly RecordUpdate[]): RecordUpdate[] {
  const last = new Map<string, RecordUpdate>();
  for (const u of updates) {
    last.delete(u.key); // keep the order of last occurrence
    last.set(u.key, u);
  }
  return [...last.values()];
}

export interface CommitInput {
  readonly exchangeId: number;
  /** The checkpoint the stored one must still be (what this fetch last committed or started from). */
  readonly expected: unknown;
  readonly updates: readonly RecordUpdate[];
  readonly checkpoint: JsonObject;
  readonly progress: number | null;
}

async function applyDeletes(tx: pg.PoolClient, exchangeId: number, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  // Signals first, in one statement: one trigger run writes all tombstones.
  await tx.query(
    `DELETE FROM content_signal s USING bank_content c, exchange_record r
     WHERE r.exchange_id = $1 AND r.record_key = ANY($2::text[]) AND c.exchange_record_id = r.id AND s.content_id = c.id`,
    [exchangeId, keys],
  );
  await tx.query(
    `DELETE FROM bank_content c USING exchange_record r
     WHERE r.exchange_id = $1 AND r.record_key = ANY($2::text[]) AND c.exchange_record_id = r.id`,
    [exchangeId, keys],
  );
  await tx.query('DELETE FROM exchange_record WHERE exchange_id = $1 AND record_key = ANY($2::text[])', [exchangeId, keys]);
}

async function applyUpserts(
  tx: pg.PoolClient,
  exchangeId: number,
  bankId: number,
  upserts: Extract<RecordUpdate, { op: 'upsert' }>[],
): Promise<void> {
  if (upserts.length === 0) return;
  const keys = upserts.map((u) => u.key);
  await tx.query(
    `INSERT INTO exchange_record (exchange_id, record_key, metadata)
     SELECT $1, k, m FROM unnest($2::text[], $3::jsonb[]) AS x(k, m)
     ON CONFLICT (exchange_id, record_key) DO UPDATE SET metadata = EXCLUDED.metadata
       WHERE exchange_record.metadata IS DISTINCT FROM EXCLUDED.metadata`,
    [exchangeId, keys, upserts.map((u) => JSON.stringify(u.metadata))],
  );
  await tx.query(
    `INSERT INTO bank_content (bank_id, exchange_record_id)
     SELECT $3, r.id FROM exchange_record r
     WHERE r.exchange_id = $1 AND r.record_key = ANY($2::text[])
       AND NOT EXISTS (SELECT 1 FROM bank_content c WHERE c.exchange_record_id = r.id)
     ORDER BY r.id`,
    [exchangeId, keys, bankId],
  );
  const sk: string[] = [];
  const st: string[] = [];
  const sv: string[] = [];
  for (const u of upserts) {
    for (const [type, value] of Object.entries(u.signals)) {
      sk.push(u.key);
      st.push(type);
      sv.push(value);
    }
  }
  // Signal types a record no longer has.
  await tx.query(
    `DELETE FROM content_signal s USING bank_content c, exchange_record r
     WHERE r.exchange_id = $1 AND r.record_key = ANY($2::text[]) AND c.exchange_record_id = r.id AND s.content_id = c.id
       AND NOT EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[]) AS w(k, t) WHERE w.k = r.record_key AND w.t = s.signal_type)`,
    [exchangeId, keys, sk, st],
  );
  // New and changed values only: an unchanged value writes nothing to the outbox.
  await tx.query(
    `INSERT INTO content_signal (content_id, signal_type, signal_val)
     SELECT c.id, w.t, w.v FROM unnest($2::text[], $3::text[], $4::text[]) AS w(k, t, v)
       JOIN exchange_record r ON r.exchange_id = $1 AND r.record_key = w.k
       JOIN bank_content c ON c.exchange_record_id = r.id
     ORDER BY c.id, w.t
     ON CONFLICT (content_id, signal_type) DO UPDATE SET signal_val = EXCLUDED.signal_val, created_at = now()
       WHERE content_signal.signal_val IS DISTINCT FROM EXCLUDED.signal_val`,
    [exchangeId, sk, st, sv],
  );
}

/** Runs on the lease's connection, so a fetcher that lost its lease cannot commit. */
export async function commitBatch(tx: pg.PoolClient, input: CommitInput): Promise<void> {
  try {
    await tx.query('BEGIN');
    // The outbox lock first, as every curation writer takes it (no lock-order deadlocks).
    await tx.query(`SELECT pg_advisory_xact_lock(${OUTBOX_LOCK_KEY})`);
    const { rows } = await tx.query<{ enabled: boolean; bank_id: string | null; matches: boolean }>(
      `SELECT e.enabled, b.id AS bank_id,
              (SELECT s.checkpoint_json FROM exchange_fetch_status s WHERE s.exchange_id = e.id) IS NOT DISTINCT FROM $2::jsonb AS matches
       FROM exchange e LEFT JOIN bank b ON b.exchange_id = e.id WHERE e.id = $1 FOR UPDATE OF e`,
      [input.exchangeId, input.expected === null || input.expected === undefined ? null : JSON.stringify(input.expected)],
    );
    const row = rows[0];
    if (!row) throw new CommitRefused('deleted', 'the exchange was deleted during the fetch');
    if (!row.enabled) throw new CommitRefused('disabled', 'the exchange was disabled during the fetch');
    if (row.bank_id === null) throw new CommitRefused('no_bank', "the exchange's bank no longer exists");
    if (!row.matches) throw new CommitRefused('checkpoint_moved', 'the stored checkpoint changed under this fetch (another fetcher?)');
    const final = lastPerKey(input.updates);
    await applyDeletes(tx, input.exchangeId, final.filter((u) => u.op === 'delete').map((u) => u.key));
    await applyUpserts(tx, input.exchangeId, Number(row.bank_id), final.filter((u) => u.op === 'upsert'));
    await tx.query(
      `INSERT INTO exchange_fetch_status (exchange_id, checkpoint_json, checkpoint_ts) VALUES ($1, $2, $3)
       ON CONFLICT (exchange_id) DO UPDATE SET checkpoint_json = EXCLUDED.checkpoint_json, checkpoint_ts = EXCLUDED.checkpoint_ts`,
      [input.exchangeId, JSON.stringify(input.checkpoint), input.progress],
    );
    await tx.query('COMMIT');
  } catch (err) {
    await tx.query('ROLLBACK').catch(() => undefined);
    throw translatePgError(err);
  }
}
