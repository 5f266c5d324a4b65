/**
 * The one retry/backoff rule: exponential delays from a base, capped, with a choice of
 * jitter. Used by the stage runner, the actioner's webhooks, the exchange HTTP client and
 * the fetcher's schedule, which differ only in their base, cap and jitter. Pure but for `sleep`.
 */
import { setTimeout as delay } from 'node:timers/promises';

/**
 * none: the ceiling itself (retries inside one process, in order);
 * full: uniform in [0, ceiling) (many clients of one server spread out);
 * equal: half fixed, half random (spread out, but never retry almost at once).
 */
export type Jitter = 'none' | 'full' | 'equal';

export interface Backoff {
  /** The delay before the first retry (its ceiling, with jitter). */
  readonly baseMs: number;
  /** No delay is longer than this. */
  readonly capMs: number;
  readonly jitter: Jitter;
}

/** The delay before retry number `retry` (1 = the first retry): base doubled per retry, capped, jittered. */
export function backoffDelayMs(b: Backoff, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(b.capMs, b.baseMs * 2 ** (Math.max(1, retry) - 1));
  switch (b.jitter) {
    case 'none':
      return ceiling;
    case 'full':
      return random() * ceiling;
    case 'equal':
      return ceiling / 2 + random() * (ceiling / 2);
  }
}

/** Waits `ms`; rejects with the signal's reason if it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : undefined);
}
