/**
 * NCMEC hash sharing API v2 wire format (docs/reference/exchanges.md §2.4): the entries XML, feedback
 * reasons and feedback submissions. Times are real UTC (the reference formatted local
 * time with a `Z`: docs/reference/exchanges.md §6 #3).
 */
import { malformed } from '../errors.js';
import type { Json, JsonObject } from '../types.js';
import { childNamed, childrenNamed, escapeXml, parseXml, type XmlElement } from '../xml.js';

export const NCMEC_NS = 'https://hashsharing.ncmec.org/hashsharing/v2';

export interface NcmecEntry {
  readonly type: 'image' | 'video';
  readonly deleted: boolean;
  readonly memberId: number;
  readonly memberName: string;
  readonly id: string;
  readonly timestamp: string | null;
  readonly classification: string | null;
  /** Lower-cased fingerprint tag → value; link-only fingerprints (no text) left out. */
  readonly fingerprints: Readonly<Record<string, string>>;
  readonly feedback: JsonObject | null;
}

export interface EntriesPage {
  readonly entries: readonly NcmecEntry[];
  /** Unix seconds: the latest container maxTimestamp, or null when there is none. */
  readonly maxTimestamp: number | null;
  /** Path of the next page (`/v2/entries?...`), already unescaped. */
  readonly next: string | null;
}

/** `YYYY-MM-DDTHH:MM:SSZ` in UTC. */
export function formatNcmecTime(unixS: number): string {
  return new Date(unixS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parseTime(s: string, what: string): number {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw malformed(`${what}: bad timestamp '${s}'`);
  return Math.floor(ms / 1000);
}

function memberOf(el: XmlElement, what: string): { id: number; name: string } {
  const m = childNamed(el, 'member');
  const id = Number(m?.attrs.id);
  if (!m || !Number.isSafeInteger(id)) throw malformed(`${what}: entry without a member id`);
  return { id, name: m.text };
}

const memberIds = (el: XmlElement | undefined): number[] =>
  el ? childrenNamed(el, 'member').map((m) => Number(m.attrs.id)).filter(Number.isSafeInteger) : [];

function feedbackOf(el: XmlElement | undefined): JsonObject | null {
  if (!el || el.children.length === 0) return null;
  const affirmative: Json[] = childrenNamed(el, 'affirmativeFeedback').map((a) => ({
    type: a.attrs.type ?? null,
    members: memberIds(childNamed(a, 'members')),
  }));
  const negative: Json[] = childrenNamed(el, 'negativeFeedback').map((n) => {
    const reasons = childNamed(n, 'reasons');
    return {
      type: n.attrs.type ?? null,
      reasons: reasons
        ? childrenNamed(reasons, 'reason').map((r) => ({ guid: r.attrs.guid ?? null, name: r.attrs.name ?? null, type: r.attrs.type ?? null }))
        : [],
      members: memberIds(reasons ? childNamed(reasons, 'members') : childNamed(n, 'members')),
    };
  });
  return { affirmative, negative };
}

function entryOf(el: XmlElement, what: string): NcmecEntry {
  const deleted = el.name.startsWith('deleted');
  const type = (deleted ? el.name.slice('deleted'.length) : el.name).toLowerCase();
  if (type !== 'image' && type !== 'video') throw malformed(`${what}: unexpected element <${el.name}>`);
  const member = memberOf(el, what);
  const id = childNamed(el, 'id')?.text;
  if (!id) throw malformed(`${what}: entry without an id`);
  const fingerprints: Record<string, string> = {};
  for (const f of childNamed(el, 'fingerprints')?.children ?? []) {
    if (f.text !== '') fingerprints[f.name.toLowerCase()] = f.text;
  }
  return {
    type,
    deleted,
    memberId: member.id,
    memberName: member.name,
    id,
    timestamp: childNamed(el, 'timestamp')?.text ?? null,
    classification: childNamed(el, 'classification')?.text || null,
    fingerprints,
    feedback: feedbackOf(childNamed(el, 'feedback')),
  };
}

export function parseEntries(xml: string): EntriesPage {
  const what = 'NCMEC entries';
  const root = parseXml(xml, what);
  if (root.name !== 'queryResult') throw malformed(`${what}: root is <${root.name}>, expected <queryResult>`);
  const entries: NcmecEntry[] = [];
  let maxTimestamp: number | null = null;
  for (const container of root.children) {
    if (container.name !== 'images' && container.name !== 'videos') continue;
    const ts = container.attrs.maxTimestamp;
    if (ts) maxTimestamp = Math.max(maxTimestamp ?? 0, parseTime(ts, what));
    for (const el of container.children) entries.push(entryOf(el, what));
  }
  const paging = childNamed(root, 'paging');
  const next = (paging && childNamed(paging, 'next')?.text) || null;
  return { entries, maxTimestamp, next };
}

export interface FeedbackReason {
  readonly guid: string;
  readonly name: string;
  readonly type: string;
}

/** The reasons document's root is <availableFeedbackReasons> itself (the reference looked for a child: docs/reference/exchanges.md §6 #3). */
export function parseReasons(xml: string): FeedbackReason[] {
  const what = 'NCMEC feedback reasons';
  const root = parseXml(xml, what);
  if (root.name !== 'availableFeedbackReasons') throw malformed(`${what}: root is <${root.name}>`);
  return childrenNamed(root, 'reason').map((r) => {
    if (!r.attrs.guid) throw malformed(`${what}: reason without guid`);
    return { guid: r.attrs.guid, name: r.attrs.name ?? '', type: r.attrs.type ?? '' };
  });
}

export function feedbackBody(verdict: { affirmative: true } | { affirmative: false; reasonGuid: string }): string {
  const inner = verdict.affirmative
    ? '<affirmative/>'
    : `<negative><reasonIds><guid>${escapeXml(verdict.reasonGuid)}</guid></reasonIds></negative>`;
  return `<?xml version="1.0" encoding="UTF-8"?><feedbackSubmission xmlns="${NCMEC_NS}">${inner}</feedbackSubmission>`;
}
