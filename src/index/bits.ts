/**
 * Bit helpers shared by the indexes: hex ⇄ 32-bit words and Hamming distance.
 *
 * Word layout: word i holds bits 32i..32i+31 and is rendered by hex digits (W−1−i)·8 .. (W−i)·8−1,
 * the layout of PDQ values in src/signals/pdq/hash256.ts, which takes its word-level primitives
 * (rendering, popcount, 256-bit distance) from here; this module also parses any width.
 */
import { invalidInput } from '../errors/errors.js';

/** Words of a 256-bit PDQ hash. */
export const HASH256_WORDS = 8;
const HEX_DIGITS = '0123456789abcdef';

/** Renders words as lower-case hex, highest word first (any width: also MD5's 4 words). */
export function wordsToHex(words: ArrayLike<number>): string {
  let out = '';
  for (let i = words.length - 1; i >= 0; i--) {
    const w = words[i];
    for (let shift = 28; shift >= 0; shift -= 4) out += HEX_DIGITS[(w >>> shift) & 0xf];
  }
  return out;
}

/** Number of set bits of a 32-bit value (SWAR popcount). */
export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** Hamming distance of two 256-bit values stored at word offsets `ao` and `bo` (the indexes keep hashes packed). */
export function hamming256(a: Uint32Array, ao: number, b: Uint32Array, bo: number): number {
  return (
    popcount32(a[ao] ^ b[bo]) +
    popcount32(a[ao + 1] ^ b[bo + 1]) +
    popcount32(a[ao + 2] ^ b[bo + 2]) +
    popcount32(a[ao + 3] ^ b[bo + 3]) +
    popcount32(a[ao + 4] ^ b[bo + 4]) +
    popcount32(a[ao + 5] ^ b[bo + 5]) +
    popcount32(a[ao + 6] ^ b[bo + 6]) +
    popcount32(a[ao + 7] ^ b[bo + 7])
  );
}

/** Words of a 128-bit MD5 digest. */
export const HASH128_WORDS = 4;

/** Value of each ASCII hex digit, -1 for every other code below 128. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) NIBBLE[48 + c] = c;
for (let c = 0; c < 6; c++) NIBBLE[65 + c] = NIBBLE[97 + c] = 10 + c;

/**
 * Parses exactly `words · 8` hex digits (either case) into `out`.
 * Throws `invalid_input` for anything else, so bad client input never reaches an index.
 * One pass over the characters (no regular expression, no substrings): a replay parses every
 * signal of the topic, and the regex-and-slices version was an eighth of a 10M replay's CPU.
 */
export function parseHexWords(hex: string, words: number, out: Uint32Array = new Uint32Array(words)): Uint32Array {
  if (typeof hex !== 'string' || hex.length !== words * 8) {
    throw invalidInput(`expected ${words * 8} hex digits`, { length: typeof hex === 'string' ? hex.length : null });
  }
  for (let i = 0; i < words; i++) {
    const start = (words - 1 - i) * 8;
    let v = 0;
    for (let k = start; k < start + 8; k++) {
      const c = hex.charCodeAt(k);
      const n = c < 128 ? NIBBLE[c] : -1;
      if (n < 0) throw invalidInput(`expected ${words * 8} hex digits`, { length: hex.length });
      v = (v << 4) | n;
    }
    out[i] = v >>> 0;
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
