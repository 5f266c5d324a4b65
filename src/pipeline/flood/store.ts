/**
 * The flood counter's Postgres side: one transaction per consumed batch adds the batch's
 * per-minute match counts and moves the partition's stored offset; the entries whose window
 * count now exceeds the limits are then quarantined in a curation write of their own.
 * Offsets live in the same transaction as the counts, so a batch is counted exactly once
 * whatever Kafka's committed offsets say (they are only where a restarted consumer starts
 * fetching).
 */
import { runAs } from '../../curation/actor.js';
import { num, withTx, withWriteTx, type Db, type Tx } from '../../curation/db.js';
import type { BucketCount, FloodLimits } from './rules.js';
import { isFlood } from './rules.js';

/** Who quarantines, in the audit log. */
const FLOOD_ACTOR = 'system:flood-counter';

export interface BatchPosition {
  /** The counter's consumer group (several deployments or test runs may share a schema). */
  readonly consumer: string;
  readonly topic: string;
  readonly partition: number;
}

export type CountOutcome =
  /** Counted; `quarantined` lists the entries this batch quarantined (each exactly once, globally). */
  | { readonly kind: 'counted'; readonly counted: number; readonly quarantined: readonly Quarantined[] }
  /** The batch starts after the stored offset (a gap): seek back to `next`. Nothing was written. */
  | { readonly kind: 'gap'; readonly next: bigint };

export interface Quarantined {
  readonly contentId: number;
  readonly windowMatches: number;
  readonly baselinePerWindow: number;
}

/**
 * Counts the messages `firstOffset … lastOffset` of a partition, given as a function of the
 * stored offset (messages below it were counted before, by us or another counter: dropped).
 * `acceptGap` lets a batch start past the stored offset (the skipped messages expired).
 */
export async function countBatch(
  db: Db,
  at: BatchPosition,
  batch: { readonly firstOffset: bigint; readonly lastOffset: bigint; readonly acceptGap: boolean },
  countsFrom: (next: bigint) => BucketCount[],
  limits: FloodLimits,
  now: number,
): Promise<CountOutcome> {
  const counted = await withTx(db, async (tx): Promise<CountOutcome | { kind: 'candidates'; counted: number; ids: number[] }> => {
    // The row lock serializes two counters that both believe they own the partition (a rebalance).
    await tx.query(
      'INSERT INTO flood_offsets (consumer, topic, partition, next_offset) VALUES ($1, $2, $3, -1) ON CONFLICT DO NOTHING',
      [at.consumer, at.topic, at.partition],
    );
    const { rows } = await tx.query<{ next_offset: string }>(
      'SELECT next_offset FROM flood_offsets WHERE consumer = $1 AND topic = $2 AND partition = $3 FOR UPDATE',
      [at.consumer, at.topic, at.partition],
    );
    const stored = BigInt(rows[0]?.next_offset ?? -1);
    if (stored >= 0n && batch.firstOffset > stored && !batch.acceptGap) return { kind: 'gap', next: stored };
    if (batch.lastOffset < stored) return { kind: 'counted', counted: 0, quarantined: [] };
    const counts = countsFrom(stored < 0n ? batch.firstOffset : stored);
    if (counts.length > 0) {
      await tx.query(
        `INSERT INTO flood_bucket (content_id, bucket, bank_id, matches)
         SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::bigint[])
         ON CONFLICT (content_id, bucket) DO UPDATE SET matches = flood_bucket.matches + EXCLUDED.matches, bank_id = EXCLUDED.bank_id`,
        [counts.map((c) => c.contentId), counts.map((c) => new Date(c.bucket)), counts.map((c) => c.bankId), counts.map((c) => c.matches)],
      );
    }
    await tx.query(
      'UPDATE flood_offsets SET next_offset = $4, updated_at = now() WHERE consumer = $1 AND topic = $2 AND partition = $3',
      [at.consumer, at.topic, at.partition, (batch.lastOffset + 1n).toString()],
    );
    const counted = counts.reduce((n, c) => n + c.matches, 0);
    const latest = counts.reduce((t, c) => Math.max(t, c.bucket), 0);
    // A flood long over (a backlog being counted) is no reason to quarantine now.
    if (counts.length === 0 || latest < now - limits.windowMs) return { kind: 'counted', counted, quarantined: [] };
    const candidates = await floods(tx, [...new Set(counts.map((c) => c.contentId))], limits, now);
    if (candidates.length === 0) return { kind: 'counted', counted, quarantined: [] };
    return { kind: 'candidates', counted, ids: candidates.map((c) => c.contentId) };
  });
  if (counted.kind !== 'candidates') return counted;
  return { kind: 'counted', counted: counted.counted, quarantined: await quarantine(db, counted.ids, limits, now) };
}

/**
 * Quarantines the entries of `ids` that are still a flood. A curation write of its own, after
 * the counts have committed: it takes the outbox lock first like every curation writer (so
 * it is ordered with releases, and holds no row lock while waiting for it), and the primary
 * key makes it happen once however many counters try. A crash before it loses nothing: the
 * next batch of a flood that goes on decides again.
 */
async function quarantine(db: Db, ids: readonly number[], limits: FloodLimits, now: number): Promise<Quarantined[]> {
  return runAs(FLOOD_ACTOR, () =>
    withWriteTx(db, async (tx) => {
      const still = await floods(tx, ids, limits, now);
      if (still.length === 0) return [];
      const inserted = await tx.query<{ content_id: string; window_matches: string; baseline_per_window: number }>(
        `INSERT INTO flood_quarantine (content_id, window_matches, baseline_per_window)
         SELECT c.id, f.w, f.b FROM unnest($1::bigint[], $2::bigint[], $3::float8[]) AS f(id, w, b) JOIN bank_content c ON c.id = f.id
         ORDER BY c.id
         ON CONFLICT (content_id) DO NOTHING
         RETURNING content_id, window_matches, baseline_per_window`,
        [still.map((c) => c.contentId), still.map((c) => c.windowMatches), still.map((c) => c.baselinePerWindow)],
      );
      return inserted.rows.map((r) => ({ contentId: num(r.content_id), windowMatches: num(r.window_matches), baselinePerWindow: r.baseline_per_window }));
    }),
  );
}

/** Of `ids`, the entries (not already quarantined) whose matches in the window ending `now` are a flood. */
async function floods(tx: Tx, ids: readonly number[], limits: FloodLimits, now: number): Promise<Quarantined[]> {
  const windowStart = new Date(now - limits.windowMs);
  const baselineStart = new Date(now - limits.windowMs - limits.baselineMs);
  // In the window: only matches since the entry's last release (a released entry starts afresh);
  // the baseline keeps everything before the window.
  const { rows } = await tx.query<{ content_id: string; in_window: string; before: string }>(
    `SELECT b.content_id,
            coalesce(sum(b.matches) FILTER (WHERE b.bucket > $2 AND (r.released_bucket IS NULL OR b.bucket >= r.released_bucket)), 0)
              - CASE WHEN r.released_bucket > $2 THEN r.released_bucket_matches ELSE 0 END AS in_window,
            coalesce(sum(b.matches) FILTER (WHERE b.bucket <= $2), 0) AS before
     FROM flood_bucket b LEFT JOIN flood_release r ON r.content_id = b.content_id
     WHERE b.content_id = ANY($1::bigint[]) AND b.bucket > $3
       AND NOT EXISTS (SELECT 1 FROM flood_quarantine q WHERE q.content_id = b.content_id)
     GROUP BY b.content_id, r.released_bucket, r.released_bucket_matches`,
    [ids, windowStart, baselineStart],
  );
  const windows = limits.baselineMs / limits.windowMs;
  const out: Quarantined[] = [];
  for (const r of rows) {
    const windowMatches = num(r.in_window);
    const baselinePerWindow = num(r.before) / windows;
    if (isFlood(windowMatches, baselinePerWindow, limits)) out.push({ contentId: num(r.content_id), windowMatches, baselinePerWindow });
  }
  return out;
}

/** Drops per-minute counts older than the retention. */
export async function pruneBuckets(db: Db, olderThan: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM flood_bucket WHERE bucket < $1', [olderThan]);
  return rowCount ?? 0;
}

/** Entries under quarantine now (every counter reports it; dashboards take the max). */
export async function quarantinedCount(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM flood_quarantine');
  return num(rows[0]?.n ?? 0);
}
