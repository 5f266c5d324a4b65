import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommitWindow } from '../../src/pipeline/stage/window.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CommitWindow', () => {
  it('commits every item once, in order, as contiguous runs, one commit at a time, within its bounds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom(0, 2),
        fc.constantFrom(0, 3),
        async (delays, maxInFlight, extra, commitDelay, lingerMs, backlogLingerMs) => {
          const maxUncommitted = maxInFlight + extra;
          let inFlight = 0;
          let peak = 0;
          let committing = 0;
          let admitted = 0;
          let peakUncommitted = 0;
          const committed: number[] = [];
          const w = new CommitWindow<number, number>({
            maxInFlight,
            maxUncommitted,
            lingerMs,
            backlogLingerMs,
            process: async (i) => {
              inFlight++;
              peak = Math.max(peak, inFlight);
              await tick(delays[i]);
              inFlight--;
              return i * 10;
            },
            commit: async (items, results) => {
              expect(committing).toBe(0);
              committing++;
              expect(items[0]).toBe(committed.length);
              expect(items).toEqual(items.map((_, k) => items[0] + k));
              expect(results).toEqual(items.map((i) => i * 10));
              await tick(commitDelay);
              committed.push(...items);
              committing--;
            },
          });
          for (let i = 0; i < delays.length; i++) {
            await w.admit(i);
            admitted++;
            peakUncommitted = Math.max(peakUncommitted, admitted - committed.length);
          }
          await w.drain();
          expect(committed).toEqual(delays.map((_, i) => i));
          expect(peak).toBeLessThanOrEqual(maxInFlight);
          expect(peakUncommitted).toBeLessThanOrEqual(Math.max(maxInFlight, maxUncommitted));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps processing while a slow item holds back commits, and groups the rest', async () => {
    const commits: number[][] = [];
    const delays = [50, 0, 0, 0, 0, 0];
    const w = new CommitWindow<number, number>({
      maxInFlight: 6,
      maxUncommitted: 24,
      process: async (i) => {
        await tick(delays[i]);
        return i;
      },
      commit: async (items) => void commits.push([...items]),
    });
    for (let i = 0; i < delays.length; i++) await w.admit(i);
    await w.drain();
    expect(commits).toEqual([[0, 1, 2, 3, 4, 5]]);
  });

  it('lingers after a result is ready so that results in flight share the commit, and not when none are', async () => {
    const commits: number[][] = [];
    const w = new CommitWindow<number, number>({
      maxInFlight: 4,
      maxUncommitted: 16,
      lingerMs: 40,
      process: async (i) => {
        await tick(i * 5);
        return i;
      },
      commit: async (items) => void commits.push([...items]),
    });
    for (let i = 0; i < 4; i++) await w.admit(i);
    await w.drain();
    expect(commits).toEqual([[0, 1, 2, 3]]);
    // Alone in the window: committed at once, not after the linger.
    const alone = new CommitWindow<number, number>({ maxInFlight: 4, maxUncommitted: 16, lingerMs: 5000, process: async (i) => i, commit: async () => undefined });
    await alone.admit(0);
    expect(await Promise.race([alone.drain().then(() => 'committed'), tick(1000).then(() => 'lingering')])).toBe('committed');
  });

  it('under a backlog commits runs of a window\'s worth, or what the backlog linger collects; a trickle commits without it', async () => {
    // 12 items through a window of 3 in flight, each taking 10 ms: admission waits (a backlog).
    const run = async (backlogLingerMs: number) => {
      const sizes: number[] = [];
      const w = new CommitWindow<number, number>({
        maxInFlight: 3,
        maxUncommitted: 12,
        backlogLingerMs,
        process: async (i) => {
          await tick(10 + (i % 3));
          return i;
        },
        commit: async (items) => {
          sizes.push(items.length);
          await tick(5);
        },
      });
      for (let i = 0; i < 12; i++) await w.admit(i);
      await w.drain();
      return sizes;
    };
    const without = await run(0);
    const withBacklogLinger = await run(5000);
    expect(without.reduce((a, b) => a + b, 0)).toBe(12);
    expect(withBacklogLinger.reduce((a, b) => a + b, 0)).toBe(12);
    // While admission waits, each run is a full window's worth, committed at once instead of
    // after the 5 s linger; once the input ends, the rest goes without the backlog linger.
    expect(withBacklogLinger.slice(0, 3)).toEqual([3, 3, 3]);
    expect(withBacklogLinger.length).toBeLessThan(without.length);
    // No backlog (admission never waited): the backlog linger does not apply.
    const alone = new CommitWindow<number, number>({ maxInFlight: 4, maxUncommitted: 16, backlogLingerMs: 5000, process: async (i) => { await tick(i * 5); return i; }, commit: async () => undefined });
    for (let i = 0; i < 2; i++) await alone.admit(i);
    expect(await Promise.race([alone.drain().then(() => 'committed'), tick(1000).then(() => 'lingering')])).toBe('committed');
  });

  it('a window that filled for a moment commits without the backlog linger once no input waits', async () => {
    // Item 0 is quick, 1 and 2 slow (a shared hash pool busy elsewhere); item 3 waits for room,
    // then the input ends. Item 0 must not wait the 5 s backlog linger, nor for 1 and 2.
    const commits: Array<{ at: number; items: number[] }> = [];
    const t0 = Date.now();
    const w = new CommitWindow<number, number>({
      maxInFlight: 3,
      maxUncommitted: 12,
      lingerMs: 0,
      backlogLingerMs: 5000,
      process: async (i) => {
        await tick(i === 1 || i === 2 ? 400 : 5);
        return i;
      },
      commit: async (items) => {
        commits.push({ at: Date.now() - t0, items: [...items] });
      },
    });
    for (let i = 0; i < 4; i++) await w.admit(i);
    await w.drain();
    expect(commits.flatMap((c) => c.items)).toEqual([0, 1, 2, 3]);
    expect(commits[0].items).toEqual([0]);
    expect(commits[0].at).toBeLessThan(200);
    expect(commits.at(-1)!.at).toBeLessThan(1500);
  });

  it('makes admission wait while the uncommitted bound is reached (back-pressure)', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const w = new CommitWindow<number, number>({
      maxInFlight: 2,
      maxUncommitted: 3,
      process: async (i) => i,
      commit: async () => gate,
    });
    for (let i = 0; i < 3; i++) await w.admit(i);
    let fourth = false;
    const admitting = w.admit(3).then(() => (fourth = true));
    await tick(20);
    expect(fourth).toBe(false);
    release();
    await admitting;
    expect(fourth).toBe(true);
    await w.drain();
  });

  it('fails once on a failed commit: nothing is committed later, admit and drain reject', async () => {
    let calls = 0;
    const failures: unknown[] = [];
    const w = new CommitWindow<number, number>({
      maxInFlight: 2,
      maxUncommitted: 8,
      process: async (i) => {
        await tick(2);
        return i;
      },
      commit: async () => {
        calls++;
        throw new Error('fenced');
      },
      onFailure: (err) => failures.push(err),
    });
    await w.admit(0);
    await expect(w.drain()).rejects.toThrow('fenced');
    await expect(w.admit(1)).rejects.toThrow('fenced');
    await tick(10);
    expect(calls).toBe(1);
    expect(failures).toHaveLength(1);
    expect(w.error).toBeInstanceOf(Error);
  });

  it('commits nothing more once closed, and drain then resolves at once', async () => {
    const committed: number[] = [];
    const w = new CommitWindow<number, number>({
      maxInFlight: 2,
      maxUncommitted: 8,
      process: async (i) => {
        await tick(20);
        return i;
      },
      commit: async (items) => void committed.push(...items),
    });
    await w.admit(0);
    w.close();
    await w.drain();
    await tick(40);
    expect(committed).toEqual([]);
    await expect(w.admit(1)).rejects.toThrow('closed');
  });
});
