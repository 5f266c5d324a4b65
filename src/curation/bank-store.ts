/** SQL for banks. Callers hold a write transaction for every change. */
import { HmaError } from '../errors/errors.js';
import { num, type Queryable, type Tx } from './db.js';

export interface Bank {
  readonly id: number;
  readonly name: string;
  readonly matching_enabled_ratio: number;
  readonly labels: readonly string[];
  /** Signal type → the widest distance at which this bank's content matches ({} = the lookup's threshold). */
  readonly match_thresholds: Readonly<Record<string, number>>;
  /** An allow-list bank never matches; it suppresses in-scope banks' matches of the same content. */
  readonly allow_list: boolean;
  /** Labels of the banks an allow-list bank suppresses; null = every bank. */
  readonly allow_list_scope: readonly string[] | null;
  /** Name of the exchange that owns the bank, if any. */
  readonly exchange: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

interface BankRow {
  id: string;
  name: string;
  matching_enabled_ratio: number;
  labels: string[];
  match_thresholds: Record<string, number>;
  allow_list: boolean;
  allow_list_scope: string[] | null;
  exchange: string | null;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `SELECT b.id, b.name, b.matching_enabled_ratio, b.labels, b.match_thresholds, b.allow_list, b.allow_list_scope, e.name AS exchange, b.created_at, b.updated_at
  FROM bank b LEFT JOIN exchange e ON e.id = b.exchange_id`;

const toBank = (r: BankRow): Bank => ({ ...r, id: num(r.id) });

export async function listBanks(q: Queryable): Promise<Bank[]> {
  const { rows } = await q.query<BankRow>(`${SELECT} ORDER BY b.id`);
  return rows.map(toBank);
}

export async function findBank(q: Queryable, name: string, lock = false): Promise<Bank | undefined> {
  const { rows } = await q.query<BankRow>(`${SELECT} WHERE b.name = $1${lock ? ' FOR UPDATE OF b' : ''}`, [name]);
  return rows[0] ? toBank(rows[0]) : undefined;
}

export async function findBankById(q: Queryable, id: number): Promise<Bank | undefined> {
  const { rows } = await q.query<BankRow>(`${SELECT} WHERE b.id = $1`, [id]);
  return rows[0] ? toBank(rows[0]) : undefined;
}

export const bankExists = (): HmaError => new HmaError('forbidden', 'Bank already exists');

export interface NewBank {
  readonly name: string;
  readonly ratio: number;
  readonly labels: readonly string[];
  readonly thresholds?: Readonly<Record<string, number>> | undefined;
  readonly allowList?: AllowListSetting | undefined;
  readonly exchangeId?: number;
}

/** An allow-list setting as stored: off, or on with a scope (null = every bank). */
export interface AllowListSetting {
  readonly on: boolean;
  readonly scope: readonly string[] | null;
}

export async function insertBank(tx: Tx, b: NewBank): Promise<Bank> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO bank (name, matching_enabled_ratio, labels, exchange_id, match_thresholds, allow_list, allow_list_scope)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING RETURNING id`,
    [b.name, b.ratio, b.labels, b.exchangeId ?? null, JSON.stringify(b.thresholds ?? {}), b.allowList?.on ?? false, b.allowList?.scope ?? null],
  );
  if (!rows[0]) throw bankExists();
  return (await findBankById(tx, num(rows[0].id)))!;
}

export interface BankChanges {
  readonly name?: string;
  readonly ratio?: number;
  readonly labels?: readonly string[];
  /** Replaces the bank's thresholds ({} clears them). */
  readonly thresholds?: Readonly<Record<string, number>> | undefined;
  /** Replaces the allow-list flag; its scope too when given. */
  readonly allowList?: { readonly on?: boolean | undefined; readonly scope?: readonly string[] | null | undefined } | undefined;
}

export async function updateBank(tx: Tx, id: number, c: BankChanges): Promise<Bank> {
  if (c.name !== undefined) {
    const taken = await tx.query('SELECT 1 FROM bank WHERE name = $1 AND id <> $2', [c.name, id]);
    if (taken.rowCount) throw new HmaError('forbidden', 'Bank name already exists');
  }
  await tx.query(
    `UPDATE bank SET name = COALESCE($2, name), matching_enabled_ratio = COALESCE($3, matching_enabled_ratio),
       labels = COALESCE($4, labels), match_thresholds = COALESCE($5::jsonb, match_thresholds),
       allow_list = COALESCE($6, allow_list), allow_list_scope = CASE WHEN $7 THEN $8::text[] ELSE allow_list_scope END
     WHERE id = $1`,
    [
      id, c.name ?? null, c.ratio ?? null, c.labels ?? null, c.thresholds === undefined ? null : JSON.stringify(c.thresholds),
      c.allowList?.on ?? null, c.allowList?.scope !== undefined, c.allowList?.scope ?? null,
    ],
  );
  return (await findBankById(tx, id))!;
}

/** Deletes a bank, its content and signals (each signal gets its tombstone). */
export async function deleteBank(tx: Tx, id: number): Promise<void> {
  // One statement for all signals: the outbox trigger then runs once, not once per content row.
  await tx.query(
    'DELETE FROM content_signal s USING bank_content c WHERE c.id = s.content_id AND c.bank_id = $1',
    [id],
  );
  await tx.query('DELETE FROM bank WHERE id = $1', [id]);
}

export interface BankMetadata {
  readonly content_count: number;
  readonly enabled_content_count: number;
  readonly signal_counts: Record<string, number>;
}

export async function bankMetadata(q: Queryable, id: number, nowS: number): Promise<BankMetadata> {
  const content = await q.query<{ total: string; enabled: string }>(
    `SELECT count(*) AS total,
            count(*) FILTER (WHERE disable_until_ts = 1 OR (disable_until_ts > 1 AND disable_until_ts <= $2)) AS enabled
     FROM bank_content WHERE bank_id = $1`,
    [id, nowS],
  );
  const signals = await q.query<{ signal_type: string; n: string }>(
    `SELECT s.signal_type, count(*) AS n FROM content_signal s JOIN bank_content c ON c.id = s.content_id
     WHERE c.bank_id = $1 GROUP BY s.signal_type ORDER BY s.signal_type`,
    [id],
  );
  return {
    content_count: num(content.rows[0]!.total),
    enabled_content_count: num(content.rows[0]!.enabled),
    signal_counts: Object.fromEntries(signals.rows.map((r) => [r.signal_type, num(r.n)])),
  };
}
