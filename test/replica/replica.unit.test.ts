import { describe, expect, it } from 'vitest';
import { applyLookupRules } from '../../src/matching/lookup-rules.js';
import { PdqIndex } from '../../src/index/pdq-index.js';
import type { BankChange, SignalChange } from '../../src/replica/changes.js';
import { MatchReplica } from '../../src/replica/replica.js';

const A = 'f'.repeat(64);
const B = 'f'.repeat(63) + 'e'; // distance 1 from A
const C = '0'.repeat(64);

let seq = 0;
const signal = (contentId: number, bankId: number, value: string, disable: number | null = null): SignalChange => ({
  signal_type: 'pdq', content_id: contentId, bank_id: bankId, value, disable_until_ts: disable,
  change_seq: ++seq, changed_at: 1_700_000_000_000 + seq,
});
const bank = (id: number, name: string, ratio = 1, labels: string[] = []): BankChange => ({
  bank_id: id, name, matching_enabled_ratio: ratio, labels, change_seq: ++seq, changed_at: Date.now(), match_thresholds: {}, allow_list: false, allow_list_scope: null,
});

function replica(now = 1_800_000_000_000) {
  return new MatchReplica(new Map([['pdq', new PdqIndex()]]), () => now);
}

describe('MatchReplica', () => {
  it('flags the matches of quarantined content until a change without the flag; a tombstone ends it', () => {
    const r = replica();
    r.applyBank('1', bank(1, 'BANK_A'));
    r.applySignal('pdq:10', signal(10, 1, A));
    r.applySignal('pdq:11', { ...signal(11, 1, B), quarantined: true });
    expect(r.rawLookup('pdq', A, 31).map((m) => [m.contentId, m.quarantined]).sort()).toEqual([[10, false], [11, true]]);
    expect(r.quarantinedCount).toBe(1);
    r.applySignal('pdq:11', signal(11, 1, B)); // released: re-published without the flag
    expect(r.rawLookup('pdq', B, 0).map((m) => m.quarantined)).toEqual([false]);
    r.applySignal('pdq:11', { ...signal(11, 1, B), quarantined: true });
    r.applySignal('pdq:11', null);
    expect(r.quarantinedCount).toBe(0);
  });

  it('matches signals of known banks and skips signals whose bank is gone', () => {
    const r = replica();
    r.applyBank('1', bank(1, 'BANK_A', 1, ['csam']));
    r.applySignal('pdq:10', signal(10, 1, A));
    r.applySignal('pdq:11', signal(11, 2, B)); // bank 2 not (yet) known
    expect(r.rawLookup('pdq', A, 31).map((m) => [m.contentId, m.distance, m.bank.name])).toEqual([[10, 0, 'BANK_A']]);
    r.applyBank('2', bank(2, 'BANK_B'));
    expect(r.rawLookup('pdq', A, 31).map((m) => m.contentId).sort((a, b) => a - b)).toEqual([10, 11]);
    r.applyBank('2', null);
    expect(r.rawLookup('pdq', A, 31).map((m) => m.contentId)).toEqual([10]);
  });

  it('replaces a value, removes on tombstone, and converges when a suffix is replayed', () => {
    const r = replica();
    r.applyBank('1', bank(1, 'BANK_A'));
    const first = signal(10, 1, A);
    const second = signal(10, 1, C);
    r.applySignal('pdq:10', first);
    r.applySignal('pdq:10', second);
    expect(r.rawLookup('pdq', A, 31)).toEqual([]);
    expect(r.rawLookup('pdq', C, 0).map((m) => m.contentId)).toEqual([10]);
    r.applySignal('pdq:10', null);
    expect(r.rawLookup('pdq', C, 0)).toEqual([]);
    // The relay may republish a suffix after a crash: same order, same final state.
    r.applySignal('pdq:10', second);
    r.applySignal('pdq:10', null);
    expect(r.stats('pdq')?.size).toBe(0);
  });

  it('filters disabled content only in enabled lookups (docs/reference/hma-api.md §2.8 magic values)', () => {
    const nowMs = 1_800_000_000_000;
    const r = replica(nowMs);
    r.applyBank('1', bank(1, 'BANK_A'));
    r.applySignal('pdq:1', signal(1, 1, A, 1)); // enabled
    r.applySignal('pdq:2', signal(2, 1, A, 0)); // disabled indefinitely
    r.applySignal('pdq:3', signal(3, 1, A, nowMs / 1000 + 60)); // disabled for another minute
    r.applySignal('pdq:4', signal(4, 1, A, nowMs / 1000 - 60)); // re-enabled a minute ago
    r.applySignal('pdq:5', signal(5, 1, A, null)); // enabled
    expect(applyLookupRules(r.rawLookup('pdq', A, 0), { coinflip: 0, nowSeconds: r.nowSeconds() }).map((m) => m.contentId).sort((a, b) => a - b)).toEqual([1, 4, 5]);
    expect(r.rawLookup('pdq', A, 0)).toHaveLength(5);
  });

  it('tracks per-type stats and ignores signal types it does not index', () => {
    const r = replica();
    r.applySignal('video_md5:3', { ...signal(3, 1, 'a'.repeat(32)), signal_type: 'video_md5' });
    r.applySignal('garbage', null);
    r.applySignal('pdq:9', signal(9, 1, B));
    expect(r.ignoredEvents).toBe(1);
    expect(r.stats('pdq')).toMatchObject({ size: 1, lastSeq: seq });
    expect(r.appliedSeq).toBe(seq);
  });

});
