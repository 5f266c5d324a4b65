/** Allow-list banks: never a match of their own; they suppress in-scope matches of the same content, naming the entry. */
import { describe, expect, it } from 'vitest';
import { applyAllowLists, type PolicyBank } from '../../src/matching/allow-list.js';

const bank = (name: string, labels: string[] = [], scope?: string[] | null): PolicyBank => ({
  name, labels, allowList: scope === undefined ? null : { scope },
});
const m = (id: number, b: PolicyBank, distance = 0) => ({ id, bank: b, distance });

describe('applyAllowLists', () => {
  const shared = bank('SHARED', ['csam']);
  const own = bank('OWN', ['own']);
  const everyBank = bank('ALLOW_ALL', [], null);
  const csamOnly = bank('ALLOW_CSAM', [], ['csam']);

  it('keeps everything when no allow-list bank matched', () => {
    const all = [m(1, shared), m(2, own)];
    expect(applyAllowLists(all)).toEqual({ kept: all, suppressed: [] });
  });

  it('never reports an allow-list match, even alone', () => {
    expect(applyAllowLists([m(1, everyBank)])).toEqual({ kept: [], suppressed: [] });
  });

  it('suppresses every bank for a scope of null, naming the closest entry', () => {
    const far = m(8, everyBank, 9);
    const near = m(9, everyBank, 2);
    const out = applyAllowLists([m(1, shared, 5), far, m(2, own), near]);
    expect(out.kept).toEqual([]);
    expect(out.suppressed.map((s) => [s.match.id, s.by.id])).toEqual([[1, 9], [2, 9]]);
  });

  it('suppresses only banks with a label of the scope', () => {
    const out = applyAllowLists([m(1, shared), m(2, own), m(3, csamOnly)]);
    expect(out.kept.map((x) => x.id)).toEqual([2]);
    expect(out.suppressed.map((s) => [s.match.id, s.by.bank.name])).toEqual([[1, 'ALLOW_CSAM']]);
  });
});
