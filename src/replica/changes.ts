/**
 * The change events curation publishes to the compacted `signals` and `banks`
 * topics, as the replica sees them after decoding. A null value is a tombstone.
 * disable_until_ts carries HMA's values: 1 (or null) = enabled, 0 = disabled
 * indefinitely, else enabled from that epoch second.
 */
// The topic contract's types (type-only: the replica never touches Kafka itself).
import type { BankSettingsValue, SignalChangeValue } from '../kafka/values.js';

export type SignalChange = SignalChangeValue;
export type BankChange = BankSettingsValue;

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
