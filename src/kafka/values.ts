/**
 * TypeScript shapes of the topic values in schemas/*.avsc, as avsc reads and writes them:
 * Avro long and timestamp-millis are JS numbers (epoch milliseconds), bytes are Buffers,
 * an optional field is `T | null`, and a union of records is wrapped in an object keyed
 * by the branch's full name (Avro's JSON encoding), hence the media helpers below.
 * test/foundation/schemas.test.ts checks each type's fields against its .avsc and round-trips
 * a typed sample of each through the registry and the broker.
 */
import type { TopicName } from '../../topology/topics.js';

/** Epoch milliseconds (Avro timestamp-millis). */
export type EpochMillis = number;

export interface SignalChangeValue {
  readonly signal_type: string;
  readonly content_id: number;
  readonly bank_id: number;
  readonly value: string;
  /** docs/reference/hma-api.md §2.8: 1 (or null) = enabled, 0 = disabled indefinitely, else enabled from that epoch second. */
  readonly disable_until_ts: number | null;
  readonly change_seq: number;
  readonly changed_at: EpochMillis;
  /** Flood quarantine (docs/ARCHITECTURE.md): the content's matches are flagged and not acted on. Absent = false (Avro default). */
  readonly quarantined?: boolean;
}

export interface BankSettingsValue {
  readonly bank_id: number;
  readonly name: string;
  readonly matching_enabled_ratio: number;
  readonly labels: readonly string[];
  readonly change_seq: number;
  readonly changed_at: EpochMillis;
  /** Signal type → the widest distance at which this bank matches ({} for older events: no bank limit). */
  readonly match_thresholds: Readonly<Record<string, number>>;
  /** An allow-list bank never matches; it suppresses the matches of in-scope banks for the content. */
  readonly allow_list: boolean;
  /** Labels of the banks an allow-list bank suppresses; null = every bank. */
  readonly allow_list_scope: readonly string[] | null;
}

export const MEDIA_URL = 'hma_stream.v1.MediaUrl';
export const MEDIA_INLINE = 'hma_stream.v1.MediaInline';

export type MediaValue =
  | { readonly [MEDIA_URL]: { readonly url: string } }
  | { readonly [MEDIA_INLINE]: { readonly data: Buffer; readonly mime_type: string | null } };

/** What every pipeline event carries forward from the submission it is about. */
export interface SubmissionFields {
  readonly submission_id: string;
  /** The platform's id of the content (also the message key). */
  readonly content_id: string;
  readonly content_type: string;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly trace_id: string | null;
  readonly submitted_at: EpochMillis;
}

export interface ContentSubmittedValue extends SubmissionFields {
  readonly media: MediaValue;
}

export interface ComputedSignalValue {
  readonly signal_type: string;
  readonly value: string;
  readonly quality: number | null;
}

export interface ContentHashedValue extends SubmissionFields {
  readonly signals: readonly ComputedSignalValue[];
  readonly hasher_version: string;
  readonly timings: { readonly fetch_ms: number; readonly hash_ms: number; readonly hashed_at: EpochMillis };
}

export interface MatchValue {
  readonly bank_id: number;
  readonly bank_name: string;
  readonly bank_content_id: number;
  readonly signal_type: string;
  readonly distance: number;
  readonly bank_labels: readonly string[];
  /** The bank content was under flood quarantine: the match is recorded, actioners skip it. Absent = false (Avro default). */
  readonly quarantined?: boolean;
  /** For bank content an exchange fetched: the exchange, its API, the record id and tags; else null. */
  readonly provenance: MatchProvenanceValue | null;
}

export interface MatchProvenanceValue {
  readonly exchange: string;
  readonly exchange_type: string;
  readonly record_id: string;
  readonly tags: readonly string[];
}

export interface SuppressedMatchValue {
  readonly match: MatchValue;
  readonly allow_list_bank_id: number;
  readonly allow_list_bank_name: string;
  readonly allow_list_content_id: number;
  readonly allow_list_signal_type: string;
  readonly allow_list_distance: number;
}

export interface MatchResultValue extends SubmissionFields {
  readonly matched: boolean;
  readonly matches: readonly MatchValue[];
  /** Matches allow-list banks suppressed: never acted on. */
  readonly suppressed: readonly SuppressedMatchValue[];
  /** Signal type → change_seq (outbox sequence) of the last change its index had applied. */
  readonly index_positions: Readonly<Record<string, number>>;
  readonly timings: { readonly hashed_at: EpochMillis; readonly match_ms: number; readonly matched_at: EpochMillis };
  /** Set on the retro-matcher's results (content hashed before the signal change that matched it); absent/null on forward results. */
  readonly retroactive?: RetroactiveTriggerValue | null;
}

/** The signal change that made a retroactive result. */
export interface RetroactiveTriggerValue {
  readonly signal_type: string;
  readonly bank_id: number;
  readonly bank_content_id: number;
  readonly change_seq: number;
}

export interface DeadLetterValue {
  readonly original_topic: string;
  readonly original_partition: number;
  readonly original_offset: number;
  readonly original_key: string | null;
  readonly original_value: Buffer | null;
  readonly stage: string;
  readonly reason: string;
  readonly message: string;
  readonly attempts: number;
  readonly failed_at: EpochMillis;
}

/** The value type of each topic. */
export interface TopicValues {
  readonly 'content.submitted': ContentSubmittedValue;
  readonly 'content.hashed': ContentHashedValue;
  readonly 'match.results': MatchResultValue;
  readonly deadletter: DeadLetterValue;
  readonly signals: SignalChangeValue;
  readonly banks: BankSettingsValue;
}

// Every topic has a value type, and nothing else does.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const everyTopicTyped: Exact<keyof TopicValues, TopicName> = true;
void everyTopicTyped;

export const mediaUrl = (url: string): MediaValue => ({ [MEDIA_URL]: { url } });
export const mediaInline = (data: Buffer, mimeType: string | null = null): MediaValue => ({
  [MEDIA_INLINE]: { data, mime_type: mimeType },
});

/** The media union unwrapped into a discriminated union. */
export function mediaOf(
  media: MediaValue,
): { readonly kind: 'url'; readonly url: string } | { readonly kind: 'inline'; readonly data: Buffer; readonly mimeType: string | null } {
  if (MEDIA_URL in media) return { kind: 'url', url: media[MEDIA_URL].url };
  return { kind: 'inline', data: media[MEDIA_INLINE].data, mimeType: media[MEDIA_INLINE].mime_type };
}
