/**
 * Read-your-writes for a process that both accepts curation writes and answers
 * lookups: after a write, the next lookup waits (bounded) until the outbox relay
 * has published everything committed so far and the replica has applied it.
 * Lookups with no write before them pay nothing.
 *
 * The wait is a courtesy, never a reason to fail a lookup: while Kafka is known to be
 * down it is skipped (the relay cannot publish anyway), every step is bounded by the
 * same deadline, and any error just ends the wait. The lookup then answers from the
 * replica as it stands, whose staleness the response states.
 */
import type pg from 'pg';
import type { ReplicaFeed } from '../replica/feed.js';

export class ReadYourWrites {
  private pendingSince = 0;

  constructor(
    private readonly db: pg.Pool,
    private readonly feed: ReplicaFeed,
    /** False while Kafka is known to be unreachable. */
    private readonly kafkaAvailable: () => boolean,
    private readonly timeoutMs = 2000,
  ) {}

  /** Called after this process committed a curation write. */
  noteWrite(): void {
    this.pendingSince = Date.now();
  }

  async beforeLookup(): Promise<void> {
    const since = this.pendingSince;
    if (since === 0 || !this.kafkaAvailable()) return;
    const deadline = Date.now() + this.timeoutMs;
    try {
      const { rows } = await this.db.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM outbox');
      const target = Number(rows[0]?.seq ?? 0);
      while (Date.now() < deadline && this.kafkaAvailable()) {
        const pos = await this.db.query<{ position: string }>('SELECT max(position) AS position FROM outbox_relay');
        if (Number(pos.rows[0]?.position ?? 0) >= target) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      if (!this.kafkaAvailable()) return;
      const caughtUp = await this.feed.catchUp(Math.max(0, deadline - Date.now()));
      // Only clear if no newer write arrived meanwhile and we really caught up.
      if (caughtUp && this.pendingSince === since) this.pendingSince = 0;
    } catch {
      // Postgres or Kafka could not say: answer from the replica as it is.
    }
  }
}
