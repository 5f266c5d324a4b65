/**
 * "Find content in banks" (HMA's /ui/query*) and "find in one bank" (removal, HMA's
 * /ui/bank/<b>/content/find): the matcher's lookup over this process's replica, each
 * match completed with the content's stored signal, metadata and note from curation.
 */
import { HmaError } from '../../errors/errors.js';
import type { Db } from '../../curation/db.js';
import { findContent } from '../../curation/content-store.js';
import { drawCoinflip } from '../../matching/coinflip.js';
import type { LookupService } from '../../matching/lookup-service.js';
import type { ContentMatch } from '../../replica/replica.js';

/** What the UI needs of the matching part of its process. */
export interface UiMatching {
  readonly lookups: LookupService;
  readonly isReady: () => boolean;
  /** Read-your-writes: waits (bounded) until this process's own writes are matchable. */
  readonly beforeLookup: () => Promise<void>;
}

export interface FoundMatch {
  readonly bank_name: string;
  readonly content_id: number;
  readonly distance: string;
  readonly signal_type: string;
  readonly signal_value: string;
  readonly metadata?: { content_id?: string; content_uri?: string; json?: Readonly<Record<string, unknown>> };
  readonly note?: string;
}

/** A match an allow-list bank suppressed, and the allow-list entry that did. */
export interface SuppressedMatch {
  readonly bank_name: string;
  readonly content_id: number;
  readonly signal_type: string;
  readonly distance: string;
  readonly allow_list_bank: string;
  readonly allow_list_content_id: number;
}

export interface FindResult {
  readonly hashes: Record<string, string>;
  readonly banks: string[];
  readonly matches: FoundMatch[];
  /** Present only when an allow-list suppressed something (HMA's helper shape otherwise). */
  readonly suppressed?: SuppressedMatch[];
}

/** Matches per query shown at most (a PDQ radius over a huge bank could return thousands). */
export const MAX_SHOWN_MATCHES = 200;

export function requireMatching(m: UiMatching | undefined): UiMatching {
  if (!m) throw new HmaError('not_ready', 'this process has no matcher role: lookups are unavailable');
  if (!m.isReady()) throw new HmaError('not_ready', 'index not yet ready');
  return m;
}

/** HMA's order: numeric distance ascending, non-numeric ("-") last. */
export function byDistance(a: { distance: string }, b: { distance: string }): number {
  const da = Number(a.distance);
  const db = Number(b.distance);
  const na = Number.isFinite(da) && a.distance !== '-';
  const nb = Number.isFinite(db) && b.distance !== '-';
  if (na && nb) return da - db;
  return na ? -1 : nb ? 1 : 0;
}

async function describe(db: Db, lookups: LookupService, type: string, value: string, m: ContentMatch): Promise<FoundMatch> {
  const content = await findContent(db, m.contentId);
  const metadata: NonNullable<FoundMatch['metadata']> = {};
  if (content?.platform_content_id) metadata.content_id = content.platform_content_id;
  if (content?.metadata?.content_uri) metadata.content_uri = content.metadata.content_uri;
  if (content?.metadata?.json) metadata.json = content.metadata.json;
  return {
    bank_name: m.bank.name,
    content_id: m.contentId,
    distance: lookups.distanceText(lookups.rule(type), m.distance),
    signal_type: type,
    signal_value: content?.signals[type] ?? value,
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    ...(content?.note ? { note: content.note } : {}),
  };
}

/**
 * Looks every signal up (an empty value, e.g. a low-quality PDQ, is skipped). Without
 * bypass each signal type draws its own coinflip, as /m/lookup does.
 */
export async function findInBanks(
  db: Db,
  matching: UiMatching | undefined,
  hashes: Record<string, string>,
  opts: { bypassRatio: boolean; banks?: readonly string[] },
): Promise<FindResult> {
  const m = requireMatching(matching);
  await m.beforeLookup();
  const hits: Array<{ type: string; value: string; match: ContentMatch }> = [];
  const suppressed: SuppressedMatch[] = [];
  for (const [type, value] of Object.entries(hashes)) {
    if (value === '') continue;
    const coinflip = opts.bypassRatio ? 0 : drawCoinflip();
    const found = m.lookups.lookup(type, value, { coinflip, banks: opts.banks });
    for (const match of found.matches) hits.push({ type, value, match });
    for (const x of found.suppressed) {
      suppressed.push({
        bank_name: x.match.bank.name, content_id: x.match.contentId, signal_type: type,
        distance: m.lookups.distanceText(m.lookups.rule(type), x.match.distance),
        allow_list_bank: x.by.bank.name, allow_list_content_id: x.by.contentId,
      });
    }
  }
  // Exact types report distance 0 here and sort first; HMA's order is restored below.
  hits.sort((a, b) => a.match.distance - b.match.distance);
  const shown = hits.slice(0, MAX_SHOWN_MATCHES);
  const matches = (await Promise.all(shown.map((h) => describe(db, m.lookups, h.type, h.value, h.match)))).sort(byDistance);
  return {
    hashes, banks: [...new Set(matches.map((x) => x.bank_name))].sort(), matches,
    ...(suppressed.length > 0 ? { suppressed: suppressed.sort(byDistance) } : {}),
  };
}

/**
 * Content of one bank holding exactly these signals, enabled or not (for removal:
 * a near PDQ match is not "this hash").
 */
export async function exactContentIds(
  matching: UiMatching | undefined,
  bank: string,
  hashes: Record<string, string>,
): Promise<Array<{ signal_type: string; signal_value: string; content_id: number; distance: string }>> {
  const m = requireMatching(matching);
  await m.beforeLookup();
  const out: Array<{ signal_type: string; signal_value: string; content_id: number; distance: string }> = [];
  for (const [type, value] of Object.entries(hashes)) {
    if (value === '') continue;
    const rule = m.lookups.rule(type);
    for (const hit of m.lookups.raw(type, value, [bank], 0)) {
      out.push({ signal_type: type, signal_value: value, content_id: hit.contentId, distance: m.lookups.distanceText(rule, hit.distance) });
    }
  }
  return out;
}
