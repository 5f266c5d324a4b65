/** Fetch status (HMA's exchange_fetch_status) and the per-run history. */
import type { Queryable } from '../../curation/db.js';

export interface FetchOutcome {
  readonly succeeded: boolean;
  readonly upToDate: boolean;
  readonly items: number;
  readonly error: string | null;
}

/**
 * Marks a fetch as running and opens its history row. The caller holds the lease, so
 * any history row still open was left by a fetcher that died: close it as failed.
 */
export async function startFetch(q: Queryable, exchangeId: number, nowMs: number): Promise<number> {
  await q.query(
    `UPDATE exchange_fetch_history SET completed_at = now(), succeeded = false, up_to_date = false,
       error = COALESCE(error, 'the fetcher stopped before completing (crash or kill)')
     WHERE exchange_id = $1 AND completed_at IS NULL`,
    [exchangeId],
  );
  await q.query(
    `INSERT INTO exchange_fetch_status (exchange_id, running_fetch_start_ts) VALUES ($1, $2)
     ON CONFLICT (exchange_id) DO UPDATE SET running_fetch_start_ts = EXCLUDED.running_fetch_start_ts`,
    [exchangeId, Math.floor(nowMs / 1000)],
  );
  const { rows } = await q.query<{ id: string }>(
    'INSERT INTO exchange_fetch_history (exchange_id, started_at) VALUES ($1, to_timestamp($2 / 1000.0)) RETURNING id',
    [exchangeId, nowMs],
  );
  return Number(rows[0]!.id);
}

/** History rows kept per exchange (a fetcher adds one every few minutes, forever). */
export const HISTORY_KEPT = 1000;

export async function completeFetch(q: Queryable, exchangeId: number, historyId: number, nowMs: number, o: FetchOutcome): Promise<void> {
  await q.query(
    `UPDATE exchange_fetch_status SET running_fetch_start_ts = NULL, last_fetch_complete_ts = $2,
       last_fetch_succeeded = $3, is_up_to_date = $4 WHERE exchange_id = $1`,
    [exchangeId, Math.floor(nowMs / 1000), o.succeeded, o.upToDate],
  );
  await q.query(
    `UPDATE exchange_fetch_history SET completed_at = to_timestamp($2 / 1000.0), succeeded = $3, up_to_date = $4,
       items_fetched = $5, error = $6 WHERE id = $1`,
    [historyId, nowMs, o.succeeded, o.upToDate, o.items, o.error],
  );
  await q.query(
    `DELETE FROM exchange_fetch_history WHERE exchange_id = $1 AND id < (
       SELECT id FROM exchange_fetch_history WHERE exchange_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
    [exchangeId, HISTORY_KEPT - 1],
  );
}

export async function readCheckpoint(q: Queryable, exchangeId: number): Promise<unknown> {
  const { rows } = await q.query<{ checkpoint_json: unknown }>(
    'SELECT checkpoint_json FROM exchange_fetch_status WHERE exchange_id = $1',
    [exchangeId],
  );
  return rows[0]?.checkpoint_json ?? null;
}

export interface HistoryEntry {
  readonly started_at: string;
  readonly completed_at: string | null;
  readonly succeeded: boolean | null;
  readonly up_to_date: boolean | null;
  readonly items_fetched: number;
  readonly error: string | null;
}

/** The last `limit` runs, newest first. */
export async function fetchHistory(q: Queryable, exchangeId: number, limit: number): Promise<HistoryEntry[]> {
  const { rows } = await q.query<Omit<HistoryEntry, 'items_fetched'> & { items_fetched: string }>(
    `SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at,
            to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS completed_at,
            succeeded, up_to_date, items_fetched, error
     FROM exchange_fetch_history WHERE exchange_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2`,
    [exchangeId, limit],
  );
  return rows.map((r) => ({ ...r, items_fetched: Number(r.items_fetched) }));
}
