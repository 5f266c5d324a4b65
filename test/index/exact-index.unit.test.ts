import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmaError } from '../../src/errors/errors.js';
import { ExactIndex } from '../../src/index/exact-index.js';

const hex32 = (n: number) => n.toString(16).padStart(32, '0');
const ids = (ms: readonly { id: number; distance: number }[]) => ms.map((m) => m.id).sort((a, b) => a - b);

describe('ExactIndex (MD5 / video_md5)', () => {
  it('agrees with a model through adds, removals and re-adds, including shared keys and table resizes', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), id: fc.integer({ min: 0, max: 3000 }), key: fc.integer({ min: 0, max: 60 }) }),
      fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 3000 }) }),
      fc.record({ kind: fc.constant('query' as const), key: fc.integer({ min: 0, max: 60 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const index = new ExactIndex();
        const model = new Map<number, string>();
        for (const o of ops) {
          if (o.kind === 'add') {
            if (model.has(o.id)) continue;
            index.add(o.id, hex32(o.key));
            model.set(o.id, hex32(o.key));
          } else if (o.kind === 'remove') {
            expect(index.remove(o.id)).toBe(model.delete(o.id));
          } else {
            const want = [...model].filter(([, k]) => k === hex32(o.key)).map(([id]) => id).sort((a, b) => a - b);
            const got = index.query(hex32(o.key));
            expect(ids(got)).toEqual(want);
            expect(got.every((m) => m.distance === 0)).toBe(true);
          }
        }
        expect(index.size).toBe(model.size);
        // Every remaining entry is still reachable after whatever deletions shifted.
        for (const [id, k] of model) expect(ids(index.query(k))).toContain(id);
      }),
      { numRuns: 60 },
    );
  });

  it('grows and shrinks its table with 100,000 entries', () => {
    const index = new ExactIndex();
    for (let i = 0; i < 100_000; i++) index.add(i, hex32(i % 50_000));
    const grown = index.memory().tableBytes;
    expect(ids(index.query(hex32(123)))).toEqual([123, 50_123]);
    for (let i = 0; i < 99_000; i++) index.remove(i);
    expect(index.size).toBe(1000);
    expect(index.memory().tableBytes).toBeLessThan(grown / 8);
    expect(ids(index.query(hex32(49_500)))).toEqual([99_500]);
    expect(index.query(hex32(100))).toEqual([]);
  });

  it('treats hex case alike, takes word arrays, and rejects bad input with typed errors', () => {
    const index = new ExactIndex();
    index.add(1, 'ABCDEF0123456789ABCDEF0123456789');
    expect(index.query('abcdef0123456789abcdef0123456789')).toEqual([{ id: 1, distance: 0 }]);
    expect(index.query(new Uint32Array([0x23456789, 0xabcdef01, 0x23456789, 0xabcdef01]))).toEqual([{ id: 1, distance: 0 }]);
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof HmaError ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => index.add(2, 'abc'))).toBe('invalid_input');
    expect(code(() => index.add(2, 'z'.repeat(32)))).toBe('invalid_input');
    expect(code(() => index.add(2, new Uint32Array(8)))).toBe('invalid_input');
    expect(code(() => index.add(-2, hex32(1)))).toBe('invalid_input');
    expect(code(() => index.add(1, hex32(1)))).toBe('conflict');
    expect(code(() => index.query('0'.repeat(31)))).toBe('invalid_input');
    expect(code(() => new ExactIndex(0))).toBe('invalid_input');
    expect(index.remove(99)).toBe(false);
  });

  it('an empty index answers nothing', () => {
    expect(new ExactIndex().query(hex32(0))).toEqual([]);
  });
});
