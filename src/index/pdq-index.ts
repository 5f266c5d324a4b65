/**
 * Exact range search over 256-bit PDQ hashes: every stored entry within the radius is
 * returned, for any radius 0..256. Design and measurements: docs/INDEX.md.
 *
 * In short: the hash is 8 words of 32 bits ("pairs" of two 16-bit halves). If the distance
 * is ≤ r, some word differs by ≤ T = ⌊r/8⌋ bits (pigeonhole over 8 words), and in that word
 * either the high half differs by ≤ tL or the low half by ≤ tR, with tL + tR = T − 1
 * (pigeonhole again). Each word has two bucket tables, keyed by its high half (L) and by its
 * low half (R), whose entries carry the other half; probing the keys within tL (resp. tR) and
 * filtering each entry by the whole word's distance ≤ T is a sequential scan over 2 bytes per
 * entry, and only ~1 in 100 entries survives it to a full 256-bit check. At r = 31: T = 3,
 * tL = tR = 1, i.e. 17 probes per table.
 *
 * Only L tables store entry ids; an R-table hit knows the whole 32-bit word value, and the ids
 * having that word are found in the L bucket keyed by its high half. Each entry is reported once
 * without a "seen" set: an entry is reported only from the first word (and side) that can find it.
 */
import { invalidInput, conflict } from '../errors/errors.js';
import { HASH256_WORDS, POPCOUNT16, hamming256, popcount32, readKey, wordsToHex } from './bits.js';
import { BUCKETS, BucketTable } from './bucket-table.js';
import { IntList } from './int-list.js';
import { EntryState, EntryStore, PAGE_BITS, PAGE_MASK, checkEntryId } from './entry-store.js';
import { MASKS, MASK_OFFSETS, maskCount } from './probe-masks.js';
import type { IndexMatch, IndexMemory, KeyInput } from './types.js';

// Module-local aliases: under tsx/esbuild an imported binding is read through a getter call,
// which costs ~10% of a query when done in the inner loops.
const POP16 = POPCOUNT16;
const MASK_LIST = MASKS;
const MASK_START = MASK_OFFSETS;
const PAGE_SHIFT = PAGE_BITS;
const PAGE_LOW = PAGE_MASK;
const distance256 = hamming256;
const popcount = popcount32;

const WORDS = HASH256_WORDS;
export const MAX_RADIUS = 256;
/** Beyond this many probe keys per word the tables scan more than a linear pass would. */
const FLAT_SCAN_PROBES = 2048;
/** Pending entries are inserted one by one below this share of the indexed size, in bulk above. */
const BULK_SHARE = 1 / 64;
/** Pending entries merged without waiting for a query once there are this many (replays). */
const MIN_AUTO_FLUSH = 1 << 16;
const SEG = 4;
/** From this many candidates on, verification groups them by id (see verifyAll). */
const GROUPED_VERIFY = 256;
const R_SIDE = 0x100;

/**
 * Positions j in [s, e) with popcount(o16[j] ^ q) ≤ lim, written to `hits`; returns their count.
 * Two 16-bit entries per step through a 32-bit view: SWAR popcount of both halves, then one
 * borrow test tells whether either half is ≤ lim (entries pass ~1% of the time on random data).
 * The first and last words may hold one neighbour outside [s, e) (pools have even length, so
 * the read stays inside); it is excluded only on a hit, keeping the loop free of edge branches.
 */
export function filterSegment(o32: Uint32Array, s: number, e: number, q: number, lim: number, hits: Int32Array): number {
  let n = 0;
  const qq = (q << 16) | q;
  const bias = Math.imul(lim + 1, 0x10001);
  for (let k = s >>> 1, kEnd = (e + 1) >>> 1; k < kEnd; k++) {
    let x = o32[k] ^ qq;
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    x = (x + (x >>> 4)) & 0x0f0f0f0f;
    x = (x + (x >>> 8)) & 0x001f001f;
    // Each half is 0x8000 + popcount − (lim + 1): bit 15 is cleared exactly when popcount ≤ lim.
    const y = ((x | 0x80008000) - bias) | 0;
    if ((y & 0x80008000) !== (0x80008000 | 0)) {
      const j = 2 * k;
      if ((y & 0x8000) === 0 && j >= s) hits[n++] = j;
      if ((y & 0x80000000) === 0 && j + 1 < e) hits[n++] = j + 1;
    }
  }
  return n;
}

/**
 * Which code runs the table search: `wasm` (SIMD, src/index/wasm/segment-kernel.wat) or `js`,
 * the TypeScript reference it must agree with bit for bit (same matches, same order).
 */
export type PdqKernel = 'wasm' | 'js';

export interface PdqIndexOptions {
  readonly kernel?: PdqKernel;
}

function checkRadius(radius: number): number {
  if (!Number.isInteger(radius) || radius < 0) throw invalidInput('radius must be a non-negative integer', { radius });
  return Math.min(radius, MAX_RADIUS);
}

export class PdqIndex {
  private readonly store = new EntryStore(WORDS);
  /** L[w]: keyed by the high half of word w, carries the low half and the id. */
  private readonly L: BucketTable[] = [];
  /** R[w]: keyed by the low half of word w, carries the high half only. */
  private readonly R: BucketTable[] = [];
  private pending = new Uint32Array(1024);
  private pendingCount = 0;
  private entries = 0;
  private indexed = 0;

  // Per-query scratch (queries are synchronous, one at a time per index).
  private readonly q = new Uint32Array(WORDS);
  private readonly seenOther = new Uint32Array(BUCKETS);
  private seenGen = 0;
  private outIds: number[] = [];
  private outDist: number[] = [];
  /** Probed segments: [start, length, word << 16 | side | limit, low key], SEG ints each. */
  private segs = new Int32Array(0);
  /** Positions that passed the in-line filter, per segment (a segment never exceeds the pool). */
  private hits = new Int32Array(1024);
  /** Phase 3–5 worklists: candidates as (word, pool position → id), R words as (word, hi, lo). */
  private readonly candW = new IntList();
  private readonly candPos = new IntList();
  private readonly resW = new IntList();
  private readonly resHi = new IntList();
  private readonly resLo = new IntList();
  /** Grouped verification (many candidates): per-candidate distance or −1, sort buffers. */
  private scratchDist = new Int16Array(0);
  private sortA = new Uint32Array(0);
  private sortB = new Uint32Array(0);
  private readonly sortCount = new Uint32Array(0x800);
  /** Keeps the touch loads observable, so no compiler may drop them. */
  private touchSink = 0;

  private kernel: PdqKernel;
  /** Per word: segments gathered in L[w] and R[w] by the wasm path. */
  private readonly nL = new Int32Array(WORDS);
  private readonly nR = new Int32Array(WORDS);

  constructor(options: PdqIndexOptions = {}) {
    this.kernel = options.kernel ?? 'wasm';
    for (let w = 0; w < WORDS; w++) {
      this.L.push(new BucketTable(true));
      this.R.push(new BucketTable(false));
    }
  }

  /** Switches the search code of this index (benchmarks compare the two on one built index). */
  useKernel(kernel: PdqKernel): void {
    this.kernel = kernel;
  }

  get size(): number {
    return this.entries;
  }

  has(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && this.store.state(id) !== EntryState.Absent;
  }

  /** The stored hash of an entry, or undefined. */
  hashOf(id: number): Uint32Array | undefined {
    return this.has(id) ? this.store.read(id) : undefined;
  }

  /** The stored hash of an entry as lower-case hex, or undefined. */
  storedValue(id: number): string | undefined {
    const words = this.hashOf(id);
    return words ? wordsToHex(words) : undefined;
  }

  /** Adds an entry; matchable by every later query. Throws `conflict` if the id is in use. */
  add(id: number, hash: KeyInput): void {
    checkEntryId(id);
    const words = readKey(hash, WORDS, this.q);
    if (this.store.state(id) !== EntryState.Absent) throw conflict(`entry ${id} is already in the index`);
    this.store.insert(id, words, EntryState.Pending);
    if (this.pendingCount === this.pending.length) {
      const grown = new Uint32Array(this.pending.length * 2);
      grown.set(this.pending);
      this.pending = grown;
    }
    this.pending[this.pendingCount++] = id;
    this.entries++;
    if (this.pendingCount >= Math.max(MIN_AUTO_FLUSH, this.indexed)) this.flush();
  }

  /** Removes an entry. Returns false if it was not there. */
  remove(id: number): boolean {
    if (!this.has(id)) return false;
    if (this.store.state(id) === EntryState.Indexed) {
      for (let w = 0; w < WORDS; w++) {
        const v = this.store.word(id, w);
        const hi = v >>> 16;
        const lo = v & 0xffff;
        this.L[w].removeId(hi, id);
        this.R[w].removeOther(lo, hi);
      }
      this.indexed--;
    }
    // A pending entry stays in the pending list; flush skips ids that are no longer Pending.
    this.store.delete(id);
    this.entries--;
    return true;
  }

  /** Entries added but not yet placed in the tables (the next query or flush places them). */
  get queued(): number {
    return this.pendingCount;
  }

  /** Places pending entries in the tables. Queries call it; callers may, to move the cost. */
  flush(): void {
    const n = this.pendingCount;
    if (n === 0) return;
    // Keep each live pending id once; re-added ids can appear twice, removed ones are stale.
    let live = 0;
    for (let i = 0; i < n; i++) {
      const id = this.pending[i];
      if (this.store.state(id) === EntryState.Pending) {
        this.store.setState(id, EntryState.Indexed);
        this.pending[live++] = id;
      }
    }
    this.pendingCount = 0;
    if (live <= this.indexed * BULK_SHARE) this.insertEach(live);
    else this.insertBulk(live);
    this.indexed += live;
    if (this.pending.length > 1 << 20) this.pending = new Uint32Array(1024);
  }

  private insertEach(n: number): void {
    const store = this.store;
    for (let i = 0; i < n; i++) {
      const id = this.pending[i];
      for (let w = 0; w < WORDS; w++) {
        const v = store.word(id, w);
        this.L[w].insert(v >>> 16, v & 0xffff, id);
        this.R[w].insert(v & 0xffff, v >>> 16, id);
      }
    }
  }

  /** Bulk path: per table, one re-layout with exact room for the batch (see BucketTable.insertMany). */
  private insertBulk(n: number): void {
    const ids = this.pending.subarray(0, n);
    const hi = new Uint16Array(n);
    const lo = new Uint16Array(n);
    for (let w = 0; w < WORDS; w++) {
      for (let i = 0; i < n; i++) {
        const v = this.store.word(ids[i], w);
        hi[i] = v >>> 16;
        lo[i] = v & 0xffff;
      }
      this.L[w].insertMany(hi, lo, ids);
      this.R[w].insertMany(lo, hi, ids);
    }
  }

  /** Every entry within `radius` (inclusive) of `hash`, each once, in no particular order. */
  query(hash: KeyInput, radius = 31): IndexMatch[] {
    const q = readKey(hash, WORDS, this.q);
    const r = checkRadius(radius);
    this.flush();
    this.outIds = [];
    this.outDist = [];
    if (this.entries > 0) {
      const T = r >>> 3;
      const tL = T >>> 1;
      const tR = T - 1 - tL;
      if (maskCount(tL) + maskCount(tR) > FLAT_SCAN_PROBES) this.store.scanWithin(q, r, this.outIds, this.outDist);
      else if (this.kernel === 'wasm') this.searchWasm(q, r, T, tL, tR);
      else this.searchTables(q, r, T, tL, tR);
    }
    const out: IndexMatch[] = new Array(this.outIds.length);
    for (let i = 0; i < out.length; i++) out[i] = { id: this.outIds[i], distance: this.outDist[i] };
    return out;
  }

  /**
   * Probes every table in phases so that the cache misses of a query overlap instead of queueing
   * one behind another (on this machine a dependent miss costs ~1 µs, independent ones ~15 ns each):
   *  1. read the [start, length] of every probed bucket;
   *  2. touch the first and last cache line of every segment;
   *  3. scan the segments with the in-line filter, collecting L hits and R words to resolve;
   *  4. resolve the R words through their L buckets (headers, touch, scan), adding L hits;
   *  5. read the hits' ids, touch their hashes, then verify.
   */
  private searchTables(q: Uint32Array, r: number, T: number, tL: number, tR: number): void {
    const n = this.gatherSegments(q, T, tL, tR);
    const segs = this.segs;
    let touch = 0;
    for (let i = 0; i < n; i += SEG) {
      const code = segs[i + 2];
      // First and last line: at 1M a segment is ~30 bytes and often straddles two lines.
      const others = (code & R_SIDE ? this.R : this.L)[code >>> 16].others;
      touch += others[segs[i]] + others[segs[i] + segs[i + 1] - 1];
    }
    this.scanSegments(q, n, tL);
    touch += this.resolveWords();
    touch += this.readCandidateIds();
    this.touchSink = touch;
    const candW = this.candW.data;
    const candId = this.candPos.data;
    this.verifyAll(q, candId, candW, this.candW.length, r, T);
  }

  /**
   * The same phases as `searchTables`, with gathering, touching, filtering and word resolution
   * done by each table's SIMD kernel (one memory and instance per table). Candidates come out in
   * the reference order: L hits word by word, then resolved R words word by word.
   */
  private searchWasm(q: Uint32Array, r: number, T: number, tL: number, tR: number): void {
    const pL = maskCount(tL);
    const pR = maskCount(tR);
    const L = this.L;
    const R = this.R;
    const nL = this.nL;
    const nR = this.nR;
    // Phase 1 (headers) for all 16 tables, then phase 2 (touch segments), so the misses overlap.
    for (let w = 0; w < WORDS; w++) {
      const v = q[w];
      nL[w] = L[w].mem.kernel.gather(v >>> 16, pL, T);
      nR[w] = pR === 0 ? 0 : R[w].mem.kernel.gather(v & 0xffff, pR, T);
    }
    for (let w = 0; w < WORDS; w++) {
      L[w].mem.kernel.touch(nL[w]);
      R[w].mem.kernel.touch(nR[w]);
    }
    const candW = this.candW;
    const candId = this.candPos;
    candW.clear();
    candId.clear();
    // Phase 3, L side: positions from the filter, then their ids in one batch of loads.
    for (let w = 0; w < WORDS; w++) {
      if (nL[w] === 0) continue;
      const mem = L[w].mem;
      let k = mem.kernel.scan(nL[w], q[w] & 0xffff, 0, 0, 0);
      for (;;) {
        mem.kernel.ids(k);
        const out = mem.output;
        for (let i = 0; i < k; i++) {
          candW.push(w);
          candId.push(out[i]);
        }
        if (mem.kernel.more() === 0) break;
        k = mem.kernel.scan(nL[w], q[w] & 0xffff, 0, 0, 1);
      }
    }
    // Phase 3, R side, and phase 4: words whose high half is beyond tL, resolved in L[w].
    for (let w = 0; w < WORDS; w++) {
      if (nR[w] === 0) continue;
      const rMem = R[w].mem;
      const qHi = q[w] >>> 16;
      let k = rMem.kernel.scan(nR[w], qHi, tL, 1, 0);
      for (;;) {
        if (k > 0) this.resolveWasm(w, rMem.output, k);
        if (rMem.kernel.more() === 0) break;
        k = rMem.kernel.scan(nR[w], qHi, tL, 1, 1);
      }
    }
    const ids = candId.data;
    const c = candId.length;
    if (c < GROUPED_VERIFY) {
      let touch = 0;
      const pages = this.store.wordPages;
      for (let i = 0; i < c; i++) {
        const id = ids[i];
        touch += (pages[id >>> PAGE_SHIFT] as Uint32Array)[(id & PAGE_LOW) * WORDS];
      }
      this.touchSink = touch;
    }
    this.verifyAll(q, ids, candW.data, c, r, T);
  }

  /**
   * Phase 5: verifies candidates (id, word) and reports them in candidate order. Many candidates
   * (near-duplicate clusters, flat images: every copy is a candidate in up to 16 tables) are
   * grouped by id first, so each hash is read once and in id order instead of once per table at
   * random; the accept rule per candidate is the same, so the answer is too.
   */
  private verifyAll(q: Uint32Array, ids: Int32Array, ws: Int32Array, c: number, r: number, T: number): void {
    if (c < GROUPED_VERIFY) {
      for (let i = 0; i < c; i++) this.verify(q, ids[i] >>> 0, ws[i], r, T);
      return;
    }
    const order = this.sortById(ids, c);
    const dist = this.scratchDist.length >= c ? this.scratchDist : (this.scratchDist = new Int16Array(c));
    const pages = this.store.wordPages;
    for (let a = 0; a < c; ) {
      const id = ids[order[a]] >>> 0;
      const page = pages[id >>> PAGE_SHIFT] as Uint32Array;
      const o = (id & PAGE_LOW) * WORDS;
      const d = distance256(q, 0, page, o);
      // A candidate's own word is within T, so "no earlier word within T" (verify) means: its
      // word is the entry's first word within T. One candidate per entry passes.
      let first = 0;
      while (first < WORDS && popcount(q[first] ^ page[o + first]) > T) first++;
      for (; a < c && ids[order[a]] >>> 0 === id; a++) {
        const i = order[a];
        dist[i] = d <= r && ws[i] === first ? d : -1;
      }
    }
    for (let i = 0; i < c; i++) {
      if (dist[i] < 0) continue;
      this.outIds.push(ids[i] >>> 0);
      this.outDist.push(dist[i]);
    }
  }

  /** Candidate positions 0..c−1 ordered by id: three 11-bit counting-sort passes (stable; small counts stay cheap). */
  private sortById(ids: Int32Array, c: number): Uint32Array {
    if (this.sortA.length < c) {
      this.sortA = new Uint32Array(c);
      this.sortB = new Uint32Array(c);
    }
    let src = this.sortA;
    let dst = this.sortB;
    for (let i = 0; i < c; i++) src[i] = i;
    const count = this.sortCount;
    for (let shift = 0; shift < 33; shift += 11) {
      count.fill(0);
      for (let i = 0; i < c; i++) count[(ids[i] >>> shift) & 0x7ff]++;
      for (let k = 0, at = 0; k < 0x800; k++) {
        const n = count[k];
        count[k] = at;
        at += n;
      }
      for (let j = 0; j < c; j++) {
        const i = src[j];
        dst[count[(ids[i] >>> shift) & 0x7ff]++] = i;
      }
      const t = src;
      src = dst;
      dst = t;
    }
    return src;
  }

  /** Phase 4 on the wasm path: `count` words (hi | lo << 16) → ids of L[w] entries having them. */
  private resolveWasm(w: number, words: Uint32Array, count: number): void {
    const mem = this.L[w].mem;
    // The R kernel's output area holds at most IO_CAP words, the L kernel's input as many.
    mem.input.set(words.subarray(0, count));
    const n = mem.kernel.gatherWords(count);
    if (n === 0) return;
    let k = mem.kernel.scan(n, -1, 0, 0, 0);
    for (;;) {
      mem.kernel.ids(k);
      const out = mem.output;
      for (let i = 0; i < k; i++) {
        this.candW.push(w);
        this.candPos.push(out[i]);
      }
      if (mem.kernel.more() === 0) break;
      k = mem.kernel.scan(n, -1, 0, 0, 1);
    }
  }

  /** Phase 1: the segments of all probed, non-empty buckets into `segs`; returns SEG × count. */
  private gatherSegments(q: Uint32Array, T: number, tL: number, tR: number): number {
    const segs = this.segments(maskCount(tL) + maskCount(tR));
    let n = 0;
    for (let w = 0; w < WORDS; w++) {
      const qHi = q[w] >>> 16;
      const qLo = q[w] & 0xffff;
      // L side: high half within tL (the word as a whole within T is checked on each entry).
      const lMeta = this.L[w].meta;
      for (let k = 0; k <= tL; k++) {
        for (let m = MASK_START[k], mEnd = MASK_START[k + 1]; m < mEnd; m++) {
          const b = (qHi ^ MASK_LIST[m]) << 1;
          const len = lMeta[b + 1];
          if (len === 0) continue;
          segs[n] = lMeta[b];
          segs[n + 1] = len;
          segs[n + 2] = (w << 16) | (T - k);
          segs[n + 3] = 0;
          n += SEG;
        }
      }
      // R side: low half within tR, high half beyond tL (else the L side found it).
      const rMeta = this.R[w].meta;
      for (let k = 0; k <= tR; k++) {
        for (let m = MASK_START[k], mEnd = MASK_START[k + 1]; m < mEnd; m++) {
          const lo = qLo ^ MASK_LIST[m];
          const len = rMeta[(lo << 1) + 1];
          if (len === 0) continue;
          segs[n] = rMeta[lo << 1];
          segs[n + 1] = len;
          segs[n + 2] = (w << 16) | (T - k) | R_SIDE;
          segs[n + 3] = lo;
          n += SEG;
        }
      }
    }
    return n;
  }

  /** Phase 3: L entries passing the filter → (word, position) candidates; R entries → words to resolve. */
  private scanSegments(q: Uint32Array, n: number, tL: number): void {
    const segs = this.segs;
    let maxLen = 0;
    for (let i = 1; i < n; i += SEG) if (segs[i] > maxLen) maxLen = segs[i];
    if (this.hits.length < maxLen) this.hits = new Int32Array(maxLen);
    const hits = this.hits;
    this.candW.clear();
    this.candPos.clear();
    this.resW.clear();
    this.resHi.clear();
    this.resLo.clear();
    for (let i = 0; i < n; i += SEG) {
      const code = segs[i + 2];
      const w = code >>> 16;
      const lim = code & 0xff;
      if ((code & R_SIDE) === 0) {
        const L = this.L[w];
        const h = filterSegment(L.others32, segs[i], segs[i] + segs[i + 1], q[w] & 0xffff, lim, hits);
        for (let j = 0; j < h; j++) {
          this.candW.push(w);
          this.candPos.push(hits[j]);
        }
      } else {
        const R = this.R[w];
        const others = R.others;
        const qHi = q[w] >>> 16;
        const h = filterSegment(R.others32, segs[i], segs[i] + segs[i + 1], qHi, lim, hits);
        if (h === 0) continue;
        const gen = this.nextSeenGen();
        for (let j = 0; j < h; j++) {
          const hi = others[hits[j]];
          if (POP16[hi ^ qHi] > tL && this.seenOther[hi] !== gen) {
            // Equal word values in one bucket resolve to the same ids: resolve each value once.
            this.seenOther[hi] = gen;
            this.resW.push(w);
            this.resHi.push(hi);
            this.resLo.push(segs[i + 3]);
          }
        }
      }
    }
  }

  /** Phase 4: the ids whose word w is (hi, lo) sit in L[w]'s bucket hi with stored half lo. */
  private resolveWords(): number {
    const k = this.resW.length;
    if (k === 0) return 0;
    const resW = this.resW.data;
    const resHi = this.resHi.data;
    const resLo = this.resLo.data;
    // Reuse resHi for bucket starts and a local array for lengths: headers first, all at once.
    const lens = k <= this.hits.length ? this.hits : (this.hits = new Int32Array(k));
    for (let i = 0; i < k; i++) {
      const meta = this.L[resW[i]].meta;
      const b = resHi[i] << 1;
      lens[i] = meta[b + 1];
      resHi[i] = meta[b];
    }
    let touch = 0;
    for (let i = 0; i < k; i++) touch += this.L[resW[i]].others[resHi[i]];
    for (let i = 0; i < k; i++) {
      const others = this.L[resW[i]].others;
      const lo = resLo[i];
      for (let j = resHi[i], e = j + lens[i]; j < e; j++) {
        if (others[j] === lo) {
          this.candW.push(resW[i]);
          this.candPos.push(j);
        }
      }
    }
    return touch;
  }

  /** Phase 5a: candidate positions → entry ids (in place), then touch each candidate's hash. */
  private readCandidateIds(): number {
    const c = this.candW.length;
    const candW = this.candW.data;
    const cand = this.candPos.data;
    for (let i = 0; i < c; i++) cand[i] = (this.L[candW[i]].ids as Uint32Array)[cand[i]];
    let touch = 0;
    const pages = this.store.wordPages;
    for (let i = 0; i < c; i++) {
      const id = cand[i];
      touch += (pages[id >>> PAGE_SHIFT] as Uint32Array)[(id & PAGE_LOW) * WORDS];
    }
    return touch;
  }

  private segments(probesPerWord: number): Int32Array {
    const need = probesPerWord * WORDS * SEG;
    if (this.segs.length < need) this.segs = new Int32Array(need);
    return this.segs;
  }

  /** Full distance check; reports only if no earlier word is within T (that word reported it). */
  private verify(q: Uint32Array, id: number, w: number, r: number, T: number): void {
    const page = this.store.wordPages[id >>> PAGE_SHIFT] as Uint32Array;
    const o = (id & PAGE_LOW) * WORDS;
    const d = distance256(q, 0, page, o);
    if (d > r) return;
    for (let v = 0; v < w; v++) if (popcount(q[v] ^ page[o + v]) <= T) return;
    this.outIds.push(id);
    this.outDist.push(d);
  }

  private nextSeenGen(): number {
    if (this.seenGen === 0xffffffff) {
      this.seenOther.fill(0);
      this.seenGen = 0;
    }
    return ++this.seenGen;
  }

  memory(): IndexMemory {
    let tableBytes = this.pending.byteLength + this.seenOther.byteLength;
    for (let w = 0; w < WORDS; w++) tableBytes += this.L[w].bytes() + this.R[w].bytes();
    const storeBytes = this.store.bytes();
    return { entries: this.entries, storeBytes, tableBytes, totalBytes: storeBytes + tableBytes };
  }
}
