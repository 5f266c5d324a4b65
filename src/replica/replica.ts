/**
 * The matcher's replicated view of curation: banks and every bank content
 * signal, fed by change events, answering lookups. Pure: no Kafka here; the
 * consumer adapter feeds it events in topic order.
 *
 * Events are applied idempotently: replaying a topic, or a duplicated suffix of
 * it (the relay may republish after a crash), converges to the same state.
 */
import type { BankChange, ReplicaEvent, SignalChange } from './changes.js';
import { parseSignalKey } from './changes.js';
import { DenseColumn } from '../index/dense-column.js';
import type { SignalIndex } from '../index/types.js';

export interface BankInfo {
  readonly id: number;
  readonly name: string;
  readonly ratio: number;
  readonly labels: readonly string[];
  /** Signal type → the widest distance at which this bank matches (absent: the lookup's threshold). */
  readonly thresholds: Readonly<Record<string, number>>;
  /** Set for an allow-list bank: the labels of the banks it suppresses (null = every bank). */
  readonly allowList: { readonly scope: readonly string[] | null } | null;
}

export interface ContentMatch {
  readonly contentId: number;
  readonly distance: number;
  readonly bank: BankInfo;
  /** docs/reference/hma-api.md §2.8 value: 1 = enabled, 0 = disabled indefinitely, else epoch seconds. */
  readonly disableUntil: number;
  /** Under flood quarantine: still a match, flagged so that actioners skip it. */
  readonly quarantined: boolean;
  readonly detail?: Readonly<Record<string, number>>;
}

export interface SignalTypeStats {
  readonly size: number;
  /** change_seq of the last change applied to this signal type (0 if none). */
  readonly lastSeq: number;
  /** When curation made the last change applied (epoch ms; 0 if none). */
  readonly lastChangedAt: number;
  /** When the replica applied it (epoch ms; 0 if none). */
  readonly lastAppliedAt: number;
}

/** Stored form of disable_until_ts: 1 = enabled, 0 = disabled indefinitely, else epoch seconds. */
const ENABLED = 1;

interface TypeState {
  readonly index: SignalIndex;
  lastSeq: number;
  lastChangedAt: number;
  lastAppliedAt: number;
}

export class MatchReplica {
  private readonly types = new Map<string, TypeState>();
  private readonly banks = new Map<number, BankInfo>();
  private readonly thresholdsByType = new Map<string, readonly number[]>();
  private readonly bankOf = new DenseColumn();
  private readonly disableUntil = new DenseColumn();
  /** Bank content ids under flood quarantine (few: a set, not a column). */
  private readonly quarantined = new Set<number>();
  private unknownTypeEvents = 0;
  private maxSeq = 0;

  constructor(
    indexes: ReadonlyMap<string, SignalIndex>,
    private readonly clock: () => number = Date.now,
  ) {
    for (const [name, index] of indexes) {
      this.types.set(name, { index, lastSeq: 0, lastChangedAt: 0, lastAppliedAt: 0 });
    }
  }

  apply(event: ReplicaEvent): void {
    if (event.kind === 'signal') this.applySignal(event.key, event.change);
    else this.applyBank(event.key, event.change);
  }

  applySignal(key: string, change: SignalChange | null): void {
    const parsed = parseSignalKey(key);
    if (!parsed) return; // not ours: the consumer counts malformed keys before calling
    this.applySignalTo(parsed.signalType, parsed.contentId, change);
  }

  /** `applySignal` with the key already parsed (the feed parses it to count malformed keys). */
  applySignalTo(signalType: string, id: number, change: SignalChange | null): void {
    const state = this.types.get(signalType);
    if (!state) {
      // A signal type this process does not index (e.g. disabled by config): ignore, but count.
      this.unknownTypeEvents++;
      return;
    }
    if (state.index.has(id)) state.index.remove(id);
    if (change) {
      this.bankOf.set(id, change.bank_id);
      this.disableUntil.set(id, change.disable_until_ts === null ? ENABLED : change.disable_until_ts);
      if (change.quarantined === true) this.quarantined.add(id);
      else this.quarantined.delete(id);
      state.index.add(id, change.value);
      this.noteSeq(state, change.change_seq, change.changed_at);
    } else {
      state.lastAppliedAt = this.clock();
      // The quarantine is the content's: it ends with the content's last signal.
      if (![...this.types.values()].some((t) => t.index.has(id))) this.quarantined.delete(id);
    }
  }

  applyBank(key: string, change: BankChange | null): void {
    const id = Number(key);
    if (!Number.isSafeInteger(id)) return;
    this.thresholdsByType.clear();
    if (change) {
      this.banks.set(id, {
        id,
        name: change.name,
        ratio: change.matching_enabled_ratio,
        labels: [...change.labels],
        thresholds: { ...change.match_thresholds },
        allowList: change.allow_list ? { scope: change.allow_list_scope === null ? null : [...change.allow_list_scope] } : null,
      });
      this.maxSeq = Math.max(this.maxSeq, change.change_seq);
    } else {
      this.banks.delete(id);
    }
  }

  private noteSeq(state: TypeState, seq: number, changedAt: number): void {
    state.lastSeq = Math.max(state.lastSeq, seq);
    state.lastChangedAt = changedAt;
    state.lastAppliedAt = this.clock();
    this.maxSeq = Math.max(this.maxSeq, seq);
  }

  /**
   * Does the indexing work adds deferred (a replay ends with up to half its entries queued:
   * placing them took 27 s at 100M), so that the first lookup after a replay is as fast as any.
   */
  settle(): void {
    for (const t of this.types.values()) t.index.flush?.();
  }

  hasSignalType(name: string): boolean {
    return this.types.has(name);
  }

  signalTypes(): string[] {
    return [...this.types.keys()];
  }

  bank(id: number): BankInfo | undefined {
    return this.banks.get(id);
  }

  /** The banks' own thresholds for a signal type, each distinct value once; kept per bank change, not per lookup. */
  bankThresholds(signalType: string): readonly number[] {
    let cached = this.thresholdsByType.get(signalType);
    if (!cached) {
      const distinct = new Set<number>();
      for (const b of this.banks.values()) {
        const t = b.thresholds[signalType];
        if (t !== undefined) distinct.add(t);
      }
      cached = [...distinct];
      this.thresholdsByType.set(signalType, cached);
    }
    return cached;
  }

  bankByName(name: string): BankInfo | undefined {
    for (const b of this.banks.values()) if (b.name === name) return b;
    return undefined;
  }

  /** Highest change_seq applied so far, over every key. */
  get appliedSeq(): number {
    return this.maxSeq;
  }

  /**
   * Every stored signal within `radius`, with its bank. Like HMA's raw lookup it
   * ignores enable state and coinflip; unlike HMA it never returns content whose
   * bank is gone.
   */
  rawLookup(signalType: string, value: string, radius: number): ContentMatch[] {
    const state = this.types.get(signalType);
    if (!state) return [];
    const out: ContentMatch[] = [];
    for (const m of state.index.query(value, radius)) {
      const bank = this.banks.get(this.bankOf.get(m.id));
      if (bank) out.push({ contentId: m.id, distance: m.distance, bank, disableUntil: this.disableUntil.get(m.id), quarantined: this.quarantined.has(m.id), ...(m.detail ? { detail: m.detail } : {}) });
    }
    return out;
  }

  /** The replica's clock in epoch seconds: lookups judge disable_until_ts against it. */
  nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  stats(signalType: string): SignalTypeStats | undefined {
    const s = this.types.get(signalType);
    if (!s) return undefined;
    return { size: s.index.size, lastSeq: s.lastSeq, lastChangedAt: s.lastChangedAt, lastAppliedAt: s.lastAppliedAt };
  }

  /** Bank content under flood quarantine, as this replica has applied it. */
  get quarantinedCount(): number {
    return this.quarantined.size;
  }

  get bankCount(): number {
    return this.banks.size;
  }

  get ignoredEvents(): number {
    return this.unknownTypeEvents;
  }
}
