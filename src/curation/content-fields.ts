/**
 * Validation of the client-supplied fields of bank content (docs/reference/hma-api.md §2.7, §2.8),
 * with HMA's messages. Pure: no I/O.
 */
import { invalidInput } from '../errors/errors.js';

/** User metadata as HMA's BankContentMetadata: every key optional. */
export interface ContentMetadata {
  readonly content_id?: string;
  readonly content_uri?: string;
  readonly json?: Readonly<Record<string, unknown>>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Returns undefined when nothing is left to store (HMA stores an empty object as nothing). */
export function parseMetadata(raw: unknown): ContentMetadata | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw invalidInput('metadata should be a json object');
  const out: { content_id?: string; content_uri?: string; json?: Record<string, unknown> } = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'collab') continue; // reserved for exchange provenance; HMA drops it silently
    if (value === null) continue;
    switch (key) {
      case 'content_id':
      case 'content_uri':
        if (typeof value !== 'string') throw invalidInput(`Invalid metadata: ${key} should be a string`);
        out[key] = value;
        break;
      case 'json':
        if (!isObject(value)) throw invalidInput('Invalid metadata: json should be a json object');
        out.json = value;
        break;
      default:
        throw invalidInput(`Invalid metadata: unknown field '${key}' (allowed: content_id, content_uri, json)`);
    }
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Parses the multipart form field form of metadata (a JSON string). */
export function parseMetadataField(raw: string | undefined): ContentMetadata | undefined {
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidInput('metadata form field must be valid JSON');
  }
  return parseMetadata(parsed);
}

export const MAX_NOTE = 255;

/** Empty or missing → null (on update: clears the note). */
export function parseNote(raw: unknown): string | null {
  if (raw === undefined || raw === null || raw === '' || raw === false) return null;
  if (typeof raw !== 'string') throw invalidInput('note should be a string');
  if (raw.length > MAX_NOTE) throw invalidInput(`note must be at most ${MAX_NOTE} characters`);
  return raw;
}

const FIVE_YEARS_S = 5 * 365 * 24 * 3600;

/** disable_until_ts: 1 = enabled, 0 = disabled indefinitely, else a Unix time ≤ now + 5 years. */
export function parseDisableUntil(raw: unknown, nowS: number): number {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw)) n = Number(raw);
  else throw invalidInput(`Invalid int: '${typeof raw === 'string' ? raw : JSON.stringify(raw)}'`);
  if (!Number.isSafeInteger(n) || n < 0) throw invalidInput('disable_until_ts must be a non-negative integer');
  if (n > nowS + FIVE_YEARS_S) throw invalidInput('disable_until_ts must be less than 5 years in the future');
  return n;
}

export const MAX_LABELS = 100;
export const MAX_LABEL = 255;

/** Bank labels and review labels: strings, trimmed, de-duplicated, order kept. */
export function parseLabels(raw: unknown, field: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidInput(`${field} should be a list of strings`);
  if (raw.length > MAX_LABELS) throw invalidInput(`${field} may hold at most ${MAX_LABELS} labels`);
  const out: string[] = [];
  for (const item of raw) {
    if (typeof item !== 'string') throw invalidInput(`${field} should be a list of strings`);
    const label = item.trim();
    if (label.length === 0) throw invalidInput(`${field} must not contain empty labels`);
    if (label.length > MAX_LABEL) throw invalidInput(`${field}: labels must be at most ${MAX_LABEL} characters`);
    if (!out.includes(label)) out.push(label);
  }
  return out;
}

/** Platform content id: the adopter's own id of the content (HMA metadata.content_id). */
export function parsePlatformContentId(raw: unknown, metadata: ContentMetadata | undefined): string | undefined {
  if (raw === undefined || raw === null || raw === '') return metadata?.content_id;
  if (typeof raw !== 'string') throw invalidInput('platform_content_id should be a string');
  if (raw.length > 1024) throw invalidInput('platform_content_id must be at most 1024 characters');
  if (metadata?.content_id !== undefined && metadata.content_id !== raw) {
    throw invalidInput('platform_content_id and metadata.content_id differ');
  }
  return raw;
}
