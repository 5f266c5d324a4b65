/**
 * The "Matches over time" panel of the dashboard and of each bank page: a small chart of
 * matches per bank (inline SVG), the entries that match most, and the entries under flood
 * quarantine with their release button. A flood shows here before it is quarantined.
 * Read from the flood counter's per-minute counts (src/pipeline/flood/).
 */
import type { Db } from '../../curation/db.js';
import { listQuarantined, matchesPerMinuteByBank, topMatchingEntries, type MinuteCount } from '../../curation/flood.js';
import { formatUtc } from './format.js';

/** The charts cover the last 6 hours, 5 minutes a point. */
const SPAN_MS = 6 * 3_600_000;
const STEP_MS = 5 * 60_000;
const TOP = 10;
const WIDTH = 240;
const HEIGHT = 40;

export interface BankChart {
  readonly bankId: number;
  readonly bankName: string;
  readonly total: number;
  readonly peak: number;
  /** SVG polyline points, WIDTH × HEIGHT. */
  readonly points: string;
}

export interface FloodPanel {
  readonly spanHours: number;
  readonly charts: readonly BankChart[];
  readonly top: ReadonlyArray<{ readonly contentId: number; readonly bankName: string; readonly matches: number; readonly quarantined: boolean }>;
  readonly quarantined: ReadonlyArray<{ readonly contentId: number; readonly bankName: string; readonly since: string; readonly windowMatches: number; readonly baseline: string }>;
  readonly width: number;
  readonly height: number;
}

/** Per-minute counts → a polyline of one point per STEP over [from, from + SPAN). Pure. */
export function sparkline(counts: readonly MinuteCount[], from: number): { points: string; total: number; peak: number } {
  const steps = Math.ceil(SPAN_MS / STEP_MS);
  const sums = new Array<number>(steps).fill(0);
  let total = 0;
  for (const c of counts) {
    const i = Math.floor((c.at.getTime() - from) / STEP_MS);
    if (i < 0 || i >= steps) continue;
    sums[i]! += c.matches;
    total += c.matches;
  }
  const peak = Math.max(0, ...sums);
  const x = (i: number) => ((i / (steps - 1)) * WIDTH).toFixed(1);
  const y = (v: number) => (HEIGHT - 1 - (peak === 0 ? 0 : (v / peak) * (HEIGHT - 2))).toFixed(1);
  return { points: sums.map((v, i) => `${x(i)},${y(v)}`).join(' '), total, peak };
}

/** The panel for every bank (dashboard) or one bank (its page). */
export async function floodPanel(db: Db, opts: { readonly bankId?: number; readonly bankName?: string; readonly now?: number } = {}): Promise<FloodPanel> {
  const now = opts.now ?? Date.now();
  const from = Math.floor((now - SPAN_MS) / STEP_MS) * STEP_MS + STEP_MS;
  const since = new Date(from);
  const [perBank, top, quarantined] = await Promise.all([
    matchesPerMinuteByBank(db, since, opts.bankId),
    topMatchingEntries(db, since, TOP, opts.bankId),
    listQuarantined(db, opts.bankName),
  ]);
  const charts = [...perBank.entries()]
    .map(([bankId, bank]) => ({ bankId, bankName: bank.name, ...sparkline(bank.counts, from) }))
    .sort((a, b) => b.total - a.total || a.bankName.localeCompare(b.bankName));
  return {
    spanHours: SPAN_MS / 3_600_000,
    charts,
    top,
    quarantined: quarantined.map((q) => ({
      contentId: q.contentId,
      bankName: q.bankName,
      since: formatUtc(q.quarantinedAt.getTime()),
      windowMatches: q.windowMatches,
      baseline: q.baselinePerWindow.toFixed(1),
    })),
    width: WIDTH,
    height: HEIGHT,
  };
}
