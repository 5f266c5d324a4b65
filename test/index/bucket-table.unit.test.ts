import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BucketTable } from '../../src/index/bucket-table.js';

/** The (other, id) pairs of a bucket, read straight from the table's arrays. */
function contents(t: BucketTable, bucket: number): string[] {
  const s = t.meta[2 * bucket];
  const n = t.meta[2 * bucket + 1];
  const out: string[] = [];
  for (let i = s; i < s + n; i++) out.push(`${t.others[i]}:${t.ids === null ? '-' : t.ids[i]}`);
  return out.sort();
}

describe('BucketTable', () => {
  it('keeps every bucket equal to a model through inserts, removals, segment moves and re-layouts', () => {
    const op = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), bucket: fc.integer({ min: 0, max: 5 }), other: fc.integer({ min: 0, max: 20 }), n: fc.integer({ min: 1, max: 400 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('removeId' as const), bucket: fc.integer({ min: 0, max: 5 }), pick: fc.nat() }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('removeOther' as const), bucket: fc.integer({ min: 0, max: 5 }), other: fc.integer({ min: 0, max: 20 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('relayout' as const), extra: fc.integer({ min: 0, max: 50 }) }) },
    );
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { minLength: 1, maxLength: 120 }), (withIds, ops) => {
        const t = new BucketTable(withIds);
        const model = new Map<number, { other: number; id: number }[]>();
        let nextId = 0;
        for (const o of ops) {
          const list = model.get('bucket' in o ? o.bucket : 0) ?? [];
          if (o.kind === 'insert') {
            for (let k = 0; k < o.n; k++) {
              const id = nextId++;
              t.insert(o.bucket, (o.other + k) & 0xffff, id);
              list.push({ other: (o.other + k) & 0xffff, id });
            }
            model.set(o.bucket, list);
          } else if (o.kind === 'removeId') {
            if (!withIds) continue;
            const victim = list.length > 0 ? list[o.pick % list.length] : undefined;
            const id = victim?.id ?? 10_000_000;
            expect(t.removeId(o.bucket, id)).toBe(victim !== undefined);
            if (victim !== undefined) list.splice(list.indexOf(victim), 1);
          } else if (o.kind === 'removeOther') {
            const i = list.findIndex((e) => e.other === o.other);
            expect(t.removeOther(o.bucket, o.other)).toBe(i >= 0);
            // Without ids, equal `other`s are interchangeable; with ids the table picks one of them.
            if (i >= 0) {
              if (withIds) {
                const left = new Set(contents(t, o.bucket));
                const gone = list.filter((e) => e.other === o.other).find((e) => !left.has(`${e.other}:${e.id}`));
                list.splice(list.indexOf(gone as { other: number; id: number }), 1);
              } else list.splice(i, 1);
            }
          } else {
            // Bulk room for `extra` entries in bucket 0, then fill it.
            const counts = new Uint32Array(1 << 16);
            counts[0] = o.extra;
            t.relayout(counts);
            const l0 = model.get(0) ?? [];
            for (let k = 0; k < o.extra; k++) {
              const id = nextId++;
              t.insert(0, k, id);
              l0.push({ other: k, id });
            }
            model.set(0, l0);
          }
        }
        let total = 0;
        for (const [bucket, list] of model) {
          total += list.length;
          expect(contents(t, bucket)).toEqual(list.map((e) => `${e.other}:${withIds ? e.id : '-'}`).sort());
        }
        expect(t.live).toBe(total);
      }),
      { numRuns: 100 },
    );
  });

  it('hands memory back after most entries are removed', () => {
    const t = new BucketTable(true);
    const fixed = new BucketTable(true).bytes();
    for (let i = 0; i < 400_000; i++) t.insert(i & 0xffff, i & 0xffff, i);
    const full = t.bytes() - fixed;
    let removed = 0;
    for (let i = 0; i < 390_000; i++) if (t.removeId(i & 0xffff, i)) removed++;
    expect(removed).toBe(390_000);
    expect(t.live).toBe(10_000);
    expect(t.bytes() - fixed).toBeLessThan(full / 3);
    for (let i = 390_000; i < 400_000; i++) expect(contents(t, i & 0xffff)).toContain(`${i & 0xffff}:${i}`);
  });
});
