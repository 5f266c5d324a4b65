/**
 * The change events curation publishes to the compacted `signals` and `banks`
 * topics, as the replica sees them after decoding. A null value is a tombstone.
 */
export interface SignalChange {
  readonly signal_type: string;
  readonly content_id: number;
  readonly bank_id: number;
  readonly value: string;
  /** HMA's magic values: 1 (or null) = enabled, 0 = disabled indefinitely, else enabled from that epoch second. */
  readonly disable_until_ts: number | null;
  readonly change_seq: number;
  readonly changed_at: Date | number;
}

export interface BankChange {
  readonly bank_id: number;
  readonly name: string;
  readonly matching_enabled_ratio: number;
  readonly labels: readonly string[];
  readonly change_seq: number;
  readonly changed_at: Date | number;
}

export type ReplicaEvent =
  | { readonly kind: 'signal'; readonly key: string; readonly change: SignalChange | null }
  | { readonly kind: 'bank'; readonly key: string; readonly change: BankChange | null };

/** Parses a `signals` topic key, `"<signal_type>:<content_id>"`. */
export function parseSignalKey(key: string): { signalType: string; contentId: number } | undefined {
  const at = key.lastIndexOf(':');
  if (at <= 0) return undefined;
  const contentId = Number(key.slice(at + 1));
  if (!Number.isSafeInteger(contentId) || contentId < 0) return undefined;
  return { signalType: key.slice(0, at), contentId };
}

export const signalKey = (signalType: string, contentId: number) => `${signalType}:${contentId}`;
