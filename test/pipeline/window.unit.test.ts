import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runWindow } from '../../src/pipeline/stage/window.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runWindow', () => {
  it('commits every item once, in order, as contiguous prefixes, never exceeding maxInFlight', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 3 }),
        async (delays, maxInFlight, commitDelay) => {
          let inFlight = 0;
          let peak = 0;
          let committing = 0;
          const committed: number[] = [];
          const n = await runWindow({
            items: delays,
            maxInFlight,
            process: async (d, i) => {
              inFlight++;
              peak = Math.max(peak, inFlight);
              await tick(d);
              inFlight--;
              return i;
            },
            commit: async (results, from) => {
              expect(committing).toBe(0);
              committing++;
              expect(results).toEqual(results.map((_, k) => from + k));
              expect(from).toBe(committed.length);
              await tick(commitDelay);
              committed.push(...results);
              committing--;
            },
          });
          expect(n).toBe(delays.length);
          expect(committed).toEqual(delays.map((_, i) => i));
          expect(peak).toBeLessThanOrEqual(maxInFlight);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps processing while a slow item holds back commits, and groups the rest', async () => {
    const commits: number[][] = [];
    await runWindow({
      items: [50, 0, 0, 0, 0, 0],
      maxInFlight: 6,
      process: async (d, i) => {
        await tick(d);
        return i;
      },
      commit: async (results) => void commits.push([...results]),
    });
    expect(commits).toEqual([[0, 1, 2, 3, 4, 5]]);
  });

  it('stops taking items when told, and commits what it started', async () => {
    let stop = false;
    const committed: number[] = [];
    const n = await runWindow({
      items: Array.from({ length: 20 }, (_, i) => i),
      maxInFlight: 2,
      stopTaking: () => stop,
      process: async (i) => {
        if (i === 3) stop = true;
        await tick(1);
        return i;
      },
      commit: async (results) => void committed.push(...results),
    });
    expect(n).toBeGreaterThanOrEqual(4);
    expect(n).toBeLessThan(20);
    expect(committed).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('rethrows a failed commit after in-flight work settles, committing nothing later', async () => {
    let calls = 0;
    const done: number[] = [];
    await expect(
      runWindow({
        items: [0, 1, 2, 3, 4, 5, 6, 7],
        maxInFlight: 2,
        process: async (i) => {
          await tick(2);
          done.push(i);
          return i;
        },
        commit: async () => {
          calls++;
          throw new Error('fenced');
        },
      }),
    ).rejects.toThrow('fenced');
    expect(calls).toBe(1);
    expect(done.length).toBeLessThan(8);
  });

  it('resolves at once for an empty batch', async () => {
    expect(await runWindow({ items: [], maxInFlight: 3, process: async () => 1, commit: async () => undefined })).toBe(0);
  });
});
