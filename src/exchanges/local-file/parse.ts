/**
 * Hash list files: the reference's plain format (`<signal_type> <signal>` per line, or
 * just `<signal>` when the config fixes the type), CSV with a header row, or JSON lines.
 * CSV and JSON lines name the type in `signal_type` and the value in `signal`; an `id`
 * column becomes the record key (else `<type>:<value>`), other columns are metadata.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { malformed } from '../errors.js';
import { typedKey, type Candidate } from '../signals.js';
import type { Json, JsonObject } from '../types.js';

export type FileFormat = 'text' | 'csv' | 'jsonl';
export const FILE_FORMATS = ['auto', 'text', 'csv', 'jsonl'] as const;

export interface FileRecord {
  readonly key: string;
  readonly candidate: Candidate;
  readonly metadata: JsonObject;
  /** Where in the file, for log lines ('line 3', 'CSV row 2'): never its content. */
  readonly position: string;
}

/** The format of `auto`, from the name's extension (or a content type). */
export function detectFormat(name: string, contentType?: string | null): FileFormat {
  const lower = name.toLowerCase().replace(/[?#].*$/, '');
  if (lower.endsWith('.csv') || contentType?.includes('csv')) return 'csv';
  if (/\.(jsonl|ndjson)$/.test(lower) || /json/.test(contentType ?? '')) return 'jsonl';
  return 'text';
}

function fromFields(fields: Readonly<Record<string, unknown>>, fixedType: string | null, where: string): FileRecord | undefined {
  const type = fixedType ?? fields.signal_type;
  const value = fields.signal ?? fields.value;
  if (typeof type !== 'string' || typeof value !== 'string') {
    throw malformed(`${where}: needs string fields 'signal_type' and 'signal'`);
  }
  if (type.trim() === '' || value.trim() === '') return undefined;
  const id = fields.id;
  const metadata: Record<string, Json> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (!['signal_type', 'signal', 'value', 'id'].includes(k)) metadata[k] = v as Json;
  }
  const key = typeof id === 'string' && id !== '' ? id : typeof id === 'number' ? String(id) : typedKey(type.trim(), value.trim());
  return { key, candidate: [type.trim(), value.trim()], metadata, position: where };
}

export function parseHashList(content: string, format: FileFormat, fixedType: string | null): FileRecord[] {
  const out: FileRecord[] = [];
  const push = (r: FileRecord | undefined) => {
    if (r) out.push(r);
  };
  const lines = () => content.split(/\r?\n/);
  switch (format) {
    case 'text':
      for (const [i, raw] of lines().entries()) {
        const line = raw.trim();
        const position = `line ${i + 1}`;
        if (line === '') continue;
        if (fixedType !== null) {
          push({ key: typedKey(fixedType, line), candidate: [fixedType, line], metadata: {}, position });
          continue;
        }
        const space = line.search(/\s/);
        if (space <= 0) continue; // no type or no signal: skipped, as the reference does
        const type = line.slice(0, space);
        const value = line.slice(space + 1).trim();
        if (value !== '') push({ key: typedKey(type, value), candidate: [type, value], metadata: {}, position });
      }
      return out;
    case 'jsonl':
      lines().forEach((raw, i) => {
        if (raw.trim() === '') return;
        let obj: unknown;
        try {
          obj = JSON.parse(raw);
        } catch {
          throw malformed(`line ${i + 1}: not JSON`);
        }
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw malformed(`line ${i + 1}: not a JSON object`);
        push(fromFields(obj as Record<string, unknown>, fixedType, `line ${i + 1}`));
      });
      return out;
    case 'csv': {
      let rows: Record<string, string>[];
      try {
        rows = parseCsv(content, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
      } catch (err) {
        // csv-parse's messages quote fields and header names: only its code and line are kept.
        const e = err as { code?: string; lines?: number };
        throw malformed(`CSV: ${e.code ?? 'unreadable'}${e.lines === undefined ? '' : ` at line ${e.lines}`}`);
      }
      rows.forEach((row, i) => push(fromFields(row, fixedType, `CSV row ${i + 1}`)));
      return out;
    }
  }
}
