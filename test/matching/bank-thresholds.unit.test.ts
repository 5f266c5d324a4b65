/** Per-bank match thresholds in the lookup service: searched at the widest, kept per bank; a request only narrows. */
import { describe, expect, it } from 'vitest';
import { bankThreshold } from '../../src/matching/lookup-rules.js';
import { LookupService } from '../../src/matching/lookup-service.js';
import { MatchReplica } from '../../src/replica/replica.js';
import { PdqIndex } from '../../src/index/pdq-index.js';
import { VpdqIndex } from '../../src/signals/vpdq/index.js';
import { signalTypeRules } from '../../src/processes/signal-types.js';
import { loadConfig } from '../../src/config/config.js';

const A = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

/** A with its lowest `bits` bits flipped: at distance `bits` from A. */
function flip(hex: string, bits: number): string {
  const n = BigInt(`0x${hex}`) ^ ((1n << BigInt(bits)) - 1n);
  return n.toString(16).padStart(64, '0');
}

function setup(thresholds: Record<string, Record<string, number>>) {
  const config = loadConfig({ SIGNAL_TYPES: 'pdq,vpdq' });
  const replica = new MatchReplica(new Map<string, PdqIndex | VpdqIndex>([['pdq', new PdqIndex()], ['vpdq', new VpdqIndex()]]));
  let seq = 0;
  const banks = ['NARROW', 'WIDE', 'PLAIN'];
  banks.forEach((name, i) => {
    replica.applyBank(String(i + 1), {
      bank_id: i + 1, name, matching_enabled_ratio: 1, labels: [], match_thresholds: thresholds[name] ?? {}, allow_list: false, allow_list_scope: null, change_seq: ++seq, changed_at: 1,
    });
  });
  const add = (contentId: number, bankId: number, type: string, value: string) =>
    replica.applySignal(`${type}:${contentId}`, { signal_type: type, content_id: contentId, bank_id: bankId, value, disable_until_ts: null, change_seq: ++seq, changed_at: 1 });
  return { replica, add, lookups: new LookupService(replica, signalTypeRules(config)) };
}

const banksOf = (grouped: Record<string, unknown>) => Object.keys(grouped).sort();

describe('bankThreshold', () => {
  it("is the bank's own, narrowed by the request's; without one, the request's or the default", () => {
    expect(bankThreshold(undefined, undefined, 31)).toBe(31);
    expect(bankThreshold(undefined, 40, 31)).toBe(40);
    expect(bankThreshold(20, undefined, 31)).toBe(20);
    expect(bankThreshold(20, 10, 31)).toBe(10);
    expect(bankThreshold(20, 40, 31)).toBe(20); // a request never widens a bank's threshold
    expect(bankThreshold(45, undefined, 31)).toBe(45);
  });
});

describe('lookups with bank thresholds (PDQ)', () => {
  const { add, lookups } = setup({ NARROW: { pdq: 10 }, WIDE: { pdq: 45 } });
  add(1, 1, 'pdq', A);
  add(2, 2, 'pdq', A);
  add(3, 3, 'pdq', A);

  it('keeps each match within its bank threshold, the default for banks without one', () => {
    expect(banksOf(lookups.lookup('pdq', flip(A, 5), { coinflip: 0 }).grouped)).toEqual(['NARROW', 'PLAIN', 'WIDE']);
    expect(banksOf(lookups.lookup('pdq', flip(A, 20), { coinflip: 0 }).grouped)).toEqual(['PLAIN', 'WIDE']);
    // Beyond the default (31): only the bank that widened its own.
    expect(banksOf(lookups.lookup('pdq', flip(A, 40), { coinflip: 0 }).grouped)).toEqual(['WIDE']);
    expect(banksOf(lookups.lookup('pdq', flip(A, 46), { coinflip: 0 }).grouped)).toEqual([]);
  });

  it("lets a request's threshold narrow every bank but widen none with its own", () => {
    expect(banksOf(lookups.lookup('pdq', flip(A, 20), { coinflip: 0, threshold: 15 }).grouped)).toEqual([]);
    expect(banksOf(lookups.lookup('pdq', flip(A, 8), { coinflip: 0, threshold: 9 }).grouped)).toEqual(['NARROW', 'PLAIN', 'WIDE']);
    // 40 widens the default bank, not NARROW (10).
    expect(banksOf(lookups.lookup('pdq', flip(A, 35), { coinflip: 0, threshold: 40 }).grouped)).toEqual(['PLAIN', 'WIDE']);
    expect(banksOf(lookups.lookup('pdq', flip(A, 12), { coinflip: 0, threshold: 52 }).grouped)).toEqual(['PLAIN', 'WIDE']);
  });

  it('applies to raw lookups too', () => {
    expect(lookups.raw('pdq', flip(A, 20), undefined).map((m) => m.bank.name).sort()).toEqual(['PLAIN', 'WIDE']);
    expect(lookups.raw('pdq', flip(A, 20), undefined, 25).map((m) => m.bank.name).sort()).toEqual(['PLAIN', 'WIDE']);
    expect(lookups.raw('pdq', flip(A, 40), undefined).map((m) => m.bank.name)).toEqual(['WIDE']);
  });
});

describe('lookups with bank thresholds (vPDQ: the threshold applies per frame)', () => {
  // Frame hashes ≥ 64 bits apart from each other: a frame matches only its own near copies.
  const frames = ['1', '2', '4', '8', 'e'].map((d) => d.repeat(64));
  const video = (hashes: string[]) => JSON.stringify(hashes.map((h, i) => `${h},100,${i}.0`));
  const { add, lookups } = setup({ NARROW: { vpdq: 5 } });
  add(1, 1, 'vpdq', video(frames));
  add(2, 3, 'vpdq', video(frames));

  it('searches once per threshold in use and keeps each bank at its own', () => {
    expect(banksOf(lookups.lookup('vpdq', video(frames), { coinflip: 0 }).grouped)).toEqual(['NARROW', 'PLAIN']);
    // Every frame 10 bits off: within the default (31), beyond NARROW's 5.
    expect(banksOf(lookups.lookup('vpdq', video(frames.map((f) => flip(f, 10))), { coinflip: 0 }).grouped)).toEqual(['PLAIN']);
    expect(banksOf(lookups.lookup('vpdq', video(frames.map((f) => flip(f, 10))), { coinflip: 0, threshold: 8 }).grouped)).toEqual([]);
  });
});
