/** `hma db stats`: row counts of the curation tables (HMA's `flask table_stats`). */
import { num, type Queryable } from './db.js';

export interface DbStats {
  readonly banks: number;
  readonly content: number;
  readonly signals: Record<string, number>;
  readonly exchanges: number;
  readonly exchange_records: number;
  readonly outbox_backlog: number;
}

export async function dbStats(q: Queryable): Promise<DbStats> {
  const count = async (sql: string) => num((await q.query<{ n: string }>(sql)).rows[0]!.n);
  const { rows } = await q.query<{ signal_type: string; n: string }>(
    'SELECT signal_type, count(*) AS n FROM content_signal GROUP BY signal_type ORDER BY signal_type',
  );
  return {
    banks: await count('SELECT count(*) AS n FROM bank'),
    content: await count('SELECT count(*) AS n FROM bank_content'),
    signals: Object.fromEntries(rows.map((r) => [r.signal_type, num(r.n)])),
    exchanges: await count('SELECT count(*) AS n FROM exchange'),
    exchange_records: await count('SELECT count(*) AS n FROM exchange_record'),
    outbox_backlog: await outboxBacklog(q),
  };
}

/** Committed curation changes the relay has not published yet. */
export async function outboxBacklog(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: string }>(
    'SELECT count(*) AS n FROM outbox WHERE seq > coalesce((SELECT max(position) FROM outbox_relay), 0)',
  );
  return num(rows[0]!.n);
}

/** What the database holds of one signal type: HMA's index build target (docs/reference/hma-api.md §2.4). */
export interface SignalTypeTarget {
  readonly count: number;
  /** Creation time of the newest signal, epoch seconds; -1 when there is none. */
  readonly newestS: number;
}

export async function signalTypeTargets(q: Queryable): Promise<Map<string, SignalTypeTarget>> {
  const { rows } = await q.query<{ signal_type: string; n: string; newest: string }>(
    `SELECT signal_type, count(*) AS n, floor(extract(epoch FROM max(created_at)))::bigint AS newest
     FROM content_signal GROUP BY signal_type`,
  );
  return new Map(rows.map((r) => [r.signal_type, { count: num(r.n), newestS: num(r.newest) }]));
}
