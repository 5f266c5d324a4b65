/**
 * Per-entry storage addressed directly by entry id: the hash words of every entry and its
 * state, in fixed pages of typed arrays. Entry id = storage slot, so the indexes need no
 * id ⇄ slot maps (8+ bytes per entry saved); the price is that memory follows the largest
 * id in use, so callers allocate ids densely (see id-allocator.ts). Pages are allocated on
 * first use and released when their last entry goes, so sparse or drained id ranges cost nothing.
 */
import { invalidInput } from '../errors/errors.js';
import { popcount32 } from './bits.js';

/** Local alias: under tsx an imported binding is read through a getter, too slow for a scan loop. */
const popcount = popcount32;

export const PAGE_BITS = 16;
export const PAGE_SIZE = 1 << PAGE_BITS;
export const PAGE_MASK = PAGE_SIZE - 1;
/** Largest accepted entry id (ids travel as unsigned 32-bit values in the tables; 2^31 keeps them small integers in V8). */
export const MAX_ENTRY_ID = 2 ** 31 - 1;

/** Lifecycle of an entry id. */
export const EntryState = {
  Absent: 0,
  /** Stored but not yet placed in the search structure (placed in batches before the next query). */
  Pending: 1,
  Indexed: 2,
} as const;
export type EntryState = (typeof EntryState)[keyof typeof EntryState];
type Present = typeof EntryState.Pending | typeof EntryState.Indexed;

export function checkEntryId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_ENTRY_ID) {
    throw invalidInput(`entry id must be an integer in 0..${MAX_ENTRY_ID}`, { id });
  }
}

export class EntryStore {
  /** Hash words, `words` per id, one typed array per page (undefined = never used or released). */
  readonly wordPages: (Uint32Array | undefined)[] = [];
  private readonly statePages: (Uint8Array | undefined)[] = [];
  private readonly livePerPage: number[] = [];
  private pagesInUse = 0;

  constructor(readonly words: number) {}

  state(id: number): EntryState {
    const page = this.statePages[id >>> PAGE_BITS];
    return page === undefined ? EntryState.Absent : (page[id & PAGE_MASK] as EntryState);
  }

  /** Stores the words of a new entry (state Absent → `state`). */
  insert(id: number, words: Uint32Array, state: Present): void {
    const p = id >>> PAGE_BITS;
    let wordPage = this.wordPages[p];
    let statePage = this.statePages[p];
    if (wordPage === undefined || statePage === undefined) {
      while (this.wordPages.length <= p) {
        this.wordPages.push(undefined);
        this.statePages.push(undefined);
        this.livePerPage.push(0);
      }
      wordPage = new Uint32Array(PAGE_SIZE * this.words);
      statePage = new Uint8Array(PAGE_SIZE);
      this.wordPages[p] = wordPage;
      this.statePages[p] = statePage;
      this.pagesInUse++;
    }
    wordPage.set(words.subarray(0, this.words), (id & PAGE_MASK) * this.words);
    statePage[id & PAGE_MASK] = state;
    this.livePerPage[p]++;
  }

  setState(id: number, state: Present): void {
    (this.statePages[id >>> PAGE_BITS] as Uint8Array)[id & PAGE_MASK] = state;
  }

  /** Forgets an entry; its page is released once empty. */
  delete(id: number): void {
    const p = id >>> PAGE_BITS;
    (this.statePages[p] as Uint8Array)[id & PAGE_MASK] = EntryState.Absent;
    if (--this.livePerPage[p] === 0) {
      this.wordPages[p] = undefined;
      this.statePages[p] = undefined;
      this.pagesInUse--;
    }
  }

  /** Word `w` of entry `id` (the entry must be present). */
  word(id: number, w: number): number {
    return (this.wordPages[id >>> PAGE_BITS] as Uint32Array)[(id & PAGE_MASK) * this.words + w];
  }

  /** Copies the words of a present entry into `out`. */
  read(id: number, out: Uint32Array = new Uint32Array(this.words)): Uint32Array {
    const page = this.wordPages[id >>> PAGE_BITS] as Uint32Array;
    const o = (id & PAGE_MASK) * this.words;
    out.set(page.subarray(o, o + this.words));
    return out;
  }

  /**
   * Linear scan for 256-bit entries (words = 8): pushes every present id within `radius` of `q`.
   * The fallback of the PDQ index for radii its tables do not serve well.
   */
  scanWithin(q: Uint32Array, radius: number, outIds: number[], outDist: number[]): void {
    const q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3], q4 = q[4], q5 = q[5], q6 = q[6], q7 = q[7];
    for (let p = 0; p < this.statePages.length; p++) {
      const states = this.statePages[p];
      const page = this.wordPages[p];
      if (states === undefined || page === undefined) continue;
      const base = p << PAGE_BITS;
      for (let i = 0, o = 0; i < PAGE_SIZE; i++, o += 8) {
        if (states[i] === EntryState.Absent) continue;
        const d =
          popcount(page[o] ^ q0) + popcount(page[o + 1] ^ q1) + popcount(page[o + 2] ^ q2) + popcount(page[o + 3] ^ q3) +
          popcount(page[o + 4] ^ q4) + popcount(page[o + 5] ^ q5) + popcount(page[o + 6] ^ q6) + popcount(page[o + 7] ^ q7);
        if (d <= radius) {
          outIds.push(base + i);
          outDist.push(d);
        }
      }
    }
  }

  bytes(): number {
    return this.pagesInUse * PAGE_SIZE * (this.words * 4 + 1);
  }
}
