import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmaError } from '../../src/errors/errors.js';
import { POPCOUNT16, hamming256, parseHexWords, popcount32, readKey, wordsToHex } from '../../src/index/bits.js';
import { slowDistance } from './support.js';

const words8 = fc.uint32Array({ minLength: 8, maxLength: 8 });

describe('bits', () => {
  it('hex and words round-trip, highest word first', () => {
    fc.assert(
      fc.property(words8, (w) => {
        const hex = wordsToHex(w);
        expect(hex).toMatch(/^[0-9a-f]{64}$/);
        expect(parseHexWords(hex, 8)).toEqual(w);
        expect(parseHexWords(hex.toUpperCase(), 8)).toEqual(w);
      }),
    );
    expect(wordsToHex(new Uint32Array([1, 0, 0, 0]))).toBe(`${'0'.repeat(31)}1`);
  });

  it('distances agree with a bit-by-bit count', () => {
    fc.assert(
      fc.property(words8, words8, (a, b) => {
        expect(hamming256(a, 0, b, 0)).toBe(slowDistance(a, b));
        expect(popcount32(a[0])).toBe(slowDistance(new Uint32Array([a[0], 0, 0, 0, 0, 0, 0, 0]), new Uint32Array(8)));
      }),
    );
    for (let v = 0; v < 1 << 16; v += 257) expect(POPCOUNT16[v]).toBe(popcount32(v));
  });

  it('rejects wrong lengths, non-hex digits and non-strings', () => {
    // Every character next to a hex range, a non-ASCII one and a lone surrogate, at the last place.
    const edges = ['/', ':', '@', 'G', '`', 'g', 'é', '\u0660', '\ud800'].map((c) => `${'0'.repeat(63)}${c}`);
    for (const bad of ['', 'abc', 'x'.repeat(64), `${'0'.repeat(63)} `, '0'.repeat(65), ...edges]) {
      expect(() => parseHexWords(bad, 8)).toThrow(HmaError);
    }
    expect(() => parseHexWords(42 as unknown as string, 8)).toThrow(HmaError);
    expect(() => readKey(new Uint32Array(4), 8, new Uint32Array(8))).toThrow(HmaError);
    expect(() => readKey([1, 2] as unknown as Uint32Array, 2, new Uint32Array(2))).toThrow(HmaError);
  });
});
