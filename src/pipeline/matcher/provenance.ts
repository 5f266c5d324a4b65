/**
 * Provenance on match results: the matched content's exchange, record id and tags, read from
 * the database for the (few) matched ids. Matching does not stop while the database is away:
 * the result goes out without provenance, counted, rather than being held or dead-lettered.
 */
import type { MatchResultValue } from '../../kafka/values.js';
import type { Provenance } from '../../curation/provenance.js';
import { log } from '../../observability/logger.js';
import { matcherMetrics } from './metrics.js';

export type ProvenanceLookup = (contentIds: readonly number[]) => Promise<ReadonlyMap<number, Provenance>>;

export async function withProvenance(result: MatchResultValue, lookup: ProvenanceLookup): Promise<MatchResultValue> {
  if (result.matches.length === 0) return result;
  let found: ReadonlyMap<number, Provenance>;
  try {
    found = await lookup(result.matches.map((m) => m.bank_content_id));
  } catch (err) {
    matcherMetrics.provenanceUnavailable.inc();
    log('matcher').warn({ err: (err as Error).message, submission_id: result.submission_id }, 'provenance unavailable: result published without it');
    return result;
  }
  return {
    ...result,
    matches: result.matches.map((m) => {
      const p = found.get(m.bank_content_id);
      return p ? { ...m, provenance: { ...p, tags: [...p.tags] } } : m;
    }),
  };
}
