/**
 * Applies one batch of exchange updates and its checkpoint in one transaction, with
 * set-based statements (a batch is thousands of records). Each record is one content
 * item in the exchange's bank; its signals are synced so that only real changes reach
 * content_signal, whose triggers write the outbox (new values, and tombstones for
 * removed ones).
 */
import type pg from 'pg';
import { HmaError } from '../../errors/errors.js';
import { OUTBOX_LOCK_SQL, translatePgError } from '../../curation/db.js';
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
  // Unchanged metadata is not rewritten (updated_at keeps meaning "changed"), so those
  // rows are not returned and are looked up after.
  const written = await tx.query<{ id: string; record_key: string; inserted: boolean }>(
    `INSERT INTO exchange_record (exchange_id, record_key, metadata)
     SELECT $1, k, m FROM unnest($2::text[], $3::jsonb[]) AS x(k, m)
     ON CONFLICT (exchange_id, record_key) DO UPDATE SET metadata = EXCLUDED.metadata
       WHERE exchange_record.metadata IS DISTINCT FROM EXCLUDED.metadata
     RETURNING id, record_key, (xmax = 0) AS inserted`,
    [exchangeId, keys, upserts.map((u) => JSON.stringify(u.metadata))],
  );
  const recordId = new Map<string, string>();
  const existed = new Set<string>();
  for (const r of written.rows) {
    recordId.set(r.record_key, r.id);
    if (!r.inserted) existed.add(r.record_key);
  }
  const unchanged = keys.filter((k) => !recordId.has(k));
  if (unchanged.length > 0) {
    const { rows } = await tx.query<{ id: string; record_key: string }>(
      'SELECT id, record_key FROM exchange_record WHERE exchange_id = $1 AND record_key = ANY($2::text[])',
      [exchangeId, unchanged],
    );
    for (const r of rows) {
      recordId.set(r.record_key, r.id);
      existed.add(r.record_key);
    }
  }
  // New records get new content; records seen before normally have it already, but one
  // whose content was deleted by hand gets it back, as in HMA.
  const contentOf = new Map<string, string>();
  const newIds = keys.filter((k) => !existed.has(k)).map((k) => recordId.get(k)!);
  const oldIds = keys.filter((k) => existed.has(k)).map((k) => recordId.get(k)!);
  const addContent = async (recordIds: string[]) => {
    if (recordIds.length === 0) return;
    const { rows } = await tx.query<{ id: string; exchange_record_id: string }>(
      `INSERT INTO bank_content (bank_id, exchange_record_id) SELECT $2, r FROM unnest($1::bigint[]) AS r
       ON CONFLICT (exchange_record_id) DO NOTHING RETURNING id, exchange_record_id`,
      [recordIds, bankId],
    );
    for (const c of rows) contentOf.set(c.exchange_record_id, c.id);
  };
  await addContent(newIds);
  if (oldIds.length > 0) {
    const { rows } = await tx.query<{ id: string; exchange_record_id: string }>(
      'SELECT id, exchange_record_id FROM bank_content WHERE exchange_record_id = ANY($1::bigint[])',
      [oldIds],
    );
    for (const c of rows) contentOf.set(c.exchange_record_id, c.id);
    await addContent(oldIds.filter((r) => !contentOf.has(r)));
  }
  const sc: string[] = [];
  const st: string[] = [];
  const sv: string[] = [];
  const oldContents: string[] = [];
  for (const u of upserts) {
    const content = contentOf.get(recordId.get(u.key)!)!;
    if (existed.has(u.key)) oldContents.push(content);
    for (const [type, value] of Object.entries(u.signals)) {
      sc.push(content);
      st.push(type);
      sv.push(value);
    }
  }
  if (oldContents.length > 0) {
    // Signal types a record that existed before no longer has.
    await tx.query(
      `DELETE FROM content_signal s WHERE s.content_id = ANY($1::bigint[])
         AND (s.content_id, s.signal_type) NOT IN (SELECT * FROM unnest($2::bigint[], $3::text[]))`,
      [oldContents, sc, st],
    );
  }
  // New and changed values only: an unchanged value writes nothing to the outbox.
  await tx.query(
    `INSERT INTO content_signal (content_id, signal_type, signal_val)
     SELECT c, t, v FROM unnest($1::bigint[], $2::text[], $3::text[]) AS w(c, t, v) ORDER BY c, t
     ON CONFLICT (content_id, signal_type) DO UPDATE SET signal_val = EXCLUDED.signal_val, created_at = now()
       WHERE content_signal.signal_val IS DISTINCT FROM EXCLUDED.signal_val`,
    [sc, st, sv],
  );
}

/** Runs on the lease's connection, so a fetcher that lost its lease cannot commit. */
export async function commitBatch(tx: pg.PoolClient, input: CommitInput): Promise<void> {
  try {
    await tx.query('BEGIN');
    // The outbox lock first, as every curation writer takes it (no lock-order deadlocks).
    await tx.query(OUTBOX_LOCK_SQL);
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
