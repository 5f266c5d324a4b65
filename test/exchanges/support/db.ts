/** A scratch schema, and helpers to read what the fetcher wrote. */
import type pg from 'pg';
import { createExchange } from '../../../src/curation/exchanges.js';
import { exchangeTypeRegistry } from '../../../src/exchanges/registry.js';
import { scratchDb, type ScratchDb } from '../../support/scratch-db.js';

export async function exchangeDb(label: string): Promise<ScratchDb> {
  return scratchDb(label);
}

export async function newExchange(pool: pg.Pool, name: string, api: string, apiJson: Record<string, unknown> = {}): Promise<number> {
  return (await createExchange(pool, exchangeTypeRegistry({ PRODUCTION: false }), { bank: name, api, api_json: apiJson })).id;
}

/** Signals in an exchange's bank as {record_key: {type: value}}. */
export async function bankSignals(pool: pg.Pool, exchangeId: number): Promise<Record<string, Record<string, string>>> {
  const { rows } = await pool.query<{ record_key: string; signal_type: string; signal_val: string }>(
    `SELECT r.record_key, s.signal_type, s.signal_val FROM exchange_record r
     JOIN bank_content c ON c.exchange_record_id = r.id JOIN bank b ON b.id = c.bank_id AND b.exchange_id = r.exchange_id
     JOIN content_signal s ON s.content_id = c.id WHERE r.exchange_id = $1 ORDER BY r.record_key, s.signal_type`,
    [exchangeId],
  );
  const out: Record<string, Record<string, string>> = {};
  for (const r of rows) (out[r.record_key] ??= {})[r.signal_type] = r.signal_val;
  return out;
}

export async function outboxSignals(pool: pg.Pool, afterSeq = 0): Promise<{ seq: number; key: string; value: { value: string } | null }[]> {
  const { rows } = await pool.query<{ seq: string; key: string; value: { value: string } | null }>(
    "SELECT seq, key, value FROM outbox WHERE topic = 'signals' AND seq > $1 ORDER BY seq",
    [afterSeq],
  );
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

export const lastSeq = async (pool: pg.Pool): Promise<number> =>
  Number((await pool.query<{ s: string | null }>('SELECT max(seq) AS s FROM outbox')).rows[0]!.s ?? 0);
