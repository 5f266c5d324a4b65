/**
 * Outbox rows → the values of the compacted `signals` and `banks` topics (see
 * docs/ARCHITECTURE.md). Pure. change_seq is the outbox seq, so consumers can apply
 * events idempotently and ignore a replayed older one.
 */
export type OutboxTopic = 'signals' | 'banks';

export interface OutboxRow {
  readonly seq: number;
  readonly topic: OutboxTopic;
  readonly key: string;
  /** As written by the outbox triggers; null = tombstone. */
  readonly value: Readonly<Record<string, unknown>> | null;
  readonly createdAt: Date;
}

export interface SignalChangeValue {
  readonly signal_type: string;
  readonly content_id: number;
  readonly bank_id: number;
  readonly value: string;
  /** HMA's values, unchanged: 1 = enabled, 0 = disabled indefinitely, else enabled from that Unix second. */
  readonly disable_until_ts: number | null;
  readonly change_seq: number;
  readonly changed_at: number;
}

export interface BankChangeValue {
  readonly bank_id: number;
  readonly name: string;
  readonly matching_enabled_ratio: number;
  readonly labels: readonly string[];
  readonly change_seq: number;
  readonly changed_at: number;
}

export type ChangeValue = SignalChangeValue | BankChangeValue;

export interface ChangeRecord {
  readonly topic: OutboxTopic;
  readonly key: string;
  readonly value: ChangeValue | null;
  readonly seq: number;
}

const str = (v: unknown): string => String(v);
const int = (v: unknown): number => Number(v);

export function toChangeRecord(row: OutboxRow): ChangeRecord {
  const meta = { change_seq: row.seq, changed_at: row.createdAt.getTime() };
  if (row.value === null) return { topic: row.topic, key: row.key, value: null, seq: row.seq };
  const v = row.value;
  if (row.topic === 'signals') {
    return {
      topic: row.topic,
      key: row.key,
      seq: row.seq,
      value: {
        signal_type: str(v.signal_type),
        content_id: int(v.content_id),
        bank_id: int(v.bank_id),
        value: str(v.value),
        disable_until_ts: v.disable_until_ts === null || v.disable_until_ts === undefined ? null : int(v.disable_until_ts),
        ...meta,
      },
    };
  }
  return {
    topic: row.topic,
    key: row.key,
    seq: row.seq,
    value: {
      bank_id: int(v.bank_id),
      name: str(v.name),
      matching_enabled_ratio: Number(v.matching_enabled_ratio),
      labels: Array.isArray(v.labels) ? v.labels.map(str) : [],
      ...meta,
    },
  };
}
