import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PdqIndex } from '../../src/index/pdq-index.js';
import { KERNEL_IO_CAP } from '../../src/index/wasm/table-memory.js';
import { asSorted, bruteForce, flip, randomHash, rng } from './support.js';

/**
 * The SIMD path (kernel 'wasm') against the TypeScript reference (kernel 'js'): the same
 * matches with the same distances in the same order, on data shaped like real lists.
 */

type Shape = 'random' | 'clustered' | 'flat';

/** A hash with few set bits: what near-flat images hash to, so many of them collide. */
function sparseHash(next: () => number, bits: number): Uint32Array {
  const h = new Uint32Array(8);
  for (let i = 0; i < bits; i++) {
    const b = next() & 255;
    h[b >>> 5] |= 1 << (b & 31);
  }
  return h;
}

function dataset(shape: Shape, seed: number, n: number): Uint32Array[] {
  const next = rng(seed);
  const out: Uint32Array[] = [];
  const bases: Uint32Array[] = [];
  for (let i = 0; i < n; i++) {
    if (shape === 'random' || i < 4 || next() % 8 === 0) {
      const h = shape === 'flat' && next() % 2 === 0 ? sparseHash(next, next() % 6) : randomHash(next);
      bases.push(h);
      out.push(h);
    } else {
      // A variant of an earlier base: a re-encode, crop or edit at distance 2..30, or an exact copy.
      const base = bases[next() % bases.length];
      out.push(next() % 5 === 0 ? base.slice() : flip(base, 2 + (next() % 29), next));
    }
  }
  return out;
}

function pair(hashes: readonly Uint32Array[]): [PdqIndex, PdqIndex] {
  const wasm = new PdqIndex({ kernel: 'wasm' });
  const js = new PdqIndex({ kernel: 'js' });
  hashes.forEach((h, id) => {
    wasm.add(id, h);
    js.add(id, h);
  });
  return [wasm, js];
}

describe('PdqIndex wasm kernel against the TypeScript reference', () => {
  it('gives identical answers (ids, distances, order) on random, clustered and flat data, through updates', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Shape>('random', 'clustered', 'flat'),
        fc.integer(),
        fc.integer({ min: 1, max: 2000 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 45 }), fc.integer({ min: 0, max: 63 })), { minLength: 1, maxLength: 30 }),
        (shape, seed, n, queries) => {
          const hashes = dataset(shape, seed, n);
          const [wasm, js] = pair(hashes);
          const next = rng(seed ^ 0x5a5a);
          for (const [pick, flips, radius] of queries) {
            const q = flip(hashes[pick % n], flips, next);
            expect(wasm.query(q, radius)).toEqual(js.query(q, radius));
            // Updates between queries: in-place inserts, moves to the free tail, re-layouts.
            const id = pick % n;
            expect(wasm.remove(id)).toBe(js.remove(id));
            const h = flip(hashes[(pick >>> 3) % n], flips % 8, next);
            wasm.add(id, h);
            js.add(id, h);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('matches brute force when one bucket holds more hits than the kernel returns per call', () => {
    // Many copies of a few flat hashes: a query's L scan and its R→L resolution each yield more
    // than IO_CAP ids, so the kernel suspends and resumes inside a segment.
    const next = rng(2024);
    const flat = [sparseHash(next, 0), sparseHash(next, 3), sparseHash(next, 9)];
    const entries = new Map<number, Uint32Array>();
    const copies = KERNEL_IO_CAP + 500;
    let id = 0;
    for (let i = 0; i < copies; i++) entries.set(id++, flat[0].slice());
    // The same hash but word 3's high half 2 bits away: R[3] yields that word once, and its
    // resolution in L[3] yields all these ids.
    for (let i = 0; i < copies; i++) {
      const h = flat[0].slice();
      h[3] ^= 0x30000;
      entries.set(id++, h);
    }
    for (let i = 0; i < 1000; i++) entries.set(id++, flip(flat[1 + (i % 2)], i % 4, next));
    for (let i = 0; i < 2000; i++) entries.set(id++, randomHash(next));
    const [wasm, js] = pair([...entries.values()]);
    for (const q of [flat[0], flat[1], flip(flat[2], 5, next), flip(flat[0], 20, next)]) {
      for (const radius of [0, 2, 31]) {
        const got = wasm.query(q, radius);
        expect(got).toEqual(js.query(q, radius));
        expect(asSorted(got)).toEqual(bruteForce(entries, q, radius));
      }
    }
  });
});
