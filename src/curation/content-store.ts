/** SQL for bank content and its signals. Callers hold a write transaction for every change. */
import { num, type Queryable, type Tx } from './db.js';
import type { ContentMetadata } from './content-fields.js';

export interface NewContent {
  readonly bankId: number;
  readonly signals: Readonly<Record<string, string>>;
  readonly metadata?: ContentMetadata;
  readonly note?: string | null;
  readonly reviewLabels?: readonly string[];
  readonly disableUntil?: number;
  readonly exchangeRecordId?: number;
}

export interface Content {
  readonly id: number;
  readonly bank_id: number;
  readonly disable_until_ts: number;
  readonly original_content_uri: string | null;
  readonly platform_content_id: string | null;
  readonly review_labels: readonly string[];
  /** content_uri and json of the user metadata (content_id is platform_content_id). */
  readonly metadata: { content_uri?: string; json?: Record<string, unknown> } | null;
  readonly note: string | null;
  readonly signals: Readonly<Record<string, string>>;
  /** Exchange provenance, as HMA's collab_metadata: exchange name → record keys. */
  readonly collab: Readonly<Record<string, readonly string[]>>;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** Splits user metadata into the platform id column and the jsonb rest. */
function storedMetadata(m: ContentMetadata | undefined): Record<string, unknown> | null {
  if (!m) return null;
  const rest: Record<string, unknown> = {};
  if (m.content_uri !== undefined) rest.content_uri = m.content_uri;
  if (m.json !== undefined) rest.json = m.json;
  return Object.keys(rest).length ? rest : null;
}

export async function insertContent(tx: Tx, c: NewContent): Promise<number> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO bank_content (bank_id, platform_content_id, review_labels, metadata, note, disable_until_ts, exchange_record_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      c.bankId,
      c.metadata?.content_id ?? null,
      c.reviewLabels ?? [],
      storedMetadata(c.metadata),
      c.note ?? null,
      c.disableUntil ?? 1,
      c.exchangeRecordId ?? null,
    ],
  );
  const id = num(rows[0]!.id);
  const types = Object.keys(c.signals);
  if (types.length > 0) {
    await tx.query(
      `INSERT INTO content_signal (content_id, signal_type, signal_val)
       SELECT $1, t, v FROM unnest($2::text[], $3::text[]) AS x(t, v)`,
      [id, types, types.map((t) => c.signals[t]!)],
    );
  }
  return id;
}

interface ContentRow {
  id: string;
  bank_id: string;
  disable_until_ts: string;
  original_content_uri: string | null;
  platform_content_id: string | null;
  review_labels: string[];
  metadata: Content['metadata'];
  note: string | null;
  signals: Record<string, string> | null;
  collab: Record<string, string[]> | null;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `SELECT c.id, c.bank_id, c.disable_until_ts, c.original_content_uri, c.platform_content_id,
    c.review_labels, c.metadata, c.note, c.created_at, c.updated_at,
    (SELECT jsonb_object_agg(s.signal_type, s.signal_val) FROM content_signal s WHERE s.content_id = c.id) AS signals,
    (SELECT jsonb_build_object(e.name, jsonb_build_array(r.record_key))
       FROM exchange_record r JOIN exchange e ON e.id = r.exchange_id WHERE r.id = c.exchange_record_id) AS collab
  FROM bank_content c`;

const toContent = (r: ContentRow): Content => ({
  ...r,
  id: num(r.id),
  bank_id: num(r.bank_id),
  disable_until_ts: num(r.disable_until_ts),
  signals: r.signals ?? {},
  collab: r.collab ?? {},
});

export async function findContent(q: Queryable, id: number, lock = false): Promise<Content | undefined> {
  const { rows } = await q.query<ContentRow>(`${SELECT} WHERE c.id = $1${lock ? ' FOR UPDATE OF c' : ''}`, [id]);
  return rows[0] ? toContent(rows[0]) : undefined;
}

export interface ContentChanges {
  readonly disableUntil?: number;
  /** null clears the note. */
  readonly note?: string | null;
}

export async function updateContent(tx: Tx, id: number, c: ContentChanges): Promise<void> {
  await tx.query(
    `UPDATE bank_content SET disable_until_ts = COALESCE($2, disable_until_ts),
       note = CASE WHEN $3 THEN $4 ELSE note END WHERE id = $1`,
    [id, c.disableUntil ?? null, c.note !== undefined, c.note ?? null],
  );
}

export async function deleteContent(tx: Tx, id: number): Promise<number> {
  return (await tx.query('DELETE FROM bank_content WHERE id = $1', [id])).rowCount ?? 0;
}

/** Keyset position in a listing ordered by (updated_at, id). */
export interface ContentCursor {
  readonly updatedAt: string;
  readonly id: number;
}

export interface ContentPage {
  readonly items: readonly (Content & { readonly cursor: ContentCursor })[];
  readonly more: boolean;
}

export async function listContent(
  q: Queryable,
  bankId: number,
  opts: { limit: number; after?: ContentCursor; descending: boolean },
): Promise<ContentPage> {
  const cmp = opts.descending ? '<' : '>';
  const dir = opts.descending ? 'DESC' : 'ASC';
  const params: unknown[] = [bankId, opts.limit + 1];
  let where = 'c.bank_id = $1';
  if (opts.after) {
    params.push(opts.after.updatedAt, opts.after.id);
    where += ` AND (c.updated_at, c.id) ${cmp} ($3::timestamptz, $4::bigint)`;
  }
  const { rows } = await q.query<ContentRow & { cursor_ts: string }>(
    `SELECT x.*, x.updated_at::text AS cursor_ts FROM (${SELECT} WHERE ${where}
       ORDER BY c.updated_at ${dir}, c.id ${dir} LIMIT $2) x ORDER BY x.updated_at ${dir}, x.id ${dir}`,
    params,
  );
  const more = rows.length > opts.limit;
  const items = rows.slice(0, opts.limit).map((r) => ({
    ...toContent(r),
    cursor: { updatedAt: r.cursor_ts, id: num(r.id) },
  }));
  return { items, more };
}
