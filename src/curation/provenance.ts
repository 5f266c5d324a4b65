/**
 * Where bank content came from: for content an exchange fetched, the exchange (name and API
 * type), the upstream record id and the record's tags. Read for matched content only (a few
 * ids per lookup, by primary key), so neither the replica nor the signals topic carries it.
 */
import type { Queryable } from './db.js';

type JsonObject = { readonly [k: string]: unknown };

export interface Provenance {
  readonly exchange: string;
  readonly exchange_type: string;
  readonly record_id: string;
  readonly tags: readonly string[];
}

const stringsOf = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? v.split(';').map((s) => s.trim()).filter(Boolean) : [];

/**
 * Tags of an exchange record's stored metadata, whatever the API: a top-level `tags` (a list,
 * or a `;`-separated string as local files give it), and the `tags` of top-level lists of
 * objects (ThreatExchange's opinions, StopNCII's feedbacks). Sorted, each once.
 */
export function recordTags(metadata: JsonObject): string[] {
  const tags = new Set(stringsOf(metadata.tags));
  for (const v of Object.values(metadata)) {
    if (!Array.isArray(v)) continue;
    for (const item of v) {
      if (typeof item === 'object' && item !== null && !Array.isArray(item)) for (const t of stringsOf((item as JsonObject).tags)) tags.add(t);
    }
  }
  return [...tags].sort();
}

/** Provenance of each given content item an exchange fetched (others are absent). */
export async function provenanceOf(q: Queryable, contentIds: readonly number[]): Promise<Map<number, Provenance>> {
  if (contentIds.length === 0) return new Map();
  const { rows } = await q.query<{ id: string; exchange: string; api: string; record_key: string; metadata: JsonObject }>(
    `SELECT c.id, e.name AS exchange, e.api, r.record_key, r.metadata
     FROM bank_content c JOIN exchange_record r ON r.id = c.exchange_record_id JOIN exchange e ON e.id = r.exchange_id
     WHERE c.id = ANY($1::bigint[])`,
    [[...new Set(contentIds)]],
  );
  return new Map(rows.map((r) => [Number(r.id), { exchange: r.exchange, exchange_type: r.api, record_id: r.record_key, tags: recordTags(r.metadata) }]));
}
