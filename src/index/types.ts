/** Shapes shared by every index: entries are numeric ids whose meaning (content, bank, frame) the caller keeps. */

export interface IndexMatch {
  readonly id: number;
  /** Hamming distance for PDQ; always 0 for exact-match indexes. */
  readonly distance: number;
  /** Type-specific similarity facts (vPDQ: the matched percentages). */
  readonly detail?: Readonly<Record<string, number>>;
}

/** What a signal type's index offers the replica (entry id = bank content id); each type makes its own. */
export interface SignalIndex {
  has(id: number): boolean;
  add(id: number, value: string): void;
  remove(id: number): boolean;
  query(value: string, radius: number): IndexMatch[];
  /** The stored value of an entry in canonical hex, where the index can give it back. */
  storedValue?(id: number): string | undefined;
  /** Does now the work that adds leave for the next query (indexes that defer it). */
  flush?(): void;
  readonly size: number;
}

export interface IndexMemory {
  /** Entries currently stored. */
  readonly entries: number;
  /** Bytes held by the stored keys/hashes and entry states. */
  readonly storeBytes: number;
  /** Bytes held by the search structure. */
  readonly tableBytes: number;
  readonly totalBytes: number;
}

/** A key given either as words (see bits.ts for the layout) or as hex digits. */
export type KeyInput = Uint32Array | string;
