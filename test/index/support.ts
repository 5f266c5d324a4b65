/** Test data for the index tests: seeded random hashes, bit flips, and an independent brute force. */

/** xorshift32: deterministic, seeded from fast-check so failures replay. */
export function rng(seed: number): () => number {
  let x = seed | 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

export function randomHash(next: () => number): Uint32Array {
  const h = new Uint32Array(8);
  for (let w = 0; w < 8; w++) h[w] = next();
  return h;
}

/** A copy of `h` with exactly `d` distinct bits flipped. */
export function flip(h: Uint32Array, d: number, next: () => number): Uint32Array {
  const out = h.slice();
  const chosen = new Set<number>();
  while (chosen.size < d) chosen.add(next() & 255);
  for (const bit of chosen) out[bit >>> 5] ^= 1 << (bit & 31);
  return out;
}

/** A copy of `h` with `bits` flipped (bit k = word k>>5, bit k&31). */
export function flipAt(h: Uint32Array, bits: readonly number[]): Uint32Array {
  const out = h.slice();
  for (const bit of bits) out[bit >>> 5] ^= 1 << (bit & 31);
  return out;
}

/** Hamming distance, bit by bit: deliberately nothing like the code under test. */
export function slowDistance(a: Uint32Array, b: Uint32Array): number {
  let d = 0;
  for (let k = 0; k < 256; k++) if (((a[k >>> 5] >>> (k & 31)) & 1) !== ((b[k >>> 5] >>> (k & 31)) & 1)) d++;
  return d;
}

export function bruteForce(entries: ReadonlyMap<number, Uint32Array>, q: Uint32Array, radius: number): string[] {
  const out: string[] = [];
  for (const [id, h] of entries) {
    const d = slowDistance(q, h);
    if (d <= radius) out.push(`${id}:${d}`);
  }
  return out.sort();
}

export function asSorted(matches: readonly { id: number; distance: number }[]): string[] {
  return matches.map((m) => `${m.id}:${m.distance}`).sort();
}
