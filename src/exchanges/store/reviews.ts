/** Review results on content (history kept in content_review). */
import type { Queryable, Tx } from '../../curation/db.js';

export type Verdict = 'harmful' | 'not_harmful';

export interface StoredReview {
  readonly id: number;
  readonly content_id: number;
  readonly verdict: Verdict;
  readonly labels: readonly string[];
  readonly reviewer: string | null;
  readonly created_at: string;
}

/** Inserts one review per content item; labels given also become the items' current review labels. */
export async function insertReviews(
  tx: Tx,
  contentIds: readonly number[],
  review: { verdict: Verdict; labels: readonly string[] | undefined; reviewer: string | null },
): Promise<Map<number, number>> {
  const { rows } = await tx.query<{ id: string; content_id: string }>(
    `INSERT INTO content_review (content_id, verdict, labels, reviewer)
     SELECT c, $2, $3, $4 FROM unnest($1::bigint[]) AS c RETURNING id, content_id`,
    [contentIds, review.verdict, review.labels ?? [], review.reviewer],
  );
  if (review.labels !== undefined) {
    await tx.query('UPDATE bank_content SET review_labels = $2 WHERE id = ANY($1::bigint[])', [contentIds, review.labels]);
  }
  return new Map(rows.map((r) => [Number(r.content_id), Number(r.id)]));
}

export async function existingContent(q: Queryable, ids: readonly number[]): Promise<Set<number>> {
  const { rows } = await q.query<{ id: string }>('SELECT id FROM bank_content WHERE id = ANY($1::bigint[])', [ids]);
  return new Set(rows.map((r) => Number(r.id)));
}

export async function reviewsOf(q: Queryable, contentId: number): Promise<StoredReview[]> {
  const { rows } = await q.query<Omit<StoredReview, 'id' | 'content_id'> & { id: string; content_id: string }>(
    `SELECT id, content_id, verdict, labels, reviewer,
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
     FROM content_review WHERE content_id = $1 ORDER BY created_at DESC, id DESC`,
    [contentId],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), content_id: Number(r.content_id) }));
}
