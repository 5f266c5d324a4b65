import { describe, expect, it } from 'vitest';
import { isContentEnabled } from '../../src/replica/content-enabled.js';
import { applyLookupRules } from '../../src/matching/lookup-rules.js';

describe('isContentEnabled (disable_until_ts)', () => {
  it('follows HMA: null/1 enabled, 0 disabled for good, a timestamp disables until then', () => {
    const now = 1_700_000_000;
    expect(isContentEnabled(null, now)).toBe(true);
    expect(isContentEnabled(undefined, now)).toBe(true);
    expect(isContentEnabled(1, now)).toBe(true);
    expect(isContentEnabled(0, now)).toBe(false);
    expect(isContentEnabled(now + 1, now)).toBe(false);
    expect(isContentEnabled(now, now)).toBe(true);
    expect(isContentEnabled(now - 60, now)).toBe(true);
  });
});

describe('applyLookupRules', () => {
  const now = 1_700_000_000;
  const c = (id: number, bankName: string, ratio: number, disableUntil: number | null = null) => ({
    id,
    bank: { name: bankName, ratio },
    disableUntil,
  });
  const candidates = [
    c(1, 'A', 1),
    c(2, 'B', 0.5),
    c(3, 'A', 1, 0),
    c(4, 'C', 0),
    c(5, 'A', 1, now + 100),
    c(6, 'B', 0.5, now - 100),
  ];
  // Grouped by bank in first-seen order, as LookupService.group reports them.
  const shape = (kept: ReadonlyArray<{ id: number; bank: { name: string } }>) => {
    const out: Record<string, number[]> = {};
    for (const k of kept) (out[k.bank.name] ??= []).push(k.id);
    return out;
  };

  it('drops disabled content and banks above the draw, grouping the rest by bank in order', () => {
    expect(shape(applyLookupRules(candidates, { coinflip: 0.4, nowSeconds: now }))).toEqual({ A: [1], B: [2, 6] });
    expect(shape(applyLookupRules(candidates, { coinflip: 0.7, nowSeconds: now }))).toEqual({ A: [1] });
  });

  it('with a bypass draw (0) keeps ratio-0 banks; still drops disabled content', () => {
    expect(shape(applyLookupRules(candidates, { coinflip: 0, nowSeconds: now }))).toEqual({ A: [1], B: [2, 6], C: [4] });
  });

  it('keeps only the requested banks', () => {
    expect(shape(applyLookupRules(candidates, { coinflip: 0, nowSeconds: now, banks: ['B', 'NOPE'] }))).toEqual({ B: [2, 6] });
  });
});
