/**
 * `hma bank import`: streams a CSV or JSON-lines file into a bank in batches, each one
 * transaction of two COPYs (content, then signals), the next batch parsed meanwhile. The outbox triggers turn each
 * signals COPY into one INSERT ... SELECT of outbox rows, so imported signals reach
 * Kafka like any other change. Memory stays constant: two batches at most, and
 * rejects are handed to a callback rather than kept.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse as csvParse } from 'csv-parse';
import { notFound } from '../../errors/errors.js';
import type { SignalTypeRegistry } from '../../signals/registry.js';
import { findBank } from '../bank-store.js';
import { num, withWriteTx, type Db } from '../db.js';
import { copyField, copyRows, pgTextArray } from './copy.js';
import { csvHeader, parseCsvRecord, parseJsonLine, type ImportRow, type Parsed } from './rows.js';

export type ImportFormat = 'csv' | 'jsonl';

export interface ImportProgress {
  readonly lines: number;
  readonly imported: number;
  readonly rejected: number;
}

export interface ImportOptions {
  readonly bank: string;
  readonly input: Readable;
  readonly format: ImportFormat;
  /** The installed signal types: rows of any other type are rejected. */
  readonly signalTypes: SignalTypeRegistry;
  readonly batchRows: number;
  readonly onReject?: (line: number, reason: string) => void;
  /** Called after each committed batch. */
  readonly onProgress?: (p: ImportProgress) => void;
}

export interface ImportSummary extends ImportProgress {
  readonly bankId: number;
}

/** Yields [line number, parse result] for every non-empty record of the input. */
async function* records(types: SignalTypeRegistry, input: Readable, format: ImportFormat): AsyncGenerator<[number, Parsed]> {
  if (format === 'jsonl') {
    let line = 0;
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      line++;
      if (text.trim() === '') continue;
      yield [line, parseJsonLine(types, text)];
    }
    return;
  }
  const parser = input.pipe(
    csvParse({ relax_column_count: true, skip_empty_lines: true, info: true, bom: true, trim: false }),
  );
  let header: string[] | undefined;
  let first = true;
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (first) {
        first = false;
        header = csvHeader(rec.record);
        if (header) continue;
      }
      yield [rec.info.lines, parseCsvRecord(types, rec.record, header)];
    }
  } catch (err) {
    // A malformed quote breaks the CSV stream itself: report where, then stop.
    const e = err as Error & { lines?: number };
    yield [e.lines ?? 0, { ok: false, reason: `unreadable CSV, import stopped: ${e.message}` }];
  }
}

async function insertBatch(db: Db, bankId: number, rows: readonly ImportRow[]): Promise<void> {
  await withWriteTx(db, async (tx) => {
    const { rows: ids } = await tx.query<{ id: string }>(
      "SELECT nextval(pg_get_serial_sequence('bank_content', 'id')) AS id FROM generate_series(1, $1)",
      [rows.length],
    );
    const content: string[] = [];
    const signals: string[] = [];
    rows.forEach((r, i) => {
      const id = num(ids[i]!.id);
      content.push(
        [
          id,
          bankId,
          copyField(r.platformContentId),
          copyField(r.metadata === null ? null : JSON.stringify(r.metadata)),
          copyField(r.note),
          copyField(pgTextArray(r.reviewLabels)),
          r.disableUntil,
        ].join(','),
      );
      signals.push([id, copyField(r.signalType), copyField(r.value)].join(','));
    });
    await copyRows(tx, 'bank_content', ['id', 'bank_id', 'platform_content_id', 'metadata', 'note', 'review_labels', 'disable_until_ts'], content);
    await copyRows(tx, 'content_signal', ['content_id', 'signal_type', 'signal_val'], signals);
  });
}

export async function importSignals(db: Db, opts: ImportOptions): Promise<ImportSummary> {
  const bank = await findBank(db, opts.bank);
  if (!bank) throw notFound(`bank '${opts.bank}' not found`);
  let lines = 0;
  let imported = 0;
  let rejected = 0;
  let batch: ImportRow[] = [];
  // One batch in the database while the next one is parsed: parsing and COPY overlap.
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await inFlight;
    inFlight = insertBatch(db, bank.id, rows).then(() => {
      imported += rows.length;
      opts.onProgress?.({ lines, imported, rejected });
    });
    // Never left unobserved: a failure surfaces at the next flush or at the end.
    inFlight.catch(() => undefined);
  };
  for await (const [line, parsed] of records(opts.signalTypes, opts.input, opts.format)) {
    lines = Math.max(lines, line);
    if (parsed.ok) {
      batch.push(parsed.row);
      if (batch.length >= opts.batchRows) await flush();
    } else {
      rejected++;
      opts.onReject?.(line, parsed.reason);
    }
  }
  await flush();
  await inFlight;
  opts.onProgress?.({ lines, imported, rejected });
  return { bankId: bank.id, lines, imported, rejected };
}
