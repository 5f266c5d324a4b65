/**
 * Which (content id, rule) pairs have fired, in Postgres: a claim before acting,
 * the outcome after. A pair claimed before ('pending': the actioner died while
 * acting) can be claimed again; 'done' and 'failed' ones never.
 */
import type pg from 'pg';

export type FiredState = 'done' | 'failed';

export class FiredStore {
  constructor(private readonly db: pg.Pool) {}

  /** True when this caller may fire the rule for the content now. */
  async claim(contentId: string, rule: string, submissionId: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO actioner_fired (content_id, rule, submission_id) VALUES ($1, $2, $3)
       ON CONFLICT (content_id, rule) DO UPDATE
         SET claims = actioner_fired.claims + 1, claimed_at = now(), submission_id = EXCLUDED.submission_id
         WHERE actioner_fired.state = 'pending'`,
      [contentId, rule, submissionId],
    );
    return rowCount === 1;
  }

  async finish(contentId: string, rule: string, state: FiredState): Promise<void> {
    await this.db.query(
      `UPDATE actioner_fired SET state = $3, finished_at = now() WHERE content_id = $1 AND rule = $2`,
      [contentId, rule, state],
    );
  }
}
