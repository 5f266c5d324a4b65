/** Validation (with the reference's messages), vPDQ formats, de-dup, match rule and the registry. */
import { describe, expect, it } from 'vitest';
import { HmaError } from '../../src/errors/errors.js';
import { validateMd5 } from '../../src/signals/md5/md5.js';
import type { PdqHex } from '../../src/signals/pdq/hash256.js';
import { validatePdq } from '../../src/signals/pdq/validate.js';
import { pyRepr } from '../../src/signals/py-repr.js';
import { SIGNAL_TYPES, signalType, signalTypesFor } from '../../src/signals/registry.js';
import { dedupConsecutive } from '../../src/signals/vpdq/dedup.js';
import { frameInterval, frameTimestamp } from '../../src/signals/vpdq/feature.js';
import { formatFixed3, formatPythonPrecision3 } from '../../src/signals/vpdq/format.js';
import { matchVpdq, PYTX_VPDQ_MATCH } from '../../src/signals/vpdq/match.js';
import { parseVpdqSignal, toVpdqSignal, validateVpdq, type VpdqCompactFeature } from '../../src/signals/vpdq/signal.js';

const PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

function rejects(fn: () => unknown, message: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(HmaError);
  expect((caught as HmaError).code).toBe('invalid_input');
  expect((caught as HmaError).message).toBe(message);
}

describe('pdq validation', () => {
  it('accepts exactly 64 lower-case hex digits, unchanged', () => expect(validatePdq(PDQ)).toBe(PDQ));
  it.each([PDQ.toUpperCase(), PDQ.slice(1), PDQ + '0', ` ${PDQ}`, `${PDQ}\n`, '', 'g'.repeat(64)])('rejects %j', (v) =>
    rejects(() => validatePdq(v), 'invalid PDQ hash'),
  );
});

describe('video_md5 validation', () => {
  it('trims and lower-cases', () => expect(validateMd5('  CAB08B36195EDB1A1231D2D09FA450E0\n')).toBe('cab08b36195edb1a1231d2d09fa450e0'));
  it('quotes the input as Python repr in its message', () => {
    rejects(() => validateMd5('xyz'), "'xyz' is not a valid MD5 hash");
    rejects(() => validateMd5("it's"), `"it's" is not a valid MD5 hash`);
    rejects(() => validateMd5('a\tb\n'), "'a\\tb\\n' is not a valid MD5 hash");
  });
  it('pyRepr escapes like Python', () => {
    expect(pyRepr(`a"b'c`)).toBe(`'a"b\\'c'`);
    expect(pyRepr('\u00a0\u200b\u0001é')).toBe("'\\xa0\\u200b\\x01é'");
  });
});

describe('vPDQ number formats', () => {
  it.each([
    [0, '0.0'], [1, '1.0'], [10, '10.0'], [100, '1e+02'], [12.345, '12.3'], [123.4, '1.23e+02'],
    [0.0333, '0.0333'], [1e-5, '1e-05'], [0.0001, '0.0001'], [9.9996, '10.0'], [1.125, '1.12'], [2.5, '2.5'],
  ])("Python format(%d, '.3') = %s", (x, s) => expect(formatPythonPrecision3(x)).toBe(s));
  it.each([[0, '0.000'], [0.0625, '0.062'], [0.1875, '0.188'], [1 / 30, '0.033'], [1234.5, '1234.500'], [0.9996, '1.000']])(
    'C printf .3f of %s = %s (ties half-to-even)',
    (x, s) => expect(formatFixed3(x)).toBe(s),
  );
  it('timestamps are float32 divisions and frames are picked every trunc(seconds·fps)', () => {
    expect(frameTimestamp(1, 30)).toBe(Math.fround(1 / 30));
    expect(frameInterval(1, 29.97)).toBe(29);
    expect(frameInterval(0, 30)).toBe(1);
    expect(frameInterval(0.01, 30)).toBe(1);
  });
});

describe('vPDQ signal strings', () => {
  const features: VpdqCompactFeature[] = [
    { hash: PDQ as PdqHex, quality: 100, timestamp: 0 },
    { hash: PDQ.replace('f8', '08') as PdqHex, quality: 49, timestamp: Math.fround(1 / 30) },
    { hash: PDQ.replace('f8', '18') as PdqHex, quality: 50, timestamp: 100 },
  ];
  it('serialises as python-threatexchange does', () => {
    expect(toVpdqSignal(features)).toBe(`["${PDQ},100,0.0", "${PDQ.replace('f8', '08')},49,0.0333", "${PDQ.replace('f8', '18')},50,1e+02"]`);
  });
  it('parses back and normalises', () => {
    const s = toVpdqSignal(features);
    expect(validateVpdq(s)).toBe(s);
    expect(validateVpdq(`["${PDQ.toUpperCase()},7,1e+02"]`)).toBe(`["${PDQ},7,1e+02"]`);
    expect(parseVpdqSignal('')).toEqual([]);
  });
  it.each([`${PDQ},101,0`, `${PDQ},-1,0`, `${PDQ},50,-0.5`, `${PDQ.slice(2)},50,0`, `${PDQ},50`, `${PDQ},5x,0`, `${PDQ},50,nan`])(
    'rejects the item %s with the reference message',
    (item) => rejects(() => validateVpdq(JSON.stringify([item])), `invalid VpdqCompactFeature serialization: ${item}`),
  );
  it('rejects non-JSON, non-arrays and empty signals', () => {
    rejects(() => validateVpdq('{'), 'invalid vpdq signal: not JSON');
    rejects(() => validateVpdq('[1]'), 'invalid vpdq signal: expected a JSON array of strings');
    rejects(() => validateVpdq('[]'), 'invalid vpdq signal: no frames');
  });
});

/** A hash `bits` bits away from PDQ (flipping the lowest bits of the last words). */
function near(bits: number): PdqHex {
  const chars = PDQ.split('');
  for (let k = 0; k < bits; k++) {
    const i = 63 - (k >> 2);
    chars[i] = (parseInt(chars[i], 16) ^ (1 << (k & 3))).toString(16);
  }
  return chars.join('') as PdqHex;
}

describe('consecutive de-duplication', () => {
  const frames = [0, 0, 1, 3, 20, 21, 0].map((d, frame) => ({ frame, hash: near(d) }));
  it('drops exact repeats at distance 0', () => expect(dedupConsecutive(frames, 0).map((f) => f.frame)).toEqual([0, 2, 3, 4, 5, 6]));
  it('drops near repeats, measured from the last kept frame', () =>
    expect(dedupConsecutive(frames, 2).map((f) => f.frame)).toEqual([0, 3, 4, 6]));
});

describe('vPDQ match rule', () => {
  const f = (d: number, quality = 100): VpdqCompactFeature => ({ hash: near(d), quality, timestamp: 0 });
  it('identical videos match 100 % both ways', () => {
    const v = [f(0), f(40), f(80)];
    expect(matchVpdq(v, v)).toEqual({ queryMatchPercent: 100, comparedMatchPercent: 100, isMatch: true });
  });
  it('counts each side against any frame of the other; python-threatexchange thresholds 80/0', () => {
    const query = [f(0), f(100), f(200)];
    const compared = [f(31), f(120)];
    const r = matchVpdq(query, compared);
    expect(r.queryMatchPercent).toBeCloseTo(200 / 3);
    expect(r.comparedMatchPercent).toBe(100);
    expect(r.isMatch).toBe(false);
    expect(matchVpdq(query, compared, { ...PYTX_VPDQ_MATCH, queryMatchPercent: 0, comparedMatchPercent: 80 }).isMatch).toBe(true);
  });
  it('distance is inclusive by default, strict like the C++ tools on request', () => {
    expect(matchVpdq([f(0)], [f(31)]).queryMatchPercent).toBe(100);
    expect(matchVpdq([f(0)], [f(31)], { ...PYTX_VPDQ_MATCH, inclusive: false }).queryMatchPercent).toBe(0);
  });
  it('ignores low-quality frames and de-duplicates before filtering by default', () => {
    const query = [f(0), f(0, 10), f(100, 49)];
    expect(matchVpdq(query, [f(0)])).toEqual({ queryMatchPercent: 100, comparedMatchPercent: 100, isMatch: true });
    // Before filtering, the low-quality duplicate shadows the good frame; after, it does not.
    const shadow = [f(0, 10), f(0, 90)];
    expect(matchVpdq(shadow, [f(0)]).queryMatchPercent).toBe(0);
    expect(matchVpdq(shadow, [f(0)], { ...PYTX_VPDQ_MATCH, dedupe: 'after_filter' }).queryMatchPercent).toBe(100);
  });
  it('a side without usable frames gives 0 % and no match', () =>
    expect(matchVpdq([f(0, 10)], [f(0)])).toEqual({ queryMatchPercent: 0, comparedMatchPercent: 0, isMatch: false }));
});

describe('signal-type registry', () => {
  it('maps content types as HMA does', () => {
    expect(signalTypesFor('photo').map((t) => t.name)).toEqual(['pdq']);
    expect(signalTypesFor('video').map((t) => t.name)).toEqual(['video_md5', 'vpdq']);
    expect(Object.values(SIGNAL_TYPES).filter((t) => t.hmaDefault).map((t) => t.name)).toEqual(['pdq', 'video_md5']);
    expect(signalType('nope')).toBeUndefined();
  });
  it('compares with the default thresholds', () => {
    expect(SIGNAL_TYPES.pdq.compare(PDQ, near(31))).toEqual({ match: true, distance: 31 });
    expect(SIGNAL_TYPES.pdq.compare(PDQ, near(32))).toEqual({ match: false, distance: 32 });
    expect(SIGNAL_TYPES.pdq.compare(PDQ, near(32), 40).match).toBe(true);
    expect(SIGNAL_TYPES.video_md5.compare('ABCDEF0123456789abcdef0123456789', 'abcdef0123456789abcdef0123456789 ')).toEqual({ match: true, distance: null });
    const v = toVpdqSignal([{ hash: PDQ as PdqHex, quality: 100, timestamp: 0 }]);
    expect(SIGNAL_TYPES.vpdq.compare(v, v)).toMatchObject({ match: true, detail: { query_match_percent: 100, compared_match_percent: 100 } });
  });
});
