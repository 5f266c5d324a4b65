/**
 * One line of a bank import file → a row to insert, or the reason it is rejected.
 * Pure. Formats:
 *  - CSV: `signal_type,value[,content_id,content_uri,note,disable_until_ts]`, or any column
 *    order when the first line is a header naming them; other header columns go into
 *    metadata.json.
 *  - JSON lines: `{"signal_type", "value", "metadata"?, "note"?, "platform_content_id"?,
 *    "review_labels"?, "disable_until_ts"?}`.
 */
import { isHmaError } from '../../errors/errors.js';
import { parseLabels, parseMetadata, parseNote, parsePlatformContentId } from '../content-fields.js';
import type { SignalTypeRegistry } from '../../signals/registry.js';
import { normalizeSignal } from '../signal-types.js';

export interface ImportRow {
  readonly signalType: string;
  readonly value: string;
  readonly platformContentId: string | null;
  /** The metadata jsonb column: content_uri and json. */
  readonly metadata: Record<string, unknown> | null;
  readonly note: string | null;
  readonly reviewLabels: readonly string[];
  readonly disableUntil: number;
}

export type Parsed = { readonly ok: true; readonly row: ImportRow } | { readonly ok: false; readonly reason: string };

const reject = (reason: string): Parsed => ({ ok: false, reason });

/** Column names of the positional CSV form (and of `hma bank export`). */
export const CSV_COLUMNS = ['signal_type', 'value', 'content_id', 'content_uri', 'note', 'disable_until_ts'] as const;

function disableUntil(raw: unknown): number {
  if (raw === undefined || raw === null || raw === '') return 1;
  const n = typeof raw === 'number' ? raw : /^\d+$/.test(String(raw)) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new Error('disable_until_ts must be a non-negative integer');
  return n;
}

function build(types: SignalTypeRegistry, fields: {
  signal_type: unknown;
  value: unknown;
  metadata?: unknown;
  platform_content_id?: unknown;
  note?: unknown;
  review_labels?: unknown;
  disable_until_ts?: unknown;
}): Parsed {
  try {
    if (typeof fields.signal_type !== 'string' || fields.signal_type.trim() === '') return reject('missing signal_type');
    if (fields.value === undefined || fields.value === null || fields.value === '') return reject('missing value');
    const signalType = fields.signal_type.trim();
    const value = normalizeSignal(types, signalType, fields.value);
    const metadata = parseMetadata(fields.metadata);
    const platformContentId = parsePlatformContentId(fields.platform_content_id, metadata) ?? null;
    const rest: Record<string, unknown> = {};
    if (metadata?.content_uri !== undefined) rest.content_uri = metadata.content_uri;
    if (metadata?.json !== undefined) rest.json = metadata.json;
    return {
      ok: true,
      row: {
        signalType,
        value,
        platformContentId,
        metadata: Object.keys(rest).length > 0 ? rest : null,
        note: parseNote(fields.note),
        reviewLabels: parseLabels(fields.review_labels, 'review_labels'),
        disableUntil: disableUntil(fields.disable_until_ts),
      },
    };
  } catch (err) {
    return reject(isHmaError(err) || err instanceof Error ? err.message : String(err));
  }
}

const JSON_KEYS = new Set(['signal_type', 'value', 'signal_value', 'metadata', 'note', 'platform_content_id', 'review_labels', 'disable_until_ts']);

export function parseJsonLine(types: SignalTypeRegistry, line: string): Parsed {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (err) {
    return reject(`invalid JSON: ${(err as Error).message}`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return reject('expected a JSON object');
  const o = obj as Record<string, unknown>;
  const unknown = Object.keys(o).find((k) => !JSON_KEYS.has(k));
  if (unknown !== undefined) return reject(`unknown field '${unknown}'`);
  return build(types, { ...o, signal_type: o.signal_type, value: o.value ?? o.signal_value });
}

/** Header line of a CSV file, if the first record is one. */
export function csvHeader(first: readonly string[]): string[] | undefined {
  const names = first.map((f) => f.trim().toLowerCase());
  return names[0] === 'signal_type' ? names : undefined;
}

export function parseCsvRecord(types: SignalTypeRegistry, fields: readonly string[], header: readonly string[] | undefined): Parsed {
  const names = header ?? CSV_COLUMNS;
  if (!header && fields.length > CSV_COLUMNS.length) {
    return reject(`too many columns (${fields.length}; expected at most ${CSV_COLUMNS.length} without a header line)`);
  }
  const by: Record<string, string> = {};
  const json: Record<string, string> = {};
  fields.forEach((v, i) => {
    const name = names[i] ?? `column_${i + 1}`;
    if ((CSV_COLUMNS as readonly string[]).includes(name) || name === 'review_labels' || name === 'signal_value') by[name] = v;
    else if (v !== '') json[name] = v;
  });
  const metadata: Record<string, unknown> = {};
  if (by.content_uri) metadata.content_uri = by.content_uri;
  if (Object.keys(json).length > 0) metadata.json = json;
  return build(types, {
    signal_type: by.signal_type,
    value: by.value ?? by.signal_value,
    platform_content_id: by.content_id,
    metadata,
    note: by.note,
    review_labels: by.review_labels ? by.review_labels.split(';').filter((l) => l.trim()) : undefined,
    disable_until_ts: by.disable_until_ts,
  });
}
