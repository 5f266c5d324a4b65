/**
 * `hma bank export`: every signal of a bank, one line each, in the format the import
 * reads back. Keyset pages keep memory constant; the stream's backpressure is honoured.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { notFound } from '../../errors/errors.js';
import { findBank } from '../bank-store.js';
import { num, type Db } from '../db.js';
import type { ImportFormat } from './bulk-import.js';
import { CSV_COLUMNS } from './rows.js';

interface ExportRow {
  id: string;
  signal_type: string;
  signal_val: string;
  platform_content_id: string | null;
  metadata: { content_uri?: string; json?: Record<string, unknown> } | null;
  note: string | null;
  review_labels: string[];
  disable_until_ts: string;
}

/** RFC 4180 field: quoted only when needed. */
const csv = (v: string | null | undefined) => (v == null ? '' : /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

function csvLine(r: ExportRow): string {
  return [r.signal_type, r.signal_val, r.platform_content_id, r.metadata?.content_uri, r.note, r.disable_until_ts === '1' ? '' : r.disable_until_ts]
    .map((v) => csv(v ?? null))
    .join(',');
}

function jsonLine(r: ExportRow): string {
  const metadata = r.platform_content_id !== null || r.metadata !== null
    ? { ...(r.platform_content_id !== null ? { content_id: r.platform_content_id } : {}), ...r.metadata }
    : undefined;
  return JSON.stringify({
    signal_type: r.signal_type,
    value: r.signal_val,
    ...(metadata ? { metadata } : {}),
    ...(r.note !== null ? { note: r.note } : {}),
    ...(r.review_labels.length > 0 ? { review_labels: r.review_labels } : {}),
    ...(r.disable_until_ts !== '1' ? { disable_until_ts: num(r.disable_until_ts) } : {}),
  });
}

export async function exportBank(db: Db, bankName: string, out: Writable, format: ImportFormat, pageRows = 10_000): Promise<number> {
  const bank = await findBank(db, bankName);
  if (!bank) throw notFound(`bank '${bankName}' not found`);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  if (format === 'csv') await write(`${CSV_COLUMNS.join(',')}\n`);
  let after: [number, string] = [0, ''];
  let n = 0;
  for (;;) {
    const { rows } = await db.query<ExportRow>(
      `SELECT c.id, s.signal_type, s.signal_val, c.platform_content_id, c.metadata, c.note, c.review_labels, c.disable_until_ts
       FROM bank_content c JOIN content_signal s ON s.content_id = c.id
       WHERE c.bank_id = $1 AND (c.id, s.signal_type) > ($2, $3)
       ORDER BY c.id, s.signal_type LIMIT $4`,
      [bank.id, after[0], after[1], pageRows],
    );
    if (rows.length === 0) return n;
    await write(rows.map((r) => (format === 'csv' ? csvLine(r) : jsonLine(r))).join('\n') + '\n');
    n += rows.length;
    const last = rows.at(-1)!;
    after = [num(last.id), last.signal_type];
  }
}
