/** SQL for exchange configs, their fetch status and per-API credentials. */
import { openCredentials, sealCredentials } from './credentials.js';
import { num, type Queryable, type Tx } from './db.js';

export interface RuntimeFlags {
  readonly enabled: boolean;
  readonly report_seen: boolean;
  readonly report_true_positive: boolean;
  readonly report_false_positive: boolean;
}

export interface Exchange extends RuntimeFlags {
  readonly id: number;
  readonly name: string;
  readonly api: string;
  readonly typed_config: Readonly<Record<string, unknown>>;
}

interface ExchangeRow extends Omit<Exchange, 'id'> {
  id: string;
}

const SELECT = `SELECT id, name, api, typed_config, enabled, report_seen, report_true_positive, report_false_positive FROM exchange`;

export async function listExchanges(q: Queryable): Promise<Exchange[]> {
  const { rows } = await q.query<ExchangeRow>(`${SELECT} ORDER BY id`);
  return rows.map((r) => ({ ...r, id: num(r.id) }));
}

export async function findExchange(q: Queryable, name: string, lock = false): Promise<Exchange | undefined> {
  const { rows } = await q.query<ExchangeRow>(`${SELECT} WHERE name = $1${lock ? ' FOR UPDATE' : ''}`, [name]);
  return rows[0] ? { ...rows[0], id: num(rows[0].id) } : undefined;
}

export async function insertExchange(
  tx: Tx,
  e: { name: string; api: string; typedConfig: Record<string, unknown>; enabled: boolean },
): Promise<number> {
  const { rows } = await tx.query<{ id: string }>(
    'INSERT INTO exchange (name, api, typed_config, enabled) VALUES ($1, $2, $3, $4) RETURNING id',
    [e.name, e.api, e.typedConfig, e.enabled],
  );
  return num(rows[0]!.id);
}

export async function updateFlags(tx: Tx, id: number, flags: Partial<RuntimeFlags>): Promise<void> {
  await tx.query(
    `UPDATE exchange SET enabled = COALESCE($2, enabled), report_seen = COALESCE($3, report_seen),
       report_true_positive = COALESCE($4, report_true_positive), report_false_positive = COALESCE($5, report_false_positive)
     WHERE id = $1`,
    [id, flags.enabled ?? null, flags.report_seen ?? null, flags.report_true_positive ?? null, flags.report_false_positive ?? null],
  );
}

/** Deletes the exchange; its bank goes too (by cascade) unless detached first. */
export async function deleteExchange(tx: Tx, id: number, keepBank: boolean): Promise<void> {
  if (keepBank) {
    await tx.query('UPDATE bank SET exchange_id = NULL WHERE exchange_id = $1', [id]);
  } else {
    // Signals first in one statement, so their tombstones are written by one trigger run.
    await tx.query(
      `DELETE FROM content_signal s USING bank_content c, bank b
       WHERE c.id = s.content_id AND b.id = c.bank_id AND b.exchange_id = $1`,
      [id],
    );
  }
  await tx.query('DELETE FROM exchange WHERE id = $1', [id]);
}

export interface FetchStatus {
  readonly checkpoint_ts: number | null;
  readonly running_fetch_start_ts: number | null;
  readonly last_fetch_complete_ts: number | null;
  readonly last_fetch_succeeded: boolean | null;
  readonly up_to_date: boolean;
  readonly fetched_items: number;
}

export async function fetchStatus(q: Queryable, exchangeId: number): Promise<FetchStatus> {
  const { rows } = await q.query<{
    checkpoint_ts: string | null;
    running_fetch_start_ts: string | null;
    last_fetch_complete_ts: string | null;
    last_fetch_succeeded: boolean | null;
    up_to_date: boolean | null;
    fetched_items: string;
  }>(
    `SELECT s.checkpoint_ts, s.running_fetch_start_ts, s.last_fetch_complete_ts, s.last_fetch_succeeded,
            s.is_up_to_date AS up_to_date,
            (SELECT count(*) FROM exchange_record r WHERE r.exchange_id = $1) AS fetched_items
     FROM (SELECT $1::bigint AS id) x LEFT JOIN exchange_fetch_status s ON s.exchange_id = x.id`,
    [exchangeId],
  );
  const r = rows[0]!;
  const n = (v: string | null) => (v === null ? null : num(v));
  return {
    checkpoint_ts: n(r.checkpoint_ts),
    running_fetch_start_ts: n(r.running_fetch_start_ts),
    last_fetch_complete_ts: n(r.last_fetch_complete_ts),
    last_fetch_succeeded: r.last_fetch_succeeded,
    up_to_date: r.up_to_date ?? false,
    fetched_items: num(r.fetched_items),
  };
}

export async function hasCredentials(q: Queryable, api: string): Promise<boolean> {
  return ((await q.query('SELECT 1 FROM exchange_api_credentials WHERE api = $1', [api])).rowCount ?? 0) > 0;
}

/** The stored credentials of an API, opened (for the fetcher; never sent in a response). */
export async function readCredentials(q: Queryable, api: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await q.query<{ credentials: Buffer }>('SELECT credentials FROM exchange_api_credentials WHERE api = $1', [api]);
  return rows[0] ? openCredentials(api, rows[0].credentials) : undefined;
}

export async function writeCredentials(q: Queryable, api: string, creds: Record<string, unknown> | null): Promise<void> {
  if (creds === null) {
    await q.query('DELETE FROM exchange_api_credentials WHERE api = $1', [api]);
    return;
  }
  // Sealed at rest (AES-256-GCM, src/security/secrets.ts).
  const { sealed, keyId } = sealCredentials(api, creds);
  await q.query(
    `INSERT INTO exchange_api_credentials (api, credentials, key_id) VALUES ($1, $2, $3)
     ON CONFLICT (api) DO UPDATE SET credentials = EXCLUDED.credentials, key_id = EXCLUDED.key_id, updated_at = now()`,
    [api, sealed, keyId],
  );
}
