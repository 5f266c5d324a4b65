/**
 * Outbox rows → the values of the compacted `signals` and `banks` topics
 * (schemas/signals.avsc, schemas/banks.avsc). Pure. change_seq is the outbox seq, so
 * consumers apply events idempotently and ignore a replayed older one.
 *
 * disable_until_ts carries HMA's values unchanged: 1 = enabled, 0 = disabled
 * indefinitely, else enabled from that Unix second (src/replica reads them so).
 */
import type { BankSettingsValue, SignalChangeValue } from '../../kafka/values.js';

export type OutboxTopic = 'signals' | 'banks';

export interface OutboxRow {
  readonly seq: number;
  readonly topic: OutboxTopic;
  readonly key: string;
  /** As written by the outbox triggers; null = tombstone. */
  readonly value: Readonly<Record<string, unknown>> | null;
  readonly createdAt: Date;
}

export type Change =
  | { readonly topic: 'signals'; readonly value: SignalChangeValue }
  | { readonly topic: 'banks'; readonly value: BankSettingsValue };

export interface ChangeRecord {
  readonly topic: OutboxTopic;
  readonly key: string;
  /** null = tombstone. */
  readonly change: Change | null;
  readonly seq: number;
}

const str = (v: unknown): string => String(v);
const int = (v: unknown): number => Number(v);
/** A JSON object of integers (rows written before a field existed have none: {}). */
const intMap = (v: unknown): Record<string, number> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, n]) => [k, int(n)]))
    : {};

export function toChangeRecord(row: OutboxRow): ChangeRecord {
  const base = { topic: row.topic, key: row.key, seq: row.seq };
  const v = row.value;
  if (v === null) return { ...base, change: null };
  const meta = { change_seq: row.seq, changed_at: row.createdAt.getTime() };
  if (row.topic === 'signals') {
    return {
      ...base,
      change: {
        topic: 'signals',
        value: {
          signal_type: str(v.signal_type),
          content_id: int(v.content_id),
          bank_id: int(v.bank_id),
          value: str(v.value),
          disable_until_ts: v.disable_until_ts === null || v.disable_until_ts === undefined ? null : int(v.disable_until_ts),
          ...meta,
          // Set by the outbox trigger of the flood quarantine migration, only while quarantined.
          quarantined: v.quarantined === true,
        },
      },
    };
  }
  return {
    ...base,
    change: {
      topic: 'banks',
      value: {
        bank_id: int(v.bank_id),
        name: str(v.name),
        matching_enabled_ratio: Number(v.matching_enabled_ratio),
        labels: Array.isArray(v.labels) ? v.labels.map(str) : [],
        match_thresholds: intMap(v.match_thresholds),
        allow_list: v.allow_list === true,
        allow_list_scope: Array.isArray(v.allow_list_scope) ? v.allow_list_scope.map(str) : null,
        ...meta,
      },
    },
  };
}
