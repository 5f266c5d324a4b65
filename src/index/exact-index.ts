/**
 * Exact-match index for fixed-width digests (MD5 / video_md5: 128 bits), with the same shape as
 * the PDQ index: add(id, key), remove(id), query(key) → matches at distance 0.
 *
 * Memory-lean: the keys live once, in the id-addressed entry store; the hash table is an
 * open-addressing array of entry ids (linear probing, backward-shift deletion, no tombstones)
 * with each slot's 32-bit hash code beside it, so probes compare codes and read a stored key
 * only on a code match. ≈ 17 bytes per entry for the keys plus ≈ 11 for the table at 0.7 load.
 */
import { conflict, invalidInput } from '../errors/errors.js';
import { HASH128_WORDS, fmix32, readKey, wordsToHex } from './bits.js';
import { EntryState, EntryStore, PAGE_BITS, PAGE_MASK, checkEntryId } from './entry-store.js';
import type { IndexMatch, IndexMemory, KeyInput } from './types.js';

const EMPTY = -1;
const MIN_CAPACITY = 1024;
const MAX_LOAD = 0.7;

export class ExactIndex {
  private readonly store: EntryStore;
  private slots = new Int32Array(MIN_CAPACITY).fill(EMPTY);
  private codes = new Uint32Array(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  private count = 0;
  private readonly key: Uint32Array;

  constructor(readonly words: number = HASH128_WORDS) {
    if (!Number.isInteger(words) || words < 1 || words > 64) throw invalidInput('key width must be 1..64 words');
    this.store = new EntryStore(words);
    this.key = new Uint32Array(words);
  }

  get size(): number {
    return this.count;
  }

  has(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && this.store.state(id) !== EntryState.Absent;
  }

  /** The stored key of an entry as lower-case hex, or undefined. */
  storedValue(id: number): string | undefined {
    return this.has(id) ? wordsToHex(this.store.read(id)) : undefined;
  }

  add(id: number, key: KeyInput): void {
    checkEntryId(id);
    const k = this.toKey(key);
    if (this.has(id)) throw conflict(`entry ${id} is already in the index`);
    if (this.count + 1 > this.slots.length * MAX_LOAD) this.resize(this.slots.length * 2);
    this.store.insert(id, k, EntryState.Indexed);
    this.place(id, this.code(k));
    this.count++;
  }

  remove(id: number): boolean {
    if (!this.has(id)) return false;
    const code = this.storedCode(id);
    let i = code & this.mask;
    while (this.slots[i] !== id) i = (i + 1) & this.mask;
    this.deleteSlot(i);
    this.store.delete(id);
    this.count--;
    if (this.slots.length > MIN_CAPACITY && this.count < this.slots.length / 8) this.resize(this.slots.length / 2);
    return true;
  }

  /** Every entry whose key equals `key` (distance 0). */
  query(key: KeyInput): IndexMatch[] {
    const k = this.toKey(key);
    const code = this.code(k);
    const out: IndexMatch[] = [];
    for (let i = code & this.mask; this.slots[i] !== EMPTY; i = (i + 1) & this.mask) {
      if (this.codes[i] === code && this.sameKey(this.slots[i], k)) out.push({ id: this.slots[i], distance: 0 });
    }
    return out;
  }

  memory(): IndexMemory {
    const storeBytes = this.store.bytes();
    const tableBytes = this.slots.byteLength + this.codes.byteLength;
    return { entries: this.count, storeBytes, tableBytes, totalBytes: storeBytes + tableBytes };
  }

  private toKey(key: KeyInput): Uint32Array {
    return readKey(key, this.words, this.key);
  }

  private code(k: Uint32Array): number {
    let h = 0x9747b28c;
    for (let w = 0; w < this.words; w++) h = fmix32((h ^ k[w]) >>> 0);
    return h;
  }

  private storedCode(id: number): number {
    return this.code(this.store.read(id, this.key));
  }

  private sameKey(id: number, k: Uint32Array): boolean {
    const page = this.store.wordPages[id >>> PAGE_BITS] as Uint32Array;
    const o = (id & PAGE_MASK) * this.words;
    for (let w = 0; w < this.words; w++) if (page[o + w] !== k[w]) return false;
    return true;
  }

  private place(id: number, code: number): void {
    let i = code & this.mask;
    while (this.slots[i] !== EMPTY) i = (i + 1) & this.mask;
    this.slots[i] = id;
    this.codes[i] = code;
  }

  /** Backward-shift deletion: pulls later entries of the probe run into the hole so no tombstones build up. */
  private deleteSlot(i: number): void {
    const mask = this.mask;
    let hole = i;
    for (let j = (i + 1) & mask; this.slots[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.codes[j] & mask;
      // The entry at j may fill the hole only if the hole lies on its probe path (home … j).
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        this.slots[hole] = this.slots[j];
        this.codes[hole] = this.codes[j];
        hole = j;
      }
    }
    this.slots[hole] = EMPTY;
  }

  private resize(capacity: number): void {
    const oldSlots = this.slots;
    const oldCodes = this.codes;
    this.slots = new Int32Array(capacity).fill(EMPTY);
    this.codes = new Uint32Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < oldSlots.length; i++) if (oldSlots[i] !== EMPTY) this.place(oldSlots[i], oldCodes[i]);
  }
}
