import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmaError } from '../../src/errors/errors.js';
import { wordsToHex } from '../../src/index/bits.js';
import { MAX_ENTRY_ID } from '../../src/index/entry-store.js';
import { PdqIndex } from '../../src/index/pdq-index.js';
import { asSorted, bruteForce, flip, flipAt, randomHash, rng } from './support.js';

/** Random hashes plus near-duplicates of them at every distance 0..maxPlant. */
function plantedData(seed: number, bases: number, maxPlant: number): Map<number, Uint32Array> {
  const next = rng(seed);
  const entries = new Map<number, Uint32Array>();
  let id = 0;
  const baseHashes: Uint32Array[] = [];
  for (let i = 0; i < bases; i++) {
    const h = randomHash(next);
    baseHashes.push(h);
    entries.set(id++, h);
  }
  for (let d = 0; d <= maxPlant; d++) entries.set(id++, flip(baseHashes[d % bases], d, next));
  return entries;
}

/** Adds random hashes under ids from..to−1 to both the index and the model. */
function addRandom(index: PdqIndex, model: Map<number, Uint32Array>, next: () => number, from: number, to: number): void {
  for (let id = from; id < to; id++) {
    const h = randomHash(next);
    model.set(id, h);
    index.add(id, h);
  }
}

function build(entries: ReadonlyMap<number, Uint32Array>): PdqIndex {
  const index = new PdqIndex();
  for (const [id, h] of entries) index.add(id, h);
  return index;
}

const expectInvalid = (fn: () => unknown, code = 'invalid_input') => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HmaError);
    expect((e as HmaError).code).toBe(code);
    return;
  }
  throw new Error('expected an HmaError');
};

describe('PdqIndex: exact range search against brute force', () => {
  it('returns exactly the entries within the radius, for planted near-duplicates at every distance 0..52', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 70 })), { minLength: 1, maxLength: 12 }),
        (seed, bases, queries) => {
          const entries = plantedData(seed, bases, 52);
          const index = build(entries);
          const ids = [...entries.keys()];
          const next = rng(seed ^ 0x5a5a5a5a);
          for (const [pick, flips, radius] of queries) {
            const q = flip(entries.get(ids[pick % ids.length]) as Uint32Array, flips, next);
            expect(asSorted(index.query(q, radius))).toEqual(bruteForce(entries, q, radius));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('finds every planted distance 0..52 at the radii that include it and none beyond', () => {
    const next = rng(7);
    const base = randomHash(next);
    const entries = new Map<number, Uint32Array>();
    for (let d = 0; d <= 52; d++) entries.set(d, flip(base, d, next));
    for (let i = 0; i < 2000; i++) entries.set(100 + i, randomHash(next));
    const index = build(entries);
    for (const radius of [0, 1, 7, 8, 15, 16, 23, 24, 30, 31, 32, 40, 47, 48, 52, 55, 63]) {
      const got = asSorted(index.query(base, radius));
      expect(got).toEqual(bruteForce(entries, base, radius));
      expect(got.filter((m) => Number(m.split(':')[0]) <= 52)).toHaveLength(Math.min(radius, 52) + 1);
    }
  });

  it('stays exact above the table design (radius ≥ 64 falls back to a linear scan) up to 256', () => {
    const entries = plantedData(11, 300, 52);
    const index = build(entries);
    const q = flip(entries.get(3) as Uint32Array, 20, rng(3));
    for (const radius of [64, 90, 128, 200, 256, 1000]) {
      expect(asSorted(index.query(q, radius))).toEqual(bruteForce(entries, q, Math.min(radius, 256)));
    }
    expect(index.query(q, 256)).toHaveLength(entries.size);
  });

  it('radius 0 returns exact copies only', () => {
    const next = rng(5);
    const h = randomHash(next);
    const index = new PdqIndex();
    index.add(1, h);
    index.add(2, flip(h, 1, next));
    expect(asSorted(index.query(h, 0))).toEqual(['1:0']);
  });

  it('reports each of several ids holding the same hash once, also when only the low-half tables can find them', () => {
    const next = rng(9);
    const h = randomHash(next);
    const index = new PdqIndex();
    for (let id = 10; id < 15; id++) index.add(id, h);
    for (let i = 0; i < 500; i++) index.add(1000 + i, randomHash(next));
    // Two bits of every word's high half: no word is within 1 on its high half, so the L tables
    // cannot find these entries; the R tables must (low halves equal), and resolve each id once.
    const q = flipAt(h, [0, 1, 2, 3, 4, 5, 6, 7].flatMap((w) => [32 * w + 20, 32 * w + 27]));
    const got = index.query(q, 31);
    expect(asSorted(got)).toEqual(['10:16', '11:16', '12:16', '13:16', '14:16']);
  });

  it('an empty index answers nothing', () => {
    const index = new PdqIndex();
    expect(index.query('0'.repeat(64), 31)).toEqual([]);
    expect(index.query('0'.repeat(64), 256)).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('accepts hex (either case) and word arrays, with the hash256.ts word layout', () => {
    const next = rng(21);
    const h = randomHash(next);
    const hex = wordsToHex(h);
    const index = new PdqIndex();
    index.add(1, hex.toUpperCase());
    expect(index.query(h, 0)).toEqual([{ id: 1, distance: 0 }]);
    expect(index.hashOf(1)).toEqual(h);
    // Word 0 is rendered by the last 8 hex digits.
    expect(parseInt(hex.slice(56), 16) >>> 0).toBe(h[0]);
  });
});

describe('PdqIndex: incremental updates', () => {
  it('add/remove/re-add in any order agrees with a model, queries interleaved', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), id: fc.integer({ min: 0, max: 300 }), base: fc.nat(), flips: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 300 }) }),
      fc.record({ kind: fc.constant('query' as const), base: fc.nat(), flips: fc.integer({ min: 0, max: 40 }), radius: fc.integer({ min: 0, max: 60 }) }),
    );
    fc.assert(
      fc.property(fc.integer(), fc.array(op, { minLength: 1, maxLength: 400 }), (seed, ops) => {
        const next = rng(seed);
        const bases = Array.from({ length: 16 }, () => randomHash(next));
        const model = new Map<number, Uint32Array>();
        const index = new PdqIndex();
        for (const o of ops) {
          if (o.kind === 'add') {
            const h = flip(bases[o.base % bases.length], o.flips, next);
            if (model.has(o.id)) {
              expect(() => index.add(o.id, h)).toThrow(HmaError);
            } else {
              index.add(o.id, h);
              model.set(o.id, h);
            }
          } else if (o.kind === 'remove') {
            expect(index.remove(o.id)).toBe(model.delete(o.id));
          } else {
            const q = flip(bases[o.base % bases.length], o.flips, next);
            expect(asSorted(index.query(q, o.radius))).toEqual(bruteForce(model, q, o.radius));
          }
          expect(index.size).toBe(model.size);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('grows one entry at a time (each placed before the next query) and stays exact', () => {
    const next = rng(31);
    const entries = new Map<number, Uint32Array>();
    const index = new PdqIndex();
    addRandom(index, entries, next, 0, 2000);
    index.flush();
    for (let id = 2000; id < 5000; id++) {
      const h = id % 10 === 0 ? flip(entries.get(id - 1) as Uint32Array, id % 32, next) : randomHash(next);
      entries.set(id, h);
      index.add(id, h);
      // A query right after each add places the new entry on its own (not in a bulk merge).
      expect(index.query(h, 0).map((m) => m.id)).toContain(id);
      if (id % 150 === 0) {
        const q = flip(h, id % 40, next);
        expect(asSorted(index.query(q, 31))).toEqual(bruteForce(entries, q, 31));
      }
    }
    for (let id = 0; id < 5000; id += 37) {
      const q = flip(entries.get(id) as Uint32Array, 25, next);
      expect(asSorted(index.query(q, 31))).toEqual(bruteForce(entries, q, 31));
    }
  });

  it('bulk merges, mass deletion (memory given back) and re-adding keep answers exact', () => {
    const next = rng(77);
    const entries = new Map<number, Uint32Array>();
    const index = new PdqIndex();
    // Enough entries to cross the automatic bulk merge (65,536 pending) and the shrink threshold.
    addRandom(index, entries, next, 0, 140_000);
    const probes = [5, 70_000, 139_999].map((id) => flip(entries.get(id) as Uint32Array, 30, next));
    for (const q of probes) expect(asSorted(index.query(q, 31))).toEqual(bruteForce(entries, q, 31));
    const before = index.memory().tableBytes;
    for (let id = 0; id < 130_000; id++) {
      index.remove(id);
      entries.delete(id);
    }
    expect(index.size).toBe(10_000);
    const fresh = build(entries);
    fresh.flush();
    const after = index.memory().tableBytes;
    expect(after).toBeLessThan(before);
    expect(after).toBeLessThan(fresh.memory().tableBytes * 1.3);
    for (const q of probes) expect(asSorted(index.query(q, 31))).toEqual(bruteForce(entries, q, 31));
    for (let id = 0; id < 500; id++) {
      const h = flip(entries.get(135_000) as Uint32Array, id % 32, next);
      entries.set(id, h);
      index.add(id, h);
    }
    const q = entries.get(135_000) as Uint32Array;
    expect(asSorted(index.query(q, 31))).toEqual(bruteForce(entries, q, 31));
  });

  it('removing a not-yet-flushed entry, then re-adding the id with another hash, keeps only the new hash', () => {
    const next = rng(41);
    const a = randomHash(next);
    const b = randomHash(next);
    const index = new PdqIndex();
    index.add(1, a);
    expect(index.remove(1)).toBe(true);
    index.add(1, b);
    expect(index.query(a, 31)).toEqual([]);
    expect(index.query(b, 0)).toEqual([{ id: 1, distance: 0 }]);
    expect(index.remove(1)).toBe(true);
    expect(index.remove(1)).toBe(false);
    expect(index.query(b, 0)).toEqual([]);
  });
});

describe('PdqIndex: bad input', () => {
  it('rejects malformed hashes, ids and radii with invalid_input, and a taken id with conflict', () => {
    const index = new PdqIndex();
    expectInvalid(() => index.add(1, 'abc'));
    expectInvalid(() => index.add(1, 'g'.repeat(64)));
    expectInvalid(() => index.add(1, new Uint32Array(7)));
    expectInvalid(() => index.add(-1, '0'.repeat(64)));
    expectInvalid(() => index.add(1.5, '0'.repeat(64)));
    expectInvalid(() => index.add(MAX_ENTRY_ID + 1, '0'.repeat(64)));
    expectInvalid(() => index.query('0'.repeat(63), 31));
    expectInvalid(() => index.query('0'.repeat(64), -1));
    expectInvalid(() => index.query('0'.repeat(64), 2.5));
    index.add(MAX_ENTRY_ID, 'f'.repeat(64));
    expect(index.query('f'.repeat(64), 0)).toEqual([{ id: MAX_ENTRY_ID, distance: 0 }]);
    expectInvalid(() => index.add(MAX_ENTRY_ID, '0'.repeat(64)), 'conflict');
    expect(index.remove(-3)).toBe(false);
    expect(index.has(0.5)).toBe(false);
  });
});
