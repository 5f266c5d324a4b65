/**
 * 256-bit PDQ hash values: the branded hex form that travels through the system and the
 * 8 × 32-bit word form used for distance computations (no BigInt on the hot path).
 *
 * Bit numbering follows the reference: bit k = 16·r + c for DCT coefficient (r, c); the
 * hex string is the 256-bit big-endian rendering of Σ bit_k·2^k, so word i (bits 32i..32i+31)
 * is rendered by hex characters 56 − 8i .. 63 − 8i.
 */
import { HASH256_WORDS, hamming256, popcount32, wordsToHex } from '../../index/bits.js';

// The word-level primitives live with the indexes (src/index/bits.ts), the lowest floor that uses them.
export { HASH256_WORDS, hamming256, popcount32, wordsToHex };

declare const pdqHexBrand: unique symbol;
/** 64 lower-case hex digits, as produced by the reference and validated by {@link validatePdq}. */
export type PdqHex = string & { readonly [pdqHexBrand]: true };

/** 256 bits as eight unsigned 32-bit words, word 0 holding bits 0..31. */
export type Hash256 = Uint32Array;


export function emptyHash256(): Hash256 {
  return new Uint32Array(HASH256_WORDS);
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
