/** Reads of fetched exchange records. */
import type { Queryable } from '../../curation/db.js';
import type { JsonObject, StoredRecord } from '../types.js';

/** Stored record keys of an exchange, in pages (keyset order). */
export async function* storedKeys(q: Queryable, exchangeId: number, pageSize = 10_000): AsyncGenerator<string[]> {
  let after: string | null = null;
  for (;;) {
    const { rows }: { rows: { record_key: string }[] } = await q.query(
      `SELECT record_key FROM exchange_record WHERE exchange_id = $1 AND ($2::text IS NULL OR record_key > $2)
       ORDER BY record_key LIMIT $3`,
      [exchangeId, after, pageSize],
    );
    if (rows.length === 0) return;
    yield rows.map((r) => r.record_key);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.record_key;
  }
}

export interface RecordDetail extends StoredRecord {
  readonly exchange: string;
  readonly content_id: number | null;
  readonly fetched_at: string;
  readonly updated_at: string;
}

interface RecordRow {
  exchange: string;
  record_key: string;
  metadata: JsonObject;
  content_id: string | null;
  signals: Record<string, string> | null;
  fetched_at: string;
  updated_at: string;
}

const SELECT = `SELECT e.name AS exchange, r.record_key, r.metadata, c.id AS content_id,
    (SELECT jsonb_object_agg(s.signal_type, s.signal_val) FROM content_signal s WHERE s.content_id = c.id) AS signals,
    to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS fetched_at,
    to_char(r.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at
  FROM exchange_record r JOIN exchange e ON e.id = r.exchange_id LEFT JOIN bank_content c ON c.exchange_record_id = r.id`;

const toDetail = (r: RecordRow): RecordDetail => ({
  exchange: r.exchange,
  key: r.record_key,
  metadata: r.metadata,
  content_id: r.content_id === null ? null : Number(r.content_id),
  signals: r.signals ?? {},
  fetched_at: r.fetched_at,
  updated_at: r.updated_at,
});

export async function findRecord(q: Queryable, exchangeName: string, key: string): Promise<RecordDetail | undefined> {
  const { rows } = await q.query<RecordRow>(`${SELECT} WHERE e.name = $1 AND r.record_key = $2`, [exchangeName, key]);
  return rows[0] ? toDetail(rows[0]) : undefined;
}

/** The exchange records behind content items (content not from an exchange is absent). */
export async function recordsOfContent(q: Queryable, contentIds: readonly number[]): Promise<Map<number, RecordDetail>> {
  const { rows } = await q.query<RecordRow>(`${SELECT} WHERE c.id = ANY($1::bigint[])`, [contentIds]);
  return new Map(rows.map((r) => [Number(r.content_id), toDetail(r)]));
}
