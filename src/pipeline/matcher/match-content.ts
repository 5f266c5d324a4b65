/**
 * The matcher's transform: the signals of one hashed content looked up in the
 * replica, giving exactly one result. The bank coinflip is seeded with the
 * platform content id, so replaying an event (or matching the same content again)
 * decides the same way; disabled bank content is left out by the lookup.
 */
import type { ContentHashedValue, MatchResultValue, MatchValue } from '../../kafka/values.js';
import { applyAllowLists } from '../../matching/allow-list.js';
import { drawCoinflip } from '../../matching/coinflip.js';
import type { LookupService } from '../../matching/lookup-service.js';
import type { ContentMatch, MatchReplica } from '../../replica/replica.js';

export interface MatchOutcome {
  readonly result: MatchResultValue;
  /** Signal types of the event this process does not index (nothing was looked up for them). */
  readonly skippedTypes: readonly string[];
}

export function matchContent(
  hashed: ContentHashedValue,
  replica: MatchReplica,
  lookups: LookupService,
  clock: () => number = Date.now,
): MatchOutcome {
  const started = performance.now();
  const coinflip = drawCoinflip({ seed: hashed.content_id });
  const found: Array<ContentMatch & { signalType: string }> = [];
  const positions: Record<string, number> = {};
  const skippedTypes: string[] = [];
  for (const signal of hashed.signals) {
    if (!replica.hasSignalType(signal.signal_type)) {
      skippedTypes.push(signal.signal_type);
      continue;
    }
    positions[signal.signal_type] = replica.stats(signal.signal_type)?.lastSeq ?? 0;
    if (signal.value === '') continue; // e.g. no frame could be hashed: nothing to look up
    for (const m of lookups.candidates(signal.signal_type, signal.value, { coinflip })) found.push({ ...m, signalType: signal.signal_type });
  }
  // Allow-lists apply to the content, over all its signals: an allow-listed PDQ suppresses an MD5 match too.
  const { kept, suppressed } = applyAllowLists(found);
  const toValue = (m: ContentMatch & { signalType: string }): MatchValue => ({
    bank_id: m.bank.id,
    bank_name: m.bank.name,
    bank_content_id: m.contentId,
    signal_type: m.signalType,
    distance: m.distance,
    bank_labels: [...m.bank.labels],
    quarantined: m.quarantined,
    provenance: null, // filled by withProvenance: it needs the database
  });
  const matches = kept.map(toValue);
  const now = clock();
  return {
    skippedTypes,
    result: {
      submission_id: hashed.submission_id,
      content_id: hashed.content_id,
      content_type: hashed.content_type,
      matched: matches.length > 0,
      matches,
      suppressed: suppressed.map((s) => ({
        match: toValue(s.match),
        allow_list_bank_id: s.by.bank.id,
        allow_list_bank_name: s.by.bank.name,
        allow_list_content_id: s.by.contentId,
        allow_list_signal_type: s.by.signalType,
        allow_list_distance: s.by.distance,
      })),
      index_positions: positions,
      trace_id: hashed.trace_id,
      metadata: hashed.metadata,
      submitted_at: hashed.submitted_at,
      timings: { hashed_at: hashed.timings.hashed_at, match_ms: performance.now() - started, matched_at: now },
    },
  };
}
