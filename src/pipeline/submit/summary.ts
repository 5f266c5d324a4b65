/** Plain-text tables of submission outcomes for `hma submit --wait` and `hma scan` (pure). */
import type { Outcome } from './results-watcher.js';

export interface Submitted {
  /** What the user named: a file path or a URL. */
  readonly item: string;
  readonly submissionId: string;
}

export interface Tally {
  readonly total: number;
  readonly matched: number;
  readonly notMatched: number;
  readonly failed: number;
  readonly pending: number;
  readonly failedByReason: ReadonlyMap<string, number>;
}

export function tally(items: readonly Submitted[], outcomes: ReadonlyMap<string, Outcome>): Tally {
  let matched = 0;
  let notMatched = 0;
  let failed = 0;
  const failedByReason = new Map<string, number>();
  for (const it of items) {
    const o = outcomes.get(it.submissionId);
    if (!o) continue;
    if (o.kind === 'failed') {
      failed++;
      failedByReason.set(o.deadLetter.reason, (failedByReason.get(o.deadLetter.reason) ?? 0) + 1);
    } else if (o.result.matched) matched++;
    else notMatched++;
  }
  return { total: items.length, matched, notMatched, failed, pending: items.length - matched - notMatched - failed, failedByReason };
}

/** Left-aligned columns separated by two spaces. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** One row per item: its outcome, and for matches the banks, labels and best distance. */
export function outcomeRows(items: readonly Submitted[], outcomes: ReadonlyMap<string, Outcome>, onlyNotable = false): string[][] {
  const rows: string[][] = [];
  for (const it of items) {
    const o = outcomes.get(it.submissionId);
    if (!o) {
      rows.push([it.item, 'pending', '', '', '']);
    } else if (o.kind === 'failed') {
      rows.push([it.item, `failed: ${o.deadLetter.reason}`, '', '', o.deadLetter.message]);
    } else if (o.result.matched) {
      const banks = [...new Set(o.result.matches.map((m) => m.bank_name))].join(',');
      const labels = [...new Set(o.result.matches.flatMap((m) => m.bank_labels))].join(',');
      const best = Math.min(...o.result.matches.map((m) => m.distance));
      rows.push([it.item, 'MATCH', banks, labels, `distance ${best}`]);
    } else if (!onlyNotable) {
      rows.push([it.item, 'no match', '', '', '']);
    }
  }
  return rows;
}

export const OUTCOME_HEADER = ['item', 'outcome', 'banks', 'labels', 'detail'] as const;

export function summaryText(t: Tally, seconds: number): string {
  const reasons = [...t.failedByReason].map(([r, n]) => `${r} ${n}`).join(', ');
  return [
    `${t.total} submitted in ${seconds.toFixed(1)} s: ${t.matched} matched, ${t.notMatched} not matched, ${t.failed} failed${reasons ? ` (${reasons})` : ''}` +
      (t.pending > 0 ? `, ${t.pending} without an outcome yet` : ''),
  ].join('\n');
}

/** An outcome as plain JSON (dead letters without the original bytes). */
export function outcomeJson(o: Outcome | undefined): unknown {
  if (!o) return null;
  if (o.kind === 'result') return { kind: 'result', ...o.result };
  const { original_value: _bytes, ...rest } = o.deadLetter;
  return { kind: 'failed', ...rest };
}
