/**
 * Pure formatting for the pages. HMA's "Last fetch" formatter rendered every age as
 * "0s" (docs/reference/hma-api.md Appendix B #8); this one gives the two largest units, e.g. "3m 20s".
 */

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
];

/** A duration in whole seconds as its two largest non-zero units: "0s", "45s", "3m 20s", "2h", "1d 4h". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 1) return '0s';
  let rest = Math.floor(seconds);
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    if (parts.length === 2) break;
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
    else if (parts.length > 0) break; // "1h 0m 5s" reads better as "1h"
  }
  return parts.join(' ');
}

/** "3m 20s ago" for a past Unix time (seconds); "in 5s" for a future one (clock skew). */
export function ago(unixSeconds: number, nowSeconds: number): string {
  const d = nowSeconds - unixSeconds;
  return d >= 0 ? `${formatDuration(d)} ago` : `in ${formatDuration(-d)}`;
}

/** 12345 → "12,345". */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** A ratio in [0, 1] as a percentage, without useless decimals: 1 → "100%", 0.125 → "12.5%". */
export function formatPercent(ratio: number): string {
  const pct = Math.round(ratio * 1000) / 10;
  return `${pct}%`;
}

/** An ISO date-time in UTC without milliseconds, for tooltips: "2025-06-01 12:00:00 UTC". */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
