/**
 * Exchange endpoints beyond HMA's (which live in src/api/curator/exchanges.ts): one
 * fetched record's exchange metadata, fetch history, and review results with upstream
 * feedback. A plugin for the app composition, registered next to the curator routes.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.js';
import type { Db } from '../../curation/db.js';
import { getExchange } from '../../curation/exchanges.js';
import { notFound } from '../../errors/errors.js';
import { createHttpClient } from '../../exchanges/http.js';
import { exchangeUrlPolicy } from '../../exchanges/http-policy.js';
import { recordReviews, type ReviewInput } from '../../exchanges/reviews.js';
import { baseUrlMap, type ExchangeDeps } from '../../exchanges/session.js';
import { exchangeSignalTypes } from '../../exchanges/signal-types.js';
import { signalTypeRegistry } from '../../signals/registry.js';
import { findRecord } from '../../exchanges/store/records.js';
import { existingContent, reviewsOf } from '../../exchanges/store/reviews.js';
import { fetchHistory } from '../../exchanges/store/status.js';
import { hmaCompatible } from '../hma-compat.js';

const message = { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

const record = {
  type: 'object',
  properties: {
    exchange: { type: 'string' },
    record_id: { type: 'string', description: "the exchange's own key of the record" },
    content_id: { type: ['integer', 'null'], description: 'the bank content item holding its signals' },
    signals: stringMap,
    metadata: { type: 'object', additionalProperties: true, description: 'exchange-specific metadata as fetched' },
    fetched_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
} as const;

const historyEntry = {
  type: 'object',
  properties: {
    started_at: { type: 'string' },
    completed_at: { type: ['string', 'null'] },
    succeeded: { type: ['boolean', 'null'] },
    up_to_date: { type: ['boolean', 'null'] },
    items_fetched: { type: 'integer' },
    error: { type: ['string', 'null'] },
  },
} as const;

const feedbackResult = {
  type: 'object',
  properties: {
    exchange: { type: 'string' },
    record_id: { type: 'string' },
    kind: { type: 'string', enum: ['seen', 'true_positive', 'false_positive'] },
    status: { type: 'string', enum: ['sent', 'skipped', 'failed'] },
    reason: { type: 'string' },
  },
} as const;

const review = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    content_id: { type: 'integer' },
    verdict: { type: 'string' },
    labels: { type: 'array', items: { type: 'string' } },
    reviewer: { type: ['string', 'null'] },
    created_at: { type: 'string' },
  },
} as const;

export interface ExchangeRouteDeps {
  readonly db: Db;
  readonly config: Config;
}

export function exchangeExtraRoutes(deps: ExchangeRouteDeps) {
  const exchangeDeps: ExchangeDeps = {
    pool: deps.db,
    http: createHttpClient({ timeoutMs: deps.config.EXCHANGE_HTTP_TIMEOUT_MS, retries: deps.config.EXCHANGE_HTTP_RETRIES, urlPolicy: exchangeUrlPolicy(deps.config) }),
    signalTypes: exchangeSignalTypes(signalTypeRegistry(deps.config.SIGNAL_TYPES)),
    now: Date.now,
    baseUrls: baseUrlMap(deps.config.EXCHANGE_BASE_URLS),
    localFileDirs: deps.config.LOCAL_FILE_EXCHANGE_DIRS,
  };
  const db = deps.db;
  return async (app: FastifyInstance) => {
    hmaCompatible(app);
    await app.register(
      async (c) => {
        c.get<{ Params: { exchange_name: string; record_id: string } }>('/exchange/:exchange_name/records/:record_id', {
          schema: {
            tags: ['exchanges'],
            summary: "One fetched record by the exchange's own record id (URL-encoded), with its exchange-specific metadata",
            params: { type: 'object', properties: { exchange_name: { type: 'string' }, record_id: { type: 'string' } }, required: ['exchange_name', 'record_id'] },
            response: { 200: record, 404: message },
          },
        }, async (req) => {
          const { exchange_name: name, record_id: key } = req.params;
          await getExchange(db, name);
          const r = await findRecord(db, name, key);
          if (!r) throw notFound(`record '${key}' not found in exchange '${name}'`);
          return { exchange: r.exchange, record_id: r.key, content_id: r.content_id, signals: r.signals, metadata: r.metadata, fetched_at: r.fetched_at, updated_at: r.updated_at };
        });

        c.get<{ Params: { exchange_name: string }; Querystring: { limit: number } }>('/exchange/:exchange_name/history', {
          schema: {
            tags: ['exchanges'],
            summary: 'The last fetch runs of an exchange, newest first, with counts and errors',
            params: { type: 'object', properties: { exchange_name: { type: 'string' } }, required: ['exchange_name'] },
            querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 20 } } },
            response: { 200: { type: 'array', items: historyEntry }, 404: message },
          },
        }, async (req) => fetchHistory(db, (await getExchange(db, req.params.exchange_name)).id, req.query.limit));

        c.post<{ Body: ReviewInput }>('/reviews', {
          schema: {
            tags: ['exchanges'],
            summary: 'Record a review of content items; items from an exchange report seen / true or false positive upstream as its flags ask',
            body: {
              type: 'object',
              properties: {
                content_ids: { type: 'array', items: { type: 'integer' }, description: 'bank content ids' },
                verdict: { type: 'string', enum: ['harmful', 'not_harmful'] },
                labels: { type: 'array', items: { type: 'string' }, description: 'become the items’ review labels (and feedback tags)' },
                reviewer: { type: 'string' },
                send_feedback: { type: 'boolean', default: true, description: 'false: store the review only' },
              },
              required: ['content_ids', 'verdict'],
            },
            response: {
              200: {
                type: 'object',
                properties: {
                  reviews: {
                    type: 'array',
                    items: { type: 'object', properties: { content_id: { type: 'integer' }, review_id: { type: 'integer' }, feedback: { type: 'array', items: feedbackResult } } },
                  },
                },
              },
              400: message,
              404: message,
            },
          },
        }, async (req) => ({ reviews: await recordReviews(exchangeDeps, req.body) }));

        c.get<{ Params: { content_id: number } }>('/content/:content_id/reviews', {
          schema: {
            tags: ['exchanges'],
            summary: 'Review history of one content item, newest first',
            params: { type: 'object', properties: { content_id: { type: 'integer', minimum: 1 } }, required: ['content_id'] },
            response: { 200: { type: 'array', items: review }, 404: message },
          },
        }, async (req) => {
          const id = req.params.content_id;
          if (!(await existingContent(db, [id])).has(id)) throw notFound(`content '${id}' not found`);
          return reviewsOf(db, id);
        });
      },
      { prefix: '/c' },
    );
  };
}
