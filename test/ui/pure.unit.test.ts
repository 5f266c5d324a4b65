/** The UI's pure parts: durations (HMA's "0s ago" bug), notices, form values, comparisons, ordering. */
import { describe, expect, it } from 'vitest';
import type { FieldSpec } from '../../src/curation/exchange-apis.js';
import { fetchState } from '../../src/api/ui/exchange-rows.js';
import { byDistance } from '../../src/api/ui/find.js';
import { ago, formatDuration, formatPercent } from '../../src/api/ui/format.js';
import { notFalse } from '../../src/api/ui/forms.js';
import { backTo, doneUrl, noticeFrom } from '../../src/api/ui/notices.js';
import { fieldValue } from '../../src/api/ui/pages/exchanges.js';
import { compare } from '../../src/api/ui/pages/match.js';
import { inBank, toLive } from '../../src/api/ui/results-feed.js';
import type { MatchResultValue } from '../../src/kafka/values.js';

const spec = (type: FieldSpec['type'], extra: Partial<FieldSpec> = {}): FieldSpec => ({
  name: 'f', type, required: false, default: null, help: '', choices: null, ...extra,
});

describe('durations', () => {
  it('give the two largest units, never "0s" for a real age', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(0.9)).toBe('0s');
    expect(formatDuration(1)).toBe('1s');
    expect(formatDuration(59)).toBe('59s');
    expect(formatDuration(200)).toBe('3m 20s');
    expect(formatDuration(3600)).toBe('1h');
    expect(formatDuration(3605)).toBe('1h'); // the zero minutes stop it
    expect(formatDuration(7500)).toBe('2h 5m');
    expect(formatDuration(86_400 * 3 + 3600 * 4 + 7)).toBe('3d 4h');
    expect(formatDuration(Number.NaN)).toBe('0s');
  });

  it('say how long ago, or in how long for a clock ahead of ours', () => {
    expect(ago(1000, 1200)).toBe('3m 20s ago');
    expect(ago(1000, 1000)).toBe('0s ago');
    expect(ago(1005, 1000)).toBe('in 5s');
  });

  it('format ratios without useless decimals', () => {
    expect([formatPercent(1), formatPercent(0), formatPercent(0.125), formatPercent(1 / 3)]).toEqual(['100%', '0%', '12.5%', '33.3%']);
  });
});

describe('notices and redirects', () => {
  it('render only known codes, with only safe ids', () => {
    expect(noticeFrom({ done: 'added', id: '42' })).toEqual([{ kind: 'ok', text: 'Added content 42.' }]);
    expect(noticeFrom({ done: 'bank_created', name: '<script>' })).toEqual([{ kind: 'ok', text: 'Bank  created.' }]);
    expect(noticeFrom({ done: 'anything else' })).toEqual([]);
    expect(noticeFrom({})).toEqual([]);
  });

  it('build done URLs on pages with or without a query', () => {
    expect(doneUrl('/ui/banks', 'bank_created', { name: 'A_B' })).toBe('/ui/banks?done=bank_created&name=A_B');
    expect(doneUrl('/ui/bank/X?focus=3', 'added', { id: '3' })).toBe('/ui/bank/X?focus=3&done=added&id=3');
  });

  it('only go back to UI pages (no open redirect)', () => {
    expect(backTo('/ui/exchanges', '/ui/')).toBe('/ui/exchanges');
    expect(backTo('/ui/bank/X?page_token=abc', '/ui/')).toBe('/ui/bank/X?page_token=abc');
    for (const bad of ['https://evil.example/', '//evil.example/ui/', '/ui//evil.example', '/ui/\\evil', '/c/banks', undefined]) {
      expect(backTo(bad, '/ui/')).toBe('/ui/');
    }
  });

  it('treat the bypass checkbox as HMA does: true unless literally false', () => {
    expect([notFalse(undefined), notFalse('true'), notFalse('on'), notFalse('false'), notFalse(' FALSE ')]).toEqual([true, true, true, false, false]);
  });
});

describe('generated exchange forms', () => {
  it('turn form text into each field type, empty as absent', () => {
    expect(fieldValue(spec('number'), ' 1012185296055235 ')).toBe(1012185296055235);
    expect(fieldValue(spec('number'), '')).toBeUndefined();
    expect(() => fieldValue(spec('number'), 'ten')).toThrow('f must be a number');
    expect(fieldValue(spec('boolean'), 'true')).toBe(true);
    expect(fieldValue(spec('boolean'), undefined)).toBe(false);
    expect(fieldValue(spec('set_of_number'), '1, 2,3,')).toEqual([1, 2, 3]);
    expect(() => fieldValue(spec('set_of_number'), '1, x')).toThrow('comma-separated list of numbers');
    expect(fieldValue(spec('list_of_string'), 'a, b')).toEqual(['a', 'b']);
    expect(fieldValue(spec('enum', { choices: ['x'] }), 'x')).toBe('x');
    expect(fieldValue(spec('string'), '  token  ')).toBe('token');
  });
});

describe('exchange fetch state', () => {
  const status = { checkpoint_ts: null, running_fetch_start_ts: null, last_fetch_complete_ts: null, last_fetch_succeeded: null, up_to_date: false, fetched_items: 0 };
  it('follows the status columns, disabled and running first', () => {
    expect(fetchState(false, { ...status, running_fetch_start_ts: 5 })).toBe('disabled');
    expect(fetchState(true, { ...status, running_fetch_start_ts: 5, last_fetch_complete_ts: 4 })).toBe('running');
    expect(fetchState(true, status)).toBe('never');
    expect(fetchState(true, { ...status, last_fetch_complete_ts: 4, last_fetch_succeeded: false })).toBe('failed');
    expect(fetchState(true, { ...status, last_fetch_complete_ts: 4, last_fetch_succeeded: true, up_to_date: true })).toBe('up_to_date');
    expect(fetchState(true, { ...status, last_fetch_complete_ts: 4, last_fetch_succeeded: true })).toBe('behind');
  });
});

describe('match debugger comparison', () => {
  const A = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
  const flip = (hex: string, nibbles: number) => hex.slice(0, 64 - nibbles) + [...hex.slice(64 - nibbles)].map((c) => (15 - parseInt(c, 16)).toString(16)).join('');
  const photo = (hash: string, variants: string[] = []) => ({
    hash, quality: 100, width: 10, height: 10,
    variants: (['original', 'rotate90', 'rotate180', 'rotate270', 'flipx', 'flipy', 'flipplus1', 'flipminus1'] as const).map((name, i) => ({ name, hash: variants[i] ?? hash })),
  });

  it('gives the plain distance and the best variant, matching at the threshold', () => {
    const far = flip(A, 8); // 32 bits differ
    const c = compare(photo(A, [A, far, A, A, A, A, A, A]), photo(far), 31);
    expect([c.distance, c.match]).toEqual([32, false]);
    expect(c.best).toEqual({ name: 'rotate90', distance: 0, match: true });
    expect(c.variants).toHaveLength(8);
    expect(compare(photo(A), photo(flip(A, 7)), 28).match).toBe(true);
  });
});

describe('find results order and live results', () => {
  it('sort numeric distances ascending, "-" last', () => {
    const sorted = [{ distance: '-' }, { distance: '12' }, { distance: '3' }, { distance: '0' }].sort(byDistance);
    expect(sorted.map((m) => m.distance)).toEqual(['0', '3', '12', '-']);
  });

  it('keep the fields the page shows and filter by bank', () => {
    const value: MatchResultValue = {
      submission_id: 's', content_id: 'c', content_type: 'photo', matched: true,
      matches: [{ bank_id: 1, bank_name: 'A', bank_content_id: 9, signal_type: 'pdq', distance: 2, bank_labels: ['x'], provenance: null }],
      suppressed: [], index_positions: {}, trace_id: null, metadata: null, submitted_at: 100,
      timings: { hashed_at: 110, match_ms: 1, matched_at: 120 },
    };
    const live = toLive(7, value);
    expect(live).toMatchObject({ seq: 7, content_id: 'c', matched: true, submitted_at: 100, matched_at: 120 });
    expect([inBank(live, undefined), inBank(live, 'A'), inBank(live, 'B')]).toEqual([true, true, false]);
    expect(live.matches.map((m) => m.quarantined)).toEqual([false]);
    expect(live.matches.map((m) => m.source)).toEqual([null]);
    const fromExchange = { ...value.matches[0]!, provenance: { exchange: 'NCMEC_LIST', exchange_type: 'ncmec', record_id: '43-1', tags: [] } };
    expect(toLive(9, { ...value, matches: [fromExchange] }).matches[0]!.source).toBe('NCMEC_LIST record 43-1');
    expect(toLive(8, { ...value, matches: [{ ...value.matches[0]!, quarantined: true }] }).matches[0]!.quarantined).toBe(true);
    expect(live.retroactive).toBe(false);
    expect(toLive(8, { ...value, retroactive: { signal_type: 'pdq', bank_id: 1, bank_content_id: 2, change_seq: 3 } }).retroactive).toBe(true);
  });
});
