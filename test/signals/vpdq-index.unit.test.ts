import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VpdqIndex } from '../../src/signals/vpdq/index.js';

const hex = () => randomBytes(32).toString('hex');
/** Flips the lowest `bits` bits of a hash. */
const near = (h: string, bits: number) => (BigInt(`0x${h}`) ^ ((1n << BigInt(bits)) - 1n)).toString(16).padStart(64, '0');
const signal = (frames: Array<[string, number]>) => JSON.stringify(frames.map(([h, q], i) => `${h},${q},${i}.0`));

describe('VpdqIndex', () => {
  const a = Array.from({ length: 5 }, hex);
  const b = Array.from({ length: 4 }, hex);

  function index() {
    const idx = new VpdqIndex();
    idx.add(1, signal(a.map((h) => [h, 100])));
    idx.add(2, signal([...b.map((h): [string, number] => [h, 90]), [a[0], 10]])); // a[0] below quality: ignored
    return idx;
  }

  it('matches a video against itself with both shares at 100%', () => {
    const [m, ...rest] = index().query(signal(a.map((h) => [h, 100])), 31);
    expect(rest).toEqual([]);
    expect(m).toEqual({ id: 1, distance: 0, detail: { query_match_percent: 100, compared_match_percent: 100 } });
  });

  it('needs 80% of the query frames (python-threatexchange), counting near frames', () => {
    const idx = index();
    const fourOfFive = signal([...a.slice(0, 3).map((h): [string, number] => [h, 80]), [near(a[3], 7), 80], [hex(), 80]]);
    expect(idx.query(fourOfFive, 31)).toEqual([{ id: 1, distance: 20, detail: { query_match_percent: 80, compared_match_percent: 80 } }]);
    const threeOfFive = signal([...a.slice(0, 3).map((h): [string, number] => [h, 80]), [hex(), 80], [hex(), 80]]);
    expect(idx.query(threeOfFive, 31)).toEqual([]);
    // The near frame is 7 bits away: outside a radius of 6.
    expect(idx.query(fourOfFive, 6)).toEqual([]);
  });

  it('ignores low-quality frames and repeated hashes on both sides', () => {
    const idx = index();
    const query = signal([...b.map((h): [string, number] => [h, 90]), [b[0], 90], [hex(), 5]]);
    expect(idx.query(query, 31)).toEqual([{ id: 2, distance: 0, detail: { query_match_percent: 100, compared_match_percent: 100 } }]);
  });

  it('forgets removed videos and reuses their frame entries', () => {
    const idx = index();
    expect(idx.frameCount).toBe(9);
    expect(idx.remove(1)).toBe(true);
    expect(idx.remove(1)).toBe(false);
    expect(idx.query(signal(a.map((h) => [h, 100])), 31)).toEqual([]);
    idx.add(3, signal(a.map((h) => [h, 100])));
    expect(idx.frameCount).toBe(9);
    expect(idx.query(signal(a.map((h) => [h, 100])), 31).map((m) => m.id)).toEqual([3]);
    expect([idx.size, idx.has(2), idx.has(1)]).toEqual([2, true, false]);
  });
});
