/** Shapes shared by every index: entries are numeric ids whose meaning (content, bank, frame) the caller keeps. */

export interface IndexMatch {
  readonly id: number;
  /** Hamming distance for PDQ; always 0 for exact-match indexes. */
  readonly distance: number;
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
