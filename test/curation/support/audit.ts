/** Test-only copy of every outbox row ever written (the relay prunes the outbox itself). */
import type pg from 'pg';

export async function installOutboxAudit(pool: pg.Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE outbox_audit AS SELECT * FROM outbox WITH NO DATA;
    CREATE FUNCTION outbox_audit_copy() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO outbox_audit SELECT * FROM new_rows;
      RETURN NULL;
    END $$;
    CREATE TRIGGER outbox_audit AFTER INSERT ON outbox REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_audit_copy();
  `);
}

export interface AuditRow {
  readonly seq: number;
  readonly topic: 'signals' | 'banks';
  readonly key: string;
  readonly value: Record<string, unknown> | null;
}

export async function auditRows(pool: pg.Pool): Promise<AuditRow[]> {
  const { rows } = await pool.query<{ seq: string; topic: 'signals' | 'banks'; key: string; value: Record<string, unknown> | null }>(
    'SELECT seq, topic, key, value FROM outbox_audit ORDER BY seq',
  );
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** Per-key sequences of seqs, in order. */
export function seqsByKey<T extends { topic?: string; key: string; seq: number }>(rows: readonly T[], topic: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of rows) {
    if (r.topic !== undefined && r.topic !== topic) continue;
    let list = out.get(r.key);
    if (!list) out.set(r.key, (list = []));
    list.push(r.seq);
  }
  return out;
}
