/**
 * Read-only SQL behind the dashboard that no curation use case needs: how far the
 * outbox relay got, what the fetchers last did, and the oldest change an index has not
 * applied yet. Each is one cheap query (indexed, or bounded by the backlog).
 */
import { num, type Queryable } from '../../curation/db.js';

export interface RelayState {
  readonly position: number;
  readonly backlog: number;
  /** When the relay last advanced (epoch s), or null if it never ran. */
  readonly updatedAt: number | null;
}

export async function relayState(q: Queryable): Promise<RelayState> {
  const { rows } = await q.query<{ position: string | null; updated: string | null; newest: string | null }>(
    `SELECT (SELECT max(position) FROM outbox_relay) AS position,
            (SELECT extract(epoch FROM max(updated_at))::bigint FROM outbox_relay) AS updated,
            (SELECT max(seq) FROM outbox) AS newest`,
  );
  const r = rows[0]!;
  const position = num(r.position ?? 0);
  return { position, backlog: Math.max(0, num(r.newest ?? 0) - position), updatedAt: r.updated === null ? null : num(r.updated) };
}

export interface FetcherActivity {
  /** Start of the most recent fetch run by any fetcher (epoch s), or null. */
  readonly lastStart: number | null;
  readonly running: number;
}

export async function fetcherActivity(q: Queryable): Promise<FetcherActivity> {
  const { rows } = await q.query<{ last: string | null; running: string }>(
    `SELECT (SELECT extract(epoch FROM max(started_at))::bigint FROM exchange_fetch_history) AS last,
            (SELECT count(*) FROM exchange_fetch_status WHERE running_fetch_start_ts IS NOT NULL) AS running`,
  );
  const r = rows[0]!;
  return { lastStart: r.last === null ? null : num(r.last), running: num(r.running) };
}

/** Stored signals per type (all banks, enabled or not: what an index holds). */
export async function signalCounts(q: Queryable): Promise<Map<string, number>> {
  const { rows } = await q.query<{ signal_type: string; n: string }>(
    'SELECT signal_type, count(*) AS n FROM content_signal GROUP BY signal_type',
  );
  return new Map(rows.map((r) => [r.signal_type, num(r.n)]));
}

/**
 * Creation time (epoch ms) of the oldest change to `signalType` after outbox seq
 * `appliedSeq`, i.e. the oldest change an index at that position is missing; null when
 * it is missing none. Scans only rows after `appliedSeq` (the primary key's range).
 */
export async function oldestUnapplied(q: Queryable, signalType: string, appliedSeq: number): Promise<number | null> {
  const { rows } = await q.query<{ ms: string }>(
    `SELECT (extract(epoch FROM created_at) * 1000)::bigint AS ms FROM outbox
     WHERE seq > $1 AND topic = 'signals' AND starts_with(key, $2) ORDER BY seq LIMIT 1`,
    [appliedSeq, `${signalType}:`],
  );
  return rows[0] ? num(rows[0].ms) : null;
}

/** Names of the banks that exist, among `names`. */
export async function existingBanks(q: Queryable, names: readonly string[]): Promise<Set<string>> {
  const { rows } = await q.query<{ name: string }>('SELECT name FROM bank WHERE name = ANY($1)', [names]);
  return new Set(rows.map((r) => r.name));
}

/** Names of the exchanges that exist, among `names`. */
export async function existingExchanges(q: Queryable, names: readonly string[]): Promise<Set<string>> {
  const { rows } = await q.query<{ name: string }>('SELECT name FROM exchange WHERE name = ANY($1)', [names]);
  return new Set(rows.map((r) => r.name));
}
