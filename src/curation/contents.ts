/** Bank content use cases: validation, one transaction each, HMA's messages. */
import { invalidInput, notFound } from '../errors/errors.js';
import { bankNotFound } from './banks.js';
import { findBank } from './bank-store.js';
import type { Bank } from './bank-store.js';
import {
  parseDisableUntil,
  parseLabels,
  parseMetadata,
  parseNote,
  parsePlatformContentId,
  type ContentMetadata,
} from './content-fields.js';
import * as store from './content-store.js';
import type { Content, ContentPage } from './content-store.js';
import { withReadTx, withWriteTx, type Db, type Queryable } from './db.js';
import { decodePageToken, encodePageToken, type ListOrder } from './page-token.js';
import type { SignalTypeRegistry } from '../signals/registry.js';
import { normalizeSignal } from './signal-types.js';

export type { Content } from './content-store.js';

/** Optional fields of an add, as given by the client (absent ≠ empty for copies). */
export interface ContentExtras {
  readonly metadata?: ContentMetadata;
  readonly note?: string | null;
  readonly reviewLabels?: readonly string[];
}

/** Keys of POST /c/bank/<b>/signal bodies that are not signal types. */
export const EXTRA_FIELDS = ['note', 'metadata', 'platform_content_id', 'review_labels'] as const;

export function parseExtras(body: Readonly<Record<string, unknown>>): ContentExtras {
  const metadata = parseMetadata(body.metadata);
  const platformId = parsePlatformContentId(body.platform_content_id, metadata);
  const merged = platformId === undefined ? metadata : { ...metadata, content_id: platformId };
  return {
    metadata: merged,
    note: 'note' in body ? parseNote(body.note) : undefined,
    reviewLabels: 'review_labels' in body ? parseLabels(body.review_labels, 'review_labels') : undefined,
  };
}

export interface Added {
  readonly id: number;
  readonly signals: Readonly<Record<string, string>>;
}

function normalizeAll(types: SignalTypeRegistry, raw: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [type, value] of Object.entries(raw)) out[type] = normalizeSignal(types, type, value);
  if (Object.keys(out).length === 0) throw invalidInput('No signals given');
  return out;
}

async function bankOr404(q: Queryable, name: string): Promise<Bank> {
  const bank = await findBank(q, name);
  if (!bank) throw bankNotFound(name);
  return bank;
}

/** POST /c/bank/<b>/signal: every key but the extras is a signal type. */
export async function addSignals(db: Db, types: SignalTypeRegistry, bankName: string, body: Readonly<Record<string, unknown>>): Promise<Added> {
  await bankOr404(db, bankName); // HMA answers 404 before looking at the body
  const raw = Object.fromEntries(
    Object.entries(body).filter(([k]) => !(EXTRA_FIELDS as readonly string[]).includes(k)),
  );
  return addContent(db, types, bankName, raw, parseExtras(body));
}

/** Adds one content item carrying the given signals (hashed media or explicit signals). */
export async function addContent(
  db: Db,
  types: SignalTypeRegistry,
  bankName: string,
  rawSignals: Readonly<Record<string, unknown>>,
  extras: ContentExtras,
): Promise<Added> {
  const signals = normalizeAll(types, rawSignals);
  return withWriteTx(db, async (tx) => {
    const bank = await bankOr404(tx, bankName);
    const id = await store.insertContent(tx, {
      bankId: bank.id,
      signals,
      metadata: extras.metadata,
      note: extras.note,
      reviewLabels: extras.reviewLabels,
    });
    return { id, signals };
  });
}

/** Adds a copy of existing content (any bank) to this bank; extras given override the copy's. */
export async function addExistingContent(db: Db, bankName: string, sourceId: number, extras: ContentExtras): Promise<Added> {
  return withWriteTx(db, async (tx) => {
    const bank = await bankOr404(tx, bankName);
    const source = await store.findContent(tx, sourceId);
    if (!source) throw notFound(`content '${sourceId}' not found`);
    if (Object.keys(source.signals).length === 0) throw invalidInput(`content '${sourceId}' has no signals`);
    const sourceMeta: ContentMetadata | undefined =
      source.platform_content_id !== null || source.metadata !== null
        ? { ...(source.platform_content_id !== null ? { content_id: source.platform_content_id } : {}), ...source.metadata }
        : undefined;
    const id = await store.insertContent(tx, {
      bankId: bank.id,
      signals: source.signals,
      metadata: extras.metadata ?? sourceMeta,
      note: extras.note !== undefined ? extras.note : source.note,
      reviewLabels: extras.reviewLabels ?? source.review_labels,
    });
    return { id, signals: source.signals };
  });
}

const contentNotFound = (id: number) => notFound(`content '${id}' not found`);

/** HMA checks only that the bank exists; we also check the content is in it (Appendix B #5). */
async function contentInBank(q: Queryable, bankName: string, id: number, lock = false): Promise<{ bank: Bank; content: Content }> {
  const bank = await bankOr404(q, bankName);
  const content = await store.findContent(q, id, lock);
  if (!content) throw contentNotFound(id);
  if (content.bank_id !== bank.id) throw notFound(`content '${id}' not found in bank '${bankName}'`);
  return { bank, content };
}

export function getContent(db: Db, bankName: string, id: number): Promise<{ bank: Bank; content: Content }> {
  return withReadTx(db, (tx) => contentInBank(tx, bankName, id));
}

export async function updateContent(
  db: Db,
  bankName: string,
  id: number,
  body: Readonly<Record<string, unknown>>,
  nowS: number,
): Promise<{ bank: Bank; content: Content }> {
  const disableUntil = body.disable_until_ts === undefined ? undefined : parseDisableUntil(body.disable_until_ts, nowS);
  const note = 'note' in body ? parseNote(body.note) : undefined;
  return withWriteTx(db, async (tx) => {
    await contentInBank(tx, bankName, id, true);
    await store.updateContent(tx, id, { disableUntil, note });
    return contentInBank(tx, bankName, id);
  });
}

/** Returns rows deleted: 0 when the content does not exist (as HMA), 404 when it is in another bank. */
export async function deleteContent(db: Db, bankName: string, id: number): Promise<number> {
  return withWriteTx(db, async (tx) => {
    const bank = await bankOr404(tx, bankName);
    const content = await store.findContent(tx, id, true);
    if (!content) return 0;
    if (content.bank_id !== bank.id) throw notFound(`content '${id}' not found in bank '${bankName}'`);
    return store.deleteContent(tx, id);
  });
}

export interface ListedPage {
  readonly bank: Bank;
  readonly items: ContentPage['items'];
  readonly nextPageToken: string | null;
}

export async function listContent(
  db: Db,
  bankName: string,
  opts: { pageSize: number; pageToken?: string; order: ListOrder },
): Promise<ListedPage> {
  const after = opts.pageToken ? decodePageToken(opts.pageToken, opts.order) : undefined;
  return withReadTx(db, async (tx) => {
    const bank = await bankOr404(tx, bankName);
    const page = await store.listContent(tx, bank.id, { limit: opts.pageSize, after, descending: opts.order === 'desc' });
    const last = page.items.at(-1);
    return { bank, items: page.items, nextPageToken: page.more && last ? encodePageToken(last.cursor, opts.order) : null };
  });
}
