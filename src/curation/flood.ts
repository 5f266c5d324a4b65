/**
 * Flood quarantine as curation sees it: the entries under quarantine, their release (a
 * curation write: audited, published through the outbox, which clears the flag on every
 * replica), and the per-minute match counts the UI charts. The counting itself is the
 * flood counter's (src/pipeline/flood/).
 */
import { notFound } from '../errors/errors.js';
import { num, withWriteTx, type Db, type Queryable } from './db.js';

export interface QuarantinedEntry {
  readonly contentId: number;
  readonly bankId: number;
  readonly bankName: string;
  readonly quarantinedAt: Date;
  readonly windowMatches: number;
  readonly baselinePerWindow: number;
}

/** Entries under quarantine, newest first; of one bank when `bankName` is given. */
export async function listQuarantined(db: Queryable, bankName?: string): Promise<QuarantinedEntry[]> {
  const { rows } = await db.query<{ content_id: string; bank_id: string; name: string; quarantined_at: Date; window_matches: string; baseline_per_window: number }>(
    `SELECT q.content_id, c.bank_id, b.name, q.quarantined_at, q.window_matches, q.baseline_per_window
     FROM flood_quarantine q JOIN bank_content c ON c.id = q.content_id JOIN bank b ON b.id = c.bank_id
     WHERE $1::text IS NULL OR b.name = $1
     ORDER BY q.quarantined_at DESC, q.content_id`,
    [bankName ?? null],
  );
  return rows.map((r) => ({
    contentId: num(r.content_id),
    bankId: num(r.bank_id),
    bankName: r.name,
    quarantinedAt: r.quarantined_at,
    windowMatches: num(r.window_matches),
    baselinePerWindow: r.baseline_per_window,
  }));
}

/**
 * Releases quarantined content: its matches count again from now on (earlier ones no longer
 * count towards a new quarantine). Audited with the request's actor by the table's trigger.
 */
export async function releaseQuarantine(db: Db, contentId: number): Promise<void> {
  await withWriteTx(db, async (tx) => {
    const { rowCount } = await tx.query('DELETE FROM flood_quarantine WHERE content_id = $1', [contentId]);
    if (!rowCount) throw notFound(`bank content ${contentId} is not quarantined`);
    // The minute of the release and its matches so far: only what comes after counts again.
    await tx.query(
      `INSERT INTO flood_release (content_id, released_bucket, released_bucket_matches)
       SELECT $1, date_trunc('minute', now()),
              coalesce((SELECT matches FROM flood_bucket WHERE content_id = $1 AND bucket = date_trunc('minute', now())), 0)
       ON CONFLICT (content_id) DO UPDATE
         SET released_at = now(), released_bucket = EXCLUDED.released_bucket, released_bucket_matches = EXCLUDED.released_bucket_matches`,
      [contentId],
    );
  });
}

export interface MinuteCount {
  /** Start of the minute. */
  readonly at: Date;
  readonly matches: number;
}

/** Matches per minute of each bank since `since` (banks with none are absent), with the bank's name. */
export async function matchesPerMinuteByBank(db: Queryable, since: Date, bankId?: number): Promise<Map<number, { readonly name: string; readonly counts: MinuteCount[] }>> {
  const { rows } = await db.query<{ bank_id: string; name: string | null; bucket: Date; matches: string }>(
    `SELECT f.bank_id, b.name, f.bucket, f.matches
     FROM (SELECT bank_id, bucket, sum(matches) AS matches FROM flood_bucket
           WHERE bucket >= $1 AND ($2::bigint IS NULL OR bank_id = $2) GROUP BY bank_id, bucket) f
     LEFT JOIN bank b ON b.id = f.bank_id
     ORDER BY f.bank_id, f.bucket`,
    [since, bankId ?? null],
  );
  const out = new Map<number, { name: string; counts: MinuteCount[] }>();
  for (const r of rows) {
    const id = num(r.bank_id);
    let bank = out.get(id);
    if (!bank) out.set(id, (bank = { name: r.name ?? `#${id}`, counts: [] }));
    bank.counts.push({ at: r.bucket, matches: num(r.matches) });
  }
  return out;
}

export interface TopEntry {
  readonly contentId: number;
  readonly bankId: number;
  readonly bankName: string;
  readonly matches: number;
  readonly quarantined: boolean;
}

/** The entries that matched most since `since`, of one bank or all. */
export async function topMatchingEntries(db: Queryable, since: Date, limit: number, bankId?: number): Promise<TopEntry[]> {
  const { rows } = await db.query<{ content_id: string; bank_id: string; name: string | null; matches: string; quarantined: boolean }>(
    `SELECT f.content_id, f.bank_id, b.name, f.matches, EXISTS (SELECT 1 FROM flood_quarantine q WHERE q.content_id = f.content_id) AS quarantined
     FROM (SELECT content_id, max(bank_id) AS bank_id, sum(matches) AS matches FROM flood_bucket
           WHERE bucket >= $1 AND ($3::bigint IS NULL OR bank_id = $3) GROUP BY content_id) f
     LEFT JOIN bank b ON b.id = f.bank_id
     ORDER BY f.matches DESC, f.content_id LIMIT $2`,
    [since, limit, bankId ?? null],
  );
  return rows.map((r) => ({ contentId: num(r.content_id), bankId: num(r.bank_id), bankName: r.name ?? `#${r.bank_id}`, matches: num(r.matches), quarantined: r.quarantined }));
}
