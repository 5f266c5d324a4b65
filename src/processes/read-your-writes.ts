/**
 * Read-your-writes for a process that both accepts curation writes and answers
 * lookups: after a write, the next lookup waits (bounded) until the outbox relay
 * has published everything committed so far and the replica has applied it.
 * Lookups with no write before them pay nothing.
 */
import type pg from 'pg';
import type { ReplicaFeed } from '../replica/feed.js';

export class ReadYourWrites {
  private pendingSince = 0;

  constructor(
    private readonly db: pg.Pool,
    private readonly feed: ReplicaFeed,
    private readonly timeoutMs = 2000,
  ) {}

  /** Called after this process committed a curation write. */
  noteWrite(): void {
    this.pendingSince = Date.now();
  }

  async beforeLookup(): Promise<void> {
    const since = this.pendingSince;
    if (since === 0) return;
    const deadline = Date.now() + this.timeoutMs;
    const { rows } = await this.db.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM outbox');
    const target = Number(rows[0]?.seq ?? 0);
    while (Date.now() < deadline) {
      const pos = await this.db.query<{ position: string }>('SELECT max(position) AS position FROM outbox_relay');
      if (Number(pos.rows[0]?.position ?? 0) >= target) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const caughtUp = await this.feed.catchUp(Math.max(0, deadline - Date.now()));
    // Only clear if no newer write arrived meanwhile and we really caught up.
    if (caughtUp && this.pendingSince === since) this.pendingSince = 0;
  }
}
