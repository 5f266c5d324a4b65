/**
 * Bit helpers shared by the indexes: hex ⇄ 32-bit words and Hamming distance.
 *
 * Word layout, rendering and distance are those of src/signals/pdq/hash256.ts (word i holds
 * bits 32i..32i+31 and is rendered by hex digits (W−1−i)·8 .. (W−i)·8−1); this module adds
 * validated parsing of any width and the index's lookup tables.
 */
import { invalidInput } from '../errors/errors.js';

export { HASH256_WORDS, hamming256, popcount32, wordsToHex } from '../signals/pdq/hash256.js';

/** Words of a 128-bit MD5 digest. */
export const HASH128_WORDS = 4;

const HEX_RE = /^[0-9a-fA-F]*$/;

/**
 * Parses exactly `words · 8` hex digits (either case) into `out`.
 * Throws `invalid_input` for anything else, so bad client input never reaches an index.
 */
export function parseHexWords(hex: string, words: number, out: Uint32Array = new Uint32Array(words)): Uint32Array {
  if (typeof hex !== 'string' || hex.length !== words * 8 || !HEX_RE.test(hex)) {
    throw invalidInput(`expected ${words * 8} hex digits`, { length: typeof hex === 'string' ? hex.length : null });
  }
  for (let i = 0; i < words; i++) {
    const start = (words - 1 - i) * 8;
    out[i] = parseInt(hex.slice(start, start + 8), 16) >>> 0;
  }
  return out;
}

/** Copies a key given as words or hex into `out`, rejecting any other width with `invalid_input`. */
export function readKey(key: Uint32Array | string, words: number, out: Uint32Array): Uint32Array {
  if (typeof key === 'string') return parseHexWords(key, words, out);
  if (!(key instanceof Uint32Array) || key.length !== words) {
    throw invalidInput(`expected ${words} 32-bit words or ${words * 8} hex digits`);
  }
  out.set(key);
  return out;
}

/** Murmur3's 32-bit finaliser: a cheap, well-spread hash of a 32-bit value (table slots, test data). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Popcount of every 16-bit value: the inner filter loop of the PDQ index reads it (64 KiB, stays in L2). */
export const POPCOUNT16: Uint8Array = (() => {
  const t = new Uint8Array(1 << 16);
  for (let i = 1; i < t.length; i++) t[i] = (i & 1) + t[i >>> 1];
  return t;
})();
