/**
 * Post/redirect/get: a form action redirects to its page with `?done=<code>` and a few
 * ids; the page turns them into a notice. Only known codes render, with only the ids
 * interpolated, so a crafted link cannot put arbitrary text on the page.
 */
import type { Notice } from './view.js';

export interface DoneQuery {
  readonly done?: string;
  readonly id?: string;
  readonly n?: string;
  readonly name?: string;
}

const MESSAGES: Readonly<Record<string, (q: DoneQuery) => string>> = {
  bank_created: (q) => `Bank ${q.name ?? ''} created.`,
  allow_list_on: (q) => `${q.name ?? ''} is an allow-list: content matching it no longer matches the banks in its scope.`,
  allow_list_off: (q) => `${q.name ?? ''} is an ordinary bank again: its content matches.`,
  thresholds_saved: (q) => `Match thresholds of ${q.name ?? ''} saved: every process applies them within seconds.`,
  added: (q) => `Added content ${q.id ?? ''}.`,
  removed: (q) => `Removed ${q.n ?? '0'} item(s).`,
  enabled: (q) => `Content ${q.id ?? ''} enabled: it matches again.`,
  disabled: (q) => `Content ${q.id ?? ''} disabled: it no longer matches.`,
  exchange_created: (q) => `Exchange ${q.name ?? ''} created, with its bank.`,
  exchange_enabled: (q) => `Fetching of ${q.name ?? ''} enabled.`,
  exchange_disabled: (q) => `Fetching of ${q.name ?? ''} disabled.`,
  fetched: () => 'Fetch run finished: see the status table.',
  released: (q) => `Content ${q.id ?? ''} released from flood quarantine: its matches are acted on again.`,
};

const safe = (v: string | undefined): string | undefined => (v !== undefined && /^[A-Za-z0-9_]{1,255}$/.test(v) ? v : undefined);

export function noticeFrom(q: DoneQuery): Notice[] {
  const message = q.done ? MESSAGES[q.done] : undefined;
  if (!message) return [];
  return [{ kind: 'ok', text: message({ id: safe(q.id), n: safe(q.n), name: safe(q.name) }) }];
}

/** The URL of a page with a done notice. */
export function doneUrl(page: string, done: string, ids: Omit<DoneQuery, 'done'> = {}): string {
  const params = new URLSearchParams({ done });
  for (const [k, v] of Object.entries(ids)) if (v !== undefined) params.set(k, String(v));
  return `${page}${page.includes('?') ? '&' : '?'}${params.toString()}`;
}

/** A same-site UI path to go back to, or the fallback (never an open redirect). */
export function backTo(raw: string | undefined, fallback: string): string {
  return raw !== undefined && raw.startsWith('/ui/') && !raw.includes('//') && !raw.includes('\\') ? raw : fallback;
}
