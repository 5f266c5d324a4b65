/** When to fetch an exchange next, from how its last run ended. Pure. */
import { backoffDelayMs } from '../../retry/backoff.js';

export type RunOutcome =
  | { readonly kind: 'done'; readonly upToDate: boolean; readonly items: number }
  /** Another fetcher holds the exchange's lease. */
  | { readonly kind: 'busy' }
  /** The exchange was deleted or disabled under the fetch. */
  | { readonly kind: 'stopped' }
  | { readonly kind: 'failed'; readonly error: string; readonly retryAfterMs?: number };

export interface ScheduleSettings {
  readonly intervalMs: number;
  /** How soon to try again when another fetcher holds the lease (it may have died). */
  readonly leaseRetryMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

/** Exponential back-off with "equal jitter": half fixed, half random, so fetchers spread out. */
export function backoffMs(failures: number, s: ScheduleSettings, random: () => number = Math.random): number {
  return backoffDelayMs({ baseMs: s.backoffBaseMs, capMs: s.backoffMaxMs, jitter: 'equal' }, failures, random);
}

/** Delay before the next run; `failures` counts consecutive failures including this outcome. */
export function nextDelayMs(outcome: RunOutcome, failures: number, s: ScheduleSettings, random: () => number = Math.random): number {
  switch (outcome.kind) {
    case 'done':
      // A run cut by the time limit continues at once.
      return outcome.upToDate ? s.intervalMs : 0;
    case 'busy':
      return s.leaseRetryMs;
    case 'stopped':
      return s.intervalMs;
    case 'failed':
      // Never sooner than the server asked.
      return Math.max(outcome.retryAfterMs ?? 0, backoffMs(failures, s, random));
  }
}
