/**
 * Recording review results (HMA's documented "someday" feedback): each reviewed item
 * keeps its review, and items fetched from an exchange report upstream what the
 * exchange's flags ask for — seen, and a true positive (harmful) or false positive
 * (not harmful). A flag the exchange's API cannot honour is a 400 before anything is
 * stored; an upstream failure after storing is reported per item, the review stays.
 */
import { withWriteTx } from '../curation/db.js';
import { findExchange, type Exchange } from '../curation/exchange-store.js';
import { parseLabels } from '../curation/content-fields.js';
import { HmaError, invalidInput, notFound } from '../errors/errors.js';
import { log } from '../observability/logger.js';
import { openExchange, type ExchangeDeps, type ExchangeSession } from './session.js';
import { recordsOfContent, type RecordDetail } from './store/records.js';
import { existingContent, insertReviews, type Verdict } from './store/reviews.js';
import type { FeedbackKind } from './types.js';

const logger = log('exchanges');
const MAX_ITEMS = 1000;

export interface ReviewInput {
  readonly content_ids?: unknown;
  readonly verdict?: unknown;
  readonly labels?: unknown;
  readonly reviewer?: unknown;
  readonly send_feedback?: unknown;
}

export interface FeedbackResult {
  readonly exchange: string;
  readonly record_id: string;
  readonly kind: FeedbackKind;
  readonly status: 'sent' | 'skipped' | 'failed';
  readonly reason?: string;
}

export interface ReviewResult {
  readonly content_id: number;
  readonly review_id: number;
  readonly feedback: readonly FeedbackResult[];
}

interface Parsed {
  readonly ids: number[];
  readonly verdict: Verdict;
  readonly labels: string[] | undefined;
  readonly reviewer: string | null;
  readonly sendFeedback: boolean;
}

function parse(input: ReviewInput): Parsed {
  const ids = input.content_ids;
  if (!Array.isArray(ids) || ids.length === 0) throw invalidInput('content_ids should be a non-empty list of content ids');
  if (ids.length > MAX_ITEMS) throw invalidInput(`at most ${MAX_ITEMS} content_ids per request`);
  if (!ids.every((i) => Number.isSafeInteger(i) && (i as number) > 0)) throw invalidInput('content_ids should be positive integers');
  if (input.verdict !== 'harmful' && input.verdict !== 'not_harmful') throw invalidInput("verdict should be 'harmful' or 'not_harmful'");
  if (input.reviewer !== undefined && input.reviewer !== null && (typeof input.reviewer !== 'string' || input.reviewer.length > 255)) {
    throw invalidInput('reviewer should be a string of at most 255 characters');
  }
  if (input.send_feedback !== undefined && typeof input.send_feedback !== 'boolean') throw invalidInput('send_feedback should be a boolean');
  return {
    ids: [...new Set(ids as number[])],
    verdict: input.verdict,
    labels: input.labels === undefined ? undefined : parseLabels(input.labels, 'labels'),
    reviewer: typeof input.reviewer === 'string' ? input.reviewer : null,
    sendFeedback: input.send_feedback !== false,
  };
}

const FLAG: Readonly<Record<FeedbackKind, 'report_seen' | 'report_true_positive' | 'report_false_positive'>> = {
  seen: 'report_seen',
  true_positive: 'report_true_positive',
  false_positive: 'report_false_positive',
};

interface Planned {
  readonly record: RecordDetail;
  readonly session: ExchangeSession;
  readonly kind: FeedbackKind;
}

export async function recordReviews(deps: ExchangeDeps, input: ReviewInput): Promise<ReviewResult[]> {
  const p = parse(input);
  const present = await existingContent(deps.pool, p.ids);
  const missing = p.ids.find((id) => !present.has(id));
  if (missing !== undefined) throw notFound(`content '${missing}' not found`);

  const records = await recordsOfContent(deps.pool, p.ids);
  const exchanges = new Map<string, { exchange: Exchange; session: ExchangeSession }>();
  const planned = new Map<number, Planned[]>();
  const skipped = new Map<number, FeedbackResult[]>();
  const verdictKind: FeedbackKind = p.verdict === 'harmful' ? 'true_positive' : 'false_positive';
  const signal = new AbortController().signal;

  for (const [contentId, record] of records) {
    if (!p.sendFeedback) continue;
    let entry = exchanges.get(record.exchange);
    if (!entry) {
      const exchange = await findExchange(deps.pool, record.exchange);
      if (!exchange) continue;
      let session: ExchangeSession;
      try {
        session = await openExchange(deps, exchange, signal);
      } catch (err) {
        throw invalidInput(`exchange '${exchange.name}' cannot take feedback: ${(err as Error).message}`);
      }
      entry = { exchange, session };
      exchanges.set(record.exchange, entry);
    }
    const { exchange, session } = entry;
    for (const kind of ['seen', verdictKind] as const) {
      if (!exchange[FLAG[kind]]) {
        if (kind !== 'seen') {
          const reason = `${FLAG[kind]} is off for exchange '${exchange.name}'`;
          skipped.set(contentId, [...(skipped.get(contentId) ?? []), { exchange: exchange.name, record_id: record.key, kind, status: 'skipped', reason }]);
        }
        continue;
      }
      if (!session.type.feedbackKinds.includes(kind)) {
        throw invalidInput(
          `exchange '${exchange.name}' (${exchange.api}) cannot take ${kind} feedback; turn ${FLAG[kind]} off or review without send_feedback`,
        );
      }
      planned.set(contentId, [...(planned.get(contentId) ?? []), { record, session, kind }]);
    }
  }

  const reviewIds = await withWriteTx(deps.pool, (tx) => insertReviews(tx, p.ids, p));

  const results: ReviewResult[] = [];
  for (const contentId of p.ids) {
    const feedback: FeedbackResult[] = [...(skipped.get(contentId) ?? [])];
    for (const { record, session, kind } of planned.get(contentId) ?? []) {
      const base = { exchange: record.exchange, record_id: record.key, kind };
      try {
        await session.type.sendFeedback(session.config, session.credentials, record, { kind, labels: p.labels ?? [] }, session.ctx);
        feedback.push({ ...base, status: 'sent' });
      } catch (err) {
        if (!(err instanceof HmaError)) logger.error({ err, exchange: record.exchange }, 'feedback failed');
        feedback.push({ ...base, status: 'failed', reason: err instanceof HmaError ? err.message : 'internal error' });
      }
    }
    results.push({ content_id: contentId, review_id: reviewIds.get(contentId)!, feedback });
  }
  return results;
}
