import { describe, expect, it } from 'vitest';
import { bankTakesPart, drawCoinflip } from '../../src/matching/coinflip.js';
import { MersenneTwister } from '../../src/matching/python-random.js';

// Produced by CPython 3: [random.Random(s).random() for the first two draws].
const PYTHON: [string, number, number][] = [
  ['1234', 0.24836460312826447, 0.6493620891986445],
  ['abc', 0.7720246314157545, 0.5581691373899791],
  ['0', 0.3616904771377427, 0.9067071769868569],
  ['seed', 0.1382359792209653, 0.23670923666908306],
  ['', 0.9602256525641875, 0.595411957851699],
  ['é日本', 0.6842293005314027, 0.16275845387619925],
  ['\u0000a', 0.33944202963739156, 0.6588652135187956],
  ['a'.repeat(200), 0.07279687109241983, 0.590187556462941],
  ['42', 0.473659421919327, 0.6331853194460518],
];

describe('coinflip', () => {
  it('draws what Python random.Random(seed) draws, bit for bit', () => {
    for (const [seed, first, second] of PYTHON) {
      const mt = MersenneTwister.fromPythonSeed(seed);
      expect(mt.random()).toBe(first);
      expect(mt.random()).toBe(second);
      expect(drawCoinflip({ seed })).toBe(first);
    }
  });

  it('is deterministic for a seed and independent of the fallback generator', () => {
    const fallback = () => {
      throw new Error('must not be used with a seed');
    };
    expect(drawCoinflip({ seed: 'content-17' }, fallback)).toBe(drawCoinflip({ seed: 'content-17' }, fallback));
    expect(drawCoinflip({ seed: 'content-17' })).not.toBe(drawCoinflip({ seed: 'content-18' }));
  });

  it('bypass draws 0, so every bank takes part, ratio 0 included', () => {
    const c = drawCoinflip({ bypass: true, seed: '1234' });
    expect(c).toBe(0);
    expect(bankTakesPart(0, c)).toBe(true);
    expect(bankTakesPart(1, c)).toBe(true);
  });

  it('ratio 1 always takes part, ratio 0 only on an exact 0 draw, and inclusion is nested', () => {
    for (const c of [0, 1e-12, 0.25, 0.5, 0.999999]) expect(bankTakesPart(1, c)).toBe(true);
    expect(bankTakesPart(0, 0)).toBe(true);
    for (const c of [Number.MIN_VALUE, 0.1, 0.9]) expect(bankTakesPart(0, c)).toBe(false);
    // seed '1234' draws 0.248…: a bank at 0.3 is in, one at 0.2 is out.
    const c = drawCoinflip({ seed: '1234' });
    expect(bankTakesPart(0.3, c)).toBe(true);
    expect(bankTakesPart(0.2, c)).toBe(false);
    expect(bankTakesPart(c, c)).toBe(true);
  });

  it('without seed or bypass uses the given generator', () => {
    expect(drawCoinflip({}, () => 0.625)).toBe(0.625);
    const d = drawCoinflip();
    expect(d).toBeGreaterThanOrEqual(0);
    expect(d).toBeLessThan(1);
  });
});
