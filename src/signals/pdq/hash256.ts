/**
 * 256-bit PDQ hash values: the branded hex form that travels through the system and the
 * 8 × 32-bit word form used for distance computations (no BigInt on the hot path).
 *
 * Bit numbering follows the reference: bit k = 16·r + c for DCT coefficient (r, c); the
 * hex string is the 256-bit big-endian rendering of Σ bit_k·2^k, so word i (bits 32i..32i+31)
 * is rendered by hex characters 56 − 8i .. 63 − 8i.
 */
declare const pdqHexBrand: unique symbol;
/** 64 lower-case hex digits, as produced by the reference and validated by {@link validatePdq}. */
export type PdqHex = string & { readonly [pdqHexBrand]: true };

/** 256 bits as eight unsigned 32-bit words, word 0 holding bits 0..31. */
export type Hash256 = Uint32Array;

export const HASH256_WORDS = 8;
const HEX_DIGITS = '0123456789abcdef';

export function emptyHash256(): Hash256 {
  return new Uint32Array(HASH256_WORDS);
}

/** Renders words as lower-case hex, highest word first (any width: also MD5's 4 words). */
export function wordsToHex(words: ArrayLike<number>): string {
  let out = '';
  for (let i = words.length - 1; i >= 0; i--) {
    const w = words[i];
    for (let shift = 28; shift >= 0; shift -= 4) out += HEX_DIGITS[(w >>> shift) & 0xf];
  }
  return out;
}

/** Renders a hash as 64 lower-case hex digits (word 7 first). */
export function hash256ToHex(h: Hash256): PdqHex {
  return wordsToHex(h) as PdqHex;
}

/**
 * Parses 64 hex digits (either case) into words. The caller validates the string first;
 * this function only guarantees no exception and garbage-in/garbage-out on bad digits.
 */
export function hexToHash256(hex: string, out: Hash256 = emptyHash256()): Hash256 {
  for (let i = 0; i < HASH256_WORDS; i++) {
    const start = 56 - 8 * i;
    out[i] = parseInt(hex.slice(start, start + 8), 16) >>> 0;
  }
  return out;
}

/** Reads bit k (0..255). */
export function getBit(h: Hash256, k: number): number {
  return (h[k >>> 5] >>> (k & 31)) & 1;
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

/** Hamming distance between two 256-bit values (0..256). */
export function hammingDistance(a: Hash256, b: Hash256): number {
  return hamming256(a, 0, b, 0);
}

const scratchA = emptyHash256();
const scratchB = emptyHash256();
/** Hamming distance between two valid hex hashes, without allocating. */
export function hammingDistanceHex(a: string, b: string): number {
  return hammingDistance(hexToHash256(a, scratchA), hexToHash256(b, scratchB));
}
