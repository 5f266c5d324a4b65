import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POPCOUNT16 } from '../../src/index/bits.js';
import { filterSegment } from '../../src/index/pdq-index.js';

describe('filterSegment (the in-line word filter)', () => {
  it('returns exactly the positions in [s, e) within the limit, for odd and even edges', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 2, maxLength: 64 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 16 }),
        (values, a, b, q, lim) => {
          const pool = new Uint16Array(values.length + (values.length % 2));
          pool.set(values);
          // Neighbours just outside the range equal the query, so they would pass if not excluded.
          const s = a % pool.length;
          const e = s + (b % (pool.length - s + 1));
          if (s > 0) pool[s - 1] = q;
          if (e < pool.length) pool[e] = q;
          const hits = new Int32Array(pool.length);
          const n = filterSegment(new Uint32Array(pool.buffer), s, e, q, lim, hits);
          const want: number[] = [];
          for (let j = s; j < e; j++) if (POPCOUNT16[pool[j] ^ q] <= lim) want.push(j);
          expect([...hits.subarray(0, n)]).toEqual(want);
        },
      ),
      { numRuns: 500 },
    );
  });
});
