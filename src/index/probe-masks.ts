/**
 * Every 16-bit XOR mask ordered by popcount: probing all keys within distance t of a key k
 * is `k ^ MASKS[i]` for i < maskCount(t), and the probe's own key distance is known per range.
 */
import { POPCOUNT16 } from './bits.js';

/** All 65,536 masks, sorted by popcount (stable in value). */
export const MASKS: Uint16Array = (() => {
  const out = new Uint16Array(1 << 16);
  let pos = 0;
  for (let k = 0; k <= 16; k++) {
    for (let m = 0; m < 1 << 16; m++) if (POPCOUNT16[m] === k) out[pos++] = m;
  }
  return out;
})();

/** Masks of popcount k occupy MASKS[MASK_OFFSETS[k] .. MASK_OFFSETS[k + 1]). */
export const MASK_OFFSETS: Int32Array = (() => {
  const off = new Int32Array(18);
  for (let m = 0; m < 1 << 16; m++) off[POPCOUNT16[m] + 1]++;
  for (let k = 1; k < off.length; k++) off[k] += off[k - 1];
  return off;
})();

/** Number of 16-bit keys within distance t of a key (0 for t < 0). */
export function maskCount(t: number): number {
  return t < 0 ? 0 : MASK_OFFSETS[Math.min(t, 16) + 1];
}
