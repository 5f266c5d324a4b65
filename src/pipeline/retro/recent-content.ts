/**
 * The retro-matcher's memory of recently hashed content: one index per signal type (the type's
 * own, entry id = a slot here), what is needed to write a result for a slot, and what the forward
 * matcher (and earlier retroactive results) already decided about it. Pure: the Kafka side feeds
 * it `content.hashed` and `match.results` events (content-window.ts).
 *
 * Sized for a million contents in a few hundred MB: per slot only typed-array columns and the
 * submission fields as UTF-8 bytes in an append-only arena of large chunks (no object per
 * content for the GC to walk). Contents leave in arrival order once older than the window, so
 * arena chunks empty from the front and are dropped whole.
 */
import type { SignalIndex } from '../../index/types.js';
import { IdAllocator } from '../../index/id-allocator.js';
import { DenseColumn } from '../../index/dense-column.js';
import type { ContentHashedValue, MatchResultValue, SubmissionFields } from '../../kafka/values.js';

/** What a result for a slot carries over from the hashed event. */
export interface RecentFields extends SubmissionFields {
  readonly hashed_at: number;
}

export interface ForwardState {
  /** change_seq of the forward matcher's index for this type when it matched the content; undefined = no result seen yet. */
  readonly position: number | undefined;
  /** Whether the content is already matched to this entry (by the forward matcher or a retroactive result). */
  readonly matched: boolean;
}

const CHUNK_BYTES = 1 << 20;

/** A growable column of doubles (change_seq values are longs; NaN = none). */
class FloatColumn {
  private data = new Float64Array(1024).fill(Number.NaN);
  get(i: number): number {
    return i < this.data.length ? this.data[i] : Number.NaN;
  }
  set(i: number, v: number): void {
    if (i >= this.data.length) {
      let n = this.data.length;
      while (n <= i) n *= 2;
      const grown = new Float64Array(n).fill(Number.NaN);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[i] = v;
  }
  get bytes(): number {
    return this.data.byteLength;
  }
}

/** FNV-1a of a string's UTF-16 code units: a 32-bit key for the submission → slot map. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** `<signal_type>:<bank content id>`: one matched entry. */
export const entryKey = (signalType: string, bankContentId: number) => `${signalType}:${bankContentId}`;

export class RecentContent {
  private readonly indexes: ReadonlyMap<string, SignalIndex>;
  private readonly ids = new IdAllocator();
  /** Slots in arrival order: [head, tail) are live. */
  private fifo = new Uint32Array(1024);
  private head = 0;
  private tail = 0;
  private readonly hashedAt = new FloatColumn();
  private readonly chunkOf = new DenseColumn();
  private readonly offsetOf = new DenseColumn();
  private readonly lengthOf = new DenseColumn();
  /** Arena chunks by number (undefined once dropped) and their live record counts. */
  private readonly chunks = new Map<number, { readonly buf: Buffer; used: number; live: number }>();
  private chunkNo = -1;
  /** Forward position per signal type, per slot. */
  private readonly positions = new Map<string, FloatColumn>();
  /** Entries each slot is already matched to (few contents match anything). */
  private readonly matched = new Map<number, Set<string>>();
  /** submission id hash → slot; a colliding submission goes to `overflow` by its id. */
  private readonly bySubmission = new Map<number, number>();
  private readonly overflow = new Map<string, number>();
  /** Matches reported before their content (a result read ahead of its hashed event), by submission id. */
  private readonly early = new Map<string, MatchResultValue>();
  private count = 0;

  constructor(indexes: ReadonlyMap<string, SignalIndex>) {
    this.indexes = indexes;
    for (const t of indexes.keys()) this.positions.set(t, new FloatColumn());
  }

  get size(): number {
    return this.count;
  }

  signalTypes(): string[] {
    return [...this.indexes.keys()];
  }

  /** Remembers a hashed content (a repeated event of a submission already held is ignored). */
  addHashed(v: ContentHashedValue): void {
    if (this.slotOf(v.submission_id) !== undefined) return;
    const slot = this.ids.allocate();
    const bytes = Buffer.from(
      // hashed_at lives in its own column (eviction reads it).
      JSON.stringify([v.submission_id, v.content_id, v.content_type, v.trace_id, v.metadata, v.submitted_at]),
      'utf8',
    );
    this.store(slot, bytes);
    this.hashedAt.set(slot, v.timings.hashed_at);
    for (const s of v.signals) {
      const index = this.indexes.get(s.signal_type);
      if (!index || s.value === '') continue;
      try {
        index.add(slot, s.value);
      } catch {
        // A value the type's index rejects cannot match anything: the content is held without it.
      }
    }
    this.push(slot);
    const h = hash32(v.submission_id);
    if (this.bySubmission.has(h)) this.overflow.set(v.submission_id, slot);
    else this.bySubmission.set(h, slot);
    this.count++;
    const early = this.early.get(v.submission_id);
    if (early) {
      this.early.delete(v.submission_id);
      this.addResult(early);
    }
  }

  /**
   * Notes a result: a forward result gives the matcher's index position per type and what it
   * matched; a retroactive one adds its entry. A result read before its content is kept until it comes.
   */
  addResult(r: MatchResultValue): void {
    const slot = this.slotOf(r.submission_id);
    if (slot === undefined) {
      // Bounded: only results whose hashed event is still to come (read out of order) wait here.
      if (this.early.size < 100_000) this.early.set(r.submission_id, r);
      return;
    }
    if (!r.retroactive) {
      // A type the forward matcher did not look up (it does not index it) was decided without any signal: position -1.
      for (const [type, col] of this.positions) {
        const pos = r.index_positions[type] ?? -1;
        if (!(col.get(slot) >= pos)) col.set(slot, pos);
      }
    }
    for (const m of r.matches) this.markMatched(slot, entryKey(m.signal_type, m.bank_content_id));
  }

  markMatched(slot: number, key: string): void {
    let set = this.matched.get(slot);
    if (!set) this.matched.set(slot, (set = new Set()));
    set.add(key);
  }

  unmarkMatched(slot: number, key: string): void {
    this.matched.get(slot)?.delete(key);
  }

  /** Slots whose `signalType` value is within `radius` of `value`, with the distance. */
  query(signalType: string, value: string, radius: number): Array<{ slot: number; distance: number }> {
    const index = this.indexes.get(signalType);
    if (!index) return [];
    return index.query(value, radius).map((m) => ({ slot: m.id, distance: m.distance }));
  }

  /** The content's values by signal type, as its indexes hold them (for the allow-list check). */
  values(slot: number): Array<{ signalType: string; value: string }> {
    const out: Array<{ signalType: string; value: string }> = [];
    for (const [signalType, index] of this.indexes) {
      const value = index.storedValue?.(slot);
      if (value !== undefined) out.push({ signalType, value });
    }
    return out;
  }

  forward(slot: number, signalType: string, entry: string): ForwardState {
    const pos = this.positions.get(signalType)?.get(slot) ?? Number.NaN;
    return { position: Number.isNaN(pos) ? undefined : pos, matched: this.matched.get(slot)?.has(entry) ?? false };
  }

  fields(slot: number): RecentFields {
    const chunk = this.chunks.get(this.chunkOf.get(slot));
    if (!chunk) throw new Error(`slot ${slot} is not held`);
    const off = this.offsetOf.get(slot);
    const [submission_id, content_id, content_type, trace_id, metadata, submitted_at] = JSON.parse(
      chunk.buf.toString('utf8', off, off + this.lengthOf.get(slot)),
    ) as [string, string, string, string | null, Record<string, string> | null, number];
    return { submission_id, content_id, content_type, trace_id, metadata, submitted_at, hashed_at: this.hashedAt.get(slot) };
  }

  /** Whether a slot is still the content it was when queried (eviction may have reused it). */
  holds(slot: number, submissionId: string): boolean {
    return this.chunks.has(this.chunkOf.get(slot)) && this.slotOf(submissionId) === slot;
  }

  /** Drops contents hashed before `cutoffMs`, oldest arrival first; returns how many. */
  evictOlderThan(cutoffMs: number): number {
    // Results of content hashed before the window's start never see their content.
    for (const [id, r] of this.early) if (r.timings.hashed_at < cutoffMs) this.early.delete(id);
    let n = 0;
    while (this.head < this.tail) {
      const slot = this.fifo[this.head];
      if (!(this.hashedAt.get(slot) < cutoffMs)) break;
      this.head++;
      this.drop(slot);
      n++;
    }
    return n;
  }

  /** Bytes held in typed arrays and the arena (the indexes' own, where they say, are added by the caller). */
  arenaBytes(): number {
    let b = this.fifo.byteLength + this.hashedAt.bytes + this.chunkOf.bytes + this.offsetOf.bytes + this.lengthOf.bytes;
    for (const c of this.chunks.values()) b += c.buf.byteLength;
    for (const col of this.positions.values()) b += col.bytes;
    return b;
  }

  private slotOf(submissionId: string): number | undefined {
    const over = this.overflow.get(submissionId);
    if (over !== undefined) return over;
    const slot = this.bySubmission.get(hash32(submissionId));
    if (slot === undefined) return undefined;
    return this.submissionAt(slot) === submissionId ? slot : undefined;
  }

  private submissionAt(slot: number): string | undefined {
    const chunk = this.chunks.get(this.chunkOf.get(slot));
    if (!chunk) return undefined;
    const off = this.offsetOf.get(slot);
    return (JSON.parse(chunk.buf.toString('utf8', off, off + this.lengthOf.get(slot))) as [string])[0];
  }

  private store(slot: number, bytes: Buffer): void {
    let chunk = this.chunks.get(this.chunkNo);
    if (!chunk || chunk.used + bytes.length > chunk.buf.length) {
      this.chunkNo++;
      chunk = { buf: Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, bytes.length)), used: 0, live: 0 };
      this.chunks.set(this.chunkNo, chunk);
    }
    bytes.copy(chunk.buf, chunk.used);
    this.chunkOf.set(slot, this.chunkNo);
    this.offsetOf.set(slot, chunk.used);
    this.lengthOf.set(slot, bytes.length);
    chunk.used += bytes.length;
    chunk.live++;
  }

  private push(slot: number): void {
    if (this.tail === this.fifo.length) {
      const live = this.tail - this.head;
      // Compact in place when at least half is dead, else grow.
      const next = live * 2 <= this.fifo.length ? this.fifo : new Uint32Array(this.fifo.length * 2);
      next.set(this.fifo.subarray(this.head, this.tail), 0);
      this.fifo = next;
      this.head = 0;
      this.tail = live;
    }
    this.fifo[this.tail++] = slot;
  }

  private drop(slot: number): void {
    const submission = this.submissionAt(slot);
    if (submission !== undefined) {
      if (this.overflow.get(submission) === slot) this.overflow.delete(submission);
      else {
        const h = hash32(submission);
        if (this.bySubmission.get(h) === slot) this.bySubmission.delete(h);
      }
    }
    for (const index of this.indexes.values()) if (index.has(slot)) index.remove(slot);
    for (const col of this.positions.values()) col.set(slot, Number.NaN);
    this.matched.delete(slot);
    this.hashedAt.set(slot, Number.NaN);
    const no = this.chunkOf.get(slot);
    const chunk = this.chunks.get(no);
    if (chunk && --chunk.live === 0 && no !== this.chunkNo) this.chunks.delete(no);
    this.ids.release(slot);
    this.count--;
  }
}
