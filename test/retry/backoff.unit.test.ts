import { describe, expect, it } from 'vitest';
import { backoffDelayMs, sleep } from '../../src/retry/backoff.js';

describe('the one backoff rule', () => {
  it('doubles from the base per retry, up to the cap', () => {
    const b = { baseMs: 100, capMs: 1000, jitter: 'none' } as const;
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelayMs(b, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
    // Retry 0 (or less) is read as the first retry.
    expect(backoffDelayMs(b, 0)).toBe(100);
  });

  it('full jitter spans [0, ceiling), equal jitter [ceiling/2, ceiling)', () => {
    const full = { baseMs: 100, capMs: Infinity, jitter: 'full' } as const;
    const equal = { baseMs: 100, capMs: Infinity, jitter: 'equal' } as const;
    expect([backoffDelayMs(full, 3, () => 0), backoffDelayMs(full, 3, () => 0.5)]).toEqual([0, 200]);
    expect([backoffDelayMs(equal, 3, () => 0), backoffDelayMs(equal, 3, () => 1)]).toEqual([200, 400]);
  });

  it('sleep ends early, rejecting, when its signal aborts', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    const slept = sleep(60_000, ac.signal);
    ac.abort(new Error('stopping'));
    await expect(slept).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});
