/**
 * The retro-matcher's decision for one signal change: which recently hashed content it matches
 * that the forward matcher did not (and no earlier retroactive result did), each becoming one
 * result flagged `retroactive`.
 *
 * "Already matched" (docs/ARCHITECTURE.md, "Retroactive matching"): the forward matcher's result
 * for a content carries, per signal type, the change_seq its index had applied. The `signals`
 * topic is one partition in outbox order, so a position p >= the change's seq means the forward
 * matcher decided with this change (or a later state of the same entry) applied: it matched or
 * rightly did not. A position below it means it decided without the change: the content is
 * matched now unless it is already matched to the entry (an earlier, still enabled state of it,
 * or an earlier retroactive result). Content with no forward result yet is left to the caller,
 * which waits for that result (the forward matcher may be behind).
 *
 * Lookup rules are the matcher's own (src/matching/lookup-rules.ts): disabled content never
 * matches, and the bank coinflip is drawn with the platform content id as seed, so a bank at a
 * partial ratio sees the same contents retroactively as it would have going forward.
 */
import type { MatchResultValue, SignalChangeValue } from '../../kafka/values.js';
import { drawCoinflip } from '../../matching/coinflip.js';
import { passesLookupRules } from '../../matching/lookup-rules.js';
import { entryKey, type RecentContent } from './recent-content.js';

export interface RetroBank {
  readonly id: number;
  readonly name: string;
  readonly ratio: number;
  readonly labels: readonly string[];
}

export interface RetroHit {
  readonly slot: number;
  readonly submissionId: string;
  readonly result: MatchResultValue;
}

export interface RetroDecision {
  readonly hits: readonly RetroHit[];
  /** Candidates within range whose forward result has not been seen yet. */
  readonly undecided: readonly number[];
  /** Candidates the forward matcher or an earlier retroactive result already covers. */
  readonly covered: number;
}

export function decideRetro(
  change: SignalChangeValue,
  bank: RetroBank,
  recent: RecentContent,
  radius: number,
  now: number = Date.now(),
): RetroDecision {
  const started = performance.now();
  const entry = entryKey(change.signal_type, change.content_id);
  const hits: RetroHit[] = [];
  const undecided: number[] = [];
  let covered = 0;
  for (const { slot, distance } of recent.query(change.signal_type, change.value, radius)) {
    const fwd = recent.forward(slot, change.signal_type, entry);
    if (fwd.matched || (fwd.position !== undefined && fwd.position >= change.change_seq)) {
      covered++;
      continue;
    }
    if (fwd.position === undefined) {
      undecided.push(slot);
      continue;
    }
    const fields = recent.fields(slot);
    const takesPart = passesLookupRules(
      { bank, disableUntil: change.disable_until_ts },
      { coinflip: drawCoinflip({ seed: fields.content_id }), nowSeconds: Math.floor(now / 1000) },
    );
    if (!takesPart) continue;
    hits.push({
      slot,
      submissionId: fields.submission_id,
      result: {
        submission_id: fields.submission_id,
        content_id: fields.content_id,
        content_type: fields.content_type,
        matched: true,
        matches: [
          {
            bank_id: bank.id,
            bank_name: bank.name,
            bank_content_id: change.content_id,
            signal_type: change.signal_type,
            distance,
            bank_labels: [...bank.labels],
            // A quarantined entry's retroactive matches are recorded and flagged like forward ones.
            quarantined: change.quarantined === true,
            provenance: null,
          },
        ],
        suppressed: [],
        index_positions: { [change.signal_type]: change.change_seq },
        trace_id: fields.trace_id,
        metadata: fields.metadata,
        submitted_at: fields.submitted_at,
        timings: { hashed_at: fields.hashed_at, match_ms: performance.now() - started, matched_at: now },
        retroactive: { signal_type: change.signal_type, bank_id: bank.id, bank_content_id: change.content_id, change_seq: change.change_seq },
      },
    });
  }
  return { hits, undecided, covered };
}
