/**
 * 16×16 coefficients → 256 bits: bit r·16 + c is set iff B[r][c] is strictly greater than
 * the lower median (element 127 of the ascending order), docs/reference/pdq.md §3.7. Sorting a copy gives
 * exactly the element the reference's Torben selection returns.
 */
import type { Hash256 } from './hash256.js';

export function thresholdAtMedian(b: Float32Array, scratch: Float32Array, out: Hash256): Hash256 {
  scratch.set(b.subarray(0, 256));
  scratch.sort();
  const median = scratch[127];
  for (let word = 0; word < 8; word++) {
    let bits = 0;
    const base = word * 32;
    for (let i = 0; i < 32; i++) if (b[base + i] > median) bits |= 1 << i;
    out[word] = bits >>> 0;
  }
  return out;
}
