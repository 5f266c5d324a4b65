/**
 * One hash table of the PDQ index: 2^16 buckets keyed by a 16-bit slice of the hash; each
 * entry keeps the other 16-bit half of the same 32-bit word (the in-line filter) and, in
 * tables that carry them, the entry id. Buckets are contiguous segments of one pool so a
 * probe is one sequential scan.
 *
 * Growth without rebuilding the index: a bucket whose segment is full moves to the free tail
 * of the pool with 1.5× room; when the tail runs out, this one table is re-laid out with
 * ~12% slack per bucket (an O(size) copy of one table, amortised over the ~8% growth that
 * fills the slack). Bulk inserts re-lay out once with the final sizes.
 *
 * Headers and pools live in the table's WebAssembly memory (wasm/table-memory.ts), where the
 * SIMD kernel scans them; the views below are the same bytes for the TypeScript side.
 */
import { TableMemory } from './wasm/table-memory.js';

export const KEY_BITS = 16;
export const BUCKETS = 1 << KEY_BITS;

const MIN_POOL = 1024;

/** Slack given to a bucket of `n` entries when the table is laid out afresh. */
function slack(n: number): number {
  return (n >>> 3) + 1;
}

export class BucketTable {
  /** Headers, pools and the kernel working on them; replaced by every re-layout. */
  mem: TableMemory;
  /** [start, length] of every bucket, interleaved so a probe touches one cache line. */
  meta: Uint32Array;
  /** Capacity of every bucket's segment (only inserts read it). */
  private readonly cap = new Uint32Array(BUCKETS);
  others: Uint16Array;
  /** The same pool seen as 32-bit words, for the two-entries-at-a-time filter (pool sizes are even). */
  others32: Uint32Array;
  /** Entry ids, parallel to `others`; null in tables that resolve ids through a sibling table. */
  ids: Uint32Array | null;
  /** Used prefix of the pool; the rest is free tail. */
  private end = 0;
  private liveCount = 0;
  /** Live entries right after the last re-layout: shrinking well below it gives memory back. */
  private liveAtLayout = 0;

  constructor(private readonly withIds: boolean) {
    this.mem = new TableMemory(MIN_POOL, withIds);
    this.meta = this.mem.meta;
    this.others = this.mem.others;
    this.others32 = this.mem.others32;
    this.ids = this.mem.ids;
  }

  get live(): number {
    return this.liveCount;
  }

  insert(bucket: number, other: number, id: number): void {
    const n = this.meta[2 * bucket + 1];
    if (n === this.cap[bucket]) this.makeRoom(bucket);
    const pos = this.meta[2 * bucket] + n;
    this.others[pos] = other;
    if (this.ids !== null) this.ids[pos] = id;
    this.meta[2 * bucket + 1] = n + 1;
    this.liveCount++;
  }

  /**
   * Inserts a batch: one re-layout with exact room, then the entries. The batch is first grouped
   * by the top byte of its keys (a 256-way scatter that stays in cache), so the final scatter into
   * 65,536 buckets writes within ~1/256 of the pool at a time instead of all over it.
   */
  insertMany(keys: Uint16Array, others: Uint16Array, ids: Uint32Array): void {
    const n = keys.length;
    const counts = new Uint32Array(BUCKETS);
    for (let i = 0; i < n; i++) counts[keys[i]]++;
    this.relayout(counts);
    const fill = new Uint32Array(256);
    let at = 0;
    for (let g = 0; g < 256; g++) {
      fill[g] = at;
      for (let b = g << 8; b < (g + 1) << 8; b++) at += counts[b];
    }
    const gKeys = new Uint16Array(n);
    const gOthers = new Uint16Array(n);
    const gIds = this.ids === null ? null : new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const j = fill[keys[i] >>> 8]++;
      gKeys[j] = keys[i];
      gOthers[j] = others[i];
      if (gIds !== null) gIds[j] = ids[i];
    }
    const meta = this.meta;
    const pool = this.others;
    const poolIds = this.ids;
    for (let j = 0; j < n; j++) {
      const b = gKeys[j] << 1;
      const pos = meta[b] + meta[b + 1]++;
      pool[pos] = gOthers[j];
      if (poolIds !== null) poolIds[pos] = (gIds as Uint32Array)[j];
    }
    this.liveCount += n;
  }

  /** Removes the entry with this id (tables with ids). Returns false when absent. */
  removeId(bucket: number, id: number): boolean {
    const ids = this.ids as Uint32Array;
    const s = this.meta[2 * bucket];
    const e = s + this.meta[2 * bucket + 1];
    for (let i = s; i < e; i++) {
      if (ids[i] === id) {
        this.removeAt(bucket, i);
        return true;
      }
    }
    return false;
  }

  /** Removes one entry with this `other` value (tables without ids: such entries are interchangeable). */
  removeOther(bucket: number, other: number): boolean {
    const s = this.meta[2 * bucket];
    const e = s + this.meta[2 * bucket + 1];
    for (let i = s; i < e; i++) {
      if (this.others[i] === other) {
        this.removeAt(bucket, i);
        return true;
      }
    }
    return false;
  }

  private removeAt(bucket: number, i: number): void {
    const last = this.meta[2 * bucket] + this.meta[2 * bucket + 1] - 1;
    this.others[i] = this.others[last];
    if (this.ids !== null) this.ids[i] = this.ids[last];
    this.meta[2 * bucket + 1]--;
    this.liveCount--;
    // Give memory back after mass deletions (the factor 4 keeps alternating add/remove from thrashing).
    if (this.liveAtLayout > BUCKETS && this.liveCount * 4 < this.liveAtLayout) this.relayout(null);
  }

  /**
   * Lays the table out afresh: every bucket gets its current length plus `extra[b]` (room for a
   * bulk insert that follows) plus slack, and the pool a free tail. One table at a time, so the
   * transient memory is one table's pool.
   */
  relayout(extra: Uint32Array | null): void {
    const meta = this.meta;
    let total = 0;
    let entries = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const want = meta[2 * b + 1] + (extra === null ? 0 : extra[b]);
      const c = want + slack(want);
      this.cap[b] = c;
      total += c;
      entries += want;
    }
    this.liveAtLayout = entries;
    // Free tail of 1/8 for buckets that outgrow their slack; even, for the 32-bit view.
    const tail = Math.floor(total / 8) + 1;
    const poolSize = Math.max(MIN_POOL, total + tail + ((total + tail) % 2));
    const mem = new TableMemory(poolSize, this.withIds);
    const newMeta = mem.meta;
    const others = mem.others;
    const ids = mem.ids;
    let pos = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const s = meta[2 * b];
      const n = meta[2 * b + 1];
      for (let i = 0; i < n; i++) others[pos + i] = this.others[s + i];
      if (ids !== null) {
        const oldIds = this.ids as Uint32Array;
        for (let i = 0; i < n; i++) ids[pos + i] = oldIds[s + i];
      }
      newMeta[2 * b] = pos;
      newMeta[2 * b + 1] = n;
      pos += this.cap[b];
    }
    this.mem = mem;
    this.meta = newMeta;
    this.others = others;
    this.others32 = mem.others32;
    this.ids = ids;
    this.end = pos;
  }

  /** Moves a full bucket to the free tail with 1.5× room, or re-lays out the table if the tail is used up. */
  private makeRoom(bucket: number): void {
    const s = this.meta[2 * bucket];
    const n = this.meta[2 * bucket + 1];
    const c = n + (n >>> 1) + 2;
    if (this.end + c > this.others.length) {
      this.relayout(null);
      return;
    }
    this.others.copyWithin(this.end, s, s + n);
    if (this.ids !== null) this.ids.copyWithin(this.end, s, s + n);
    this.meta[2 * bucket] = this.end;
    this.cap[bucket] = c;
    this.end += c;
  }

  bytes(): number {
    return this.mem.byteLength + this.cap.byteLength;
  }
}
