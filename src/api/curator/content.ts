/** /c/bank/<b>/content and /c/bank/<b>/signal: HMA's content endpoints plus listing and add-by-id. */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { SignalTypeRegistry } from '../../signals/registry.js';
import type { Config } from '../../config/config.js';
import { invalidInput } from '../../errors/errors.js';
import { getBank } from '../../curation/banks.js';
import * as contents from '../../curation/contents.js';
import { parseMetadataField } from '../../curation/content-fields.js';
import type { Db } from '../../curation/db.js';
import { readUpload } from '../media-input/upload.js';
import { hashUrl, parseTypes, usableSignals, type MediaHasher } from './media.js';
import { bankJson, contentJson, contentRecordJson, listedContentJson } from './render.js';
import * as s from './schemas.js';

interface BankParams {
  bank_name: string;
}
interface ContentParams extends BankParams {
  content_id: number;
}
interface AddQuery {
  url?: string;
  content_type?: string;
  types?: string;
  from_content_id?: number;
}

type Body = Record<string, unknown> | undefined;

/** HMA: only the literal "true", any case, is true. */
const flag = (v: string | undefined, dflt: boolean) => (v === undefined ? dflt : v.toLowerCase() === 'true');

/** Extras sent as form fields: metadata is a JSON string, review_labels a JSON list or comma list. */
function formExtras(fields: Record<string, string>): contents.ContentExtras {
  const labels = fields.review_labels;
  let reviewLabels: unknown;
  if (labels !== undefined) {
    reviewLabels = labels.trim().startsWith('[') ? safeJson(labels, 'review_labels') : labels.split(',').filter((l) => l.trim());
  }
  return contents.parseExtras({
    metadata: parseMetadataField(fields.metadata),
    ...('note' in fields ? { note: fields.note } : {}),
    ...('platform_content_id' in fields ? { platform_content_id: fields.platform_content_id } : {}),
    ...(reviewLabels !== undefined ? { review_labels: reviewLabels } : {}),
  });
}

function safeJson(raw: string, field: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw invalidInput(`${field} form field must be valid JSON`);
  }
}

export function contentRoutes(deps: { db: Db; config: Config; hasher: MediaHasher; nowS: () => number; signalTypes: SignalTypeRegistry }) {
  const { db, config, nowS, signalTypes } = deps;
  return async (app: FastifyInstance) => {
    await app.register(multipart, { limits: { fileSize: config.MAX_MEDIA_BYTES, files: 2, fields: 20, fieldSize: 64 * 1024 } });

    app.post<{ Params: BankParams; Querystring: AddQuery; Body: Body }>('/bank/:bank_name/content', {
      schema: {
        tags: ['content'],
        summary: 'Add content: by URL (?url=), by multipart upload (file field named photo/video), or as a copy of existing content (?from_content_id=)',
        params: s.bankNameParam,
        querystring: {
          type: 'object',
          properties: {
            url: { type: 'string', maxLength: 8192 },
            content_type: { type: 'string', description: 'photo or video; by URL, guessed from the response when absent' },
            types: { type: 'string', description: 'comma-separated signal types to compute' },
            // Not `content_id`: platforms send their own content id under that name, which HMA ignores.
            from_content_id: { type: 'integer', minimum: 0, description: 'copy the signals of this existing content (any bank)' },
          },
        },
        body: { type: 'object', properties: s.contentExtras },
        response: { 200: s.added, 400: s.message, 404: s.message, 413: s.message, 415: s.message },
      },
      // The body is optional (multipart, or a bare POST with ?url= or ?from_content_id=).
      preValidation: async (req) => {
        req.body ??= {};
      },
    }, async (req) => {
      const { bank_name } = req.params;
      const q = req.query;
      if (q.url !== undefined) {
        await getBank(db, bank_name); // 404 before downloading anything
        const extras = contents.parseExtras(req.body ?? {});
        const signals = await hashUrl(config, deps.hasher, q.url, q.content_type, parseTypes(q.types));
        return contents.addContent(db, signalTypes, bank_name, usableSignals(signals), extras);
      }
      if (req.isMultipart()) {
        await getBank(db, bank_name);
        const upload = await readUpload(req);
        const extras = formExtras(upload.fields);
        const signals = await deps.hasher(upload.bytes, upload.contentType, parseTypes(q.types));
        return contents.addContent(db, signalTypes, bank_name, usableSignals(signals), extras);
      }
      if (q.from_content_id !== undefined) {
        return contents.addExistingContent(db, bank_name, q.from_content_id, contents.parseExtras(req.body ?? {}));
      }
      throw invalidInput('Neither `url` nor multipart file upload was received');
    });

    app.get<{ Params: BankParams; Querystring: { page_size: number; page_token?: string; order: 'asc' | 'desc' } }>(
      '/bank/:bank_name/content',
      {
        schema: {
          tags: ['content'],
          summary: 'List bank content by modification time, a page at a time',
          params: s.bankNameParam,
          querystring: {
            type: 'object',
            properties: {
              page_size: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
              page_token: { type: 'string', maxLength: 512, description: 'next_page_token of the previous page' },
              order: { type: 'string', enum: ['asc', 'desc'], default: 'desc', description: 'desc = most recently modified first' },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                bank: s.bank,
                contents: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      id: { type: 'integer' },
                      disable_until_ts: { type: 'integer' },
                      signals: s.signals,
                      updated_at: { type: 'string', format: 'date-time' },
                      note: { type: 'string' },
                      platform_content_id: { type: 'string' },
                      review_labels: s.labels,
                    },
                  },
                },
                next_page_token: { type: ['string', 'null'] },
              },
            },
            ...s.errors,
          },
        },
      },
      async (req) => {
        const page = await contents.listContent(db, req.params.bank_name, {
          pageSize: req.query.page_size,
          pageToken: req.query.page_token,
          order: req.query.order,
        });
        return { bank: bankJson(page.bank), contents: page.items.map(listedContentJson), next_page_token: page.nextPageToken };
      },
    );

    app.post<{ Params: BankParams; Body: Record<string, unknown> }>('/bank/:bank_name/signal', {
      schema: {
        tags: ['content'],
        summary: 'Add one content item carrying the given signals ({"pdq": "<hash>", ...})',
        params: s.bankNameParam,
        body: { type: 'object', properties: s.contentExtras, additionalProperties: true },
        response: { 200: s.added, ...s.errors },
      },
    }, async (req) => contents.addSignals(db, signalTypes, req.params.bank_name, req.body));

    const contentIdRoute = { params: s.contentParams };
    app.get<{ Params: ContentParams; Querystring: { include_signals?: string; include_metadata?: string } }>(
      '/bank/:bank_name/content/:content_id',
      {
        // A non-integer id does not match HMA's <int:content_id> route: 404.
        config: { validationStatus: 404 },
        schema: {
          tags: ['content'],
          summary: 'Get bank content',
          ...contentIdRoute,
          querystring: {
            type: 'object',
            properties: {
              include_signals: { type: 'string', description: 'true to include signals (default false)' },
              include_metadata: { type: 'string', description: 'false to omit metadata (default true)' },
            },
          },
          response: { 200: s.content, 404: s.message },
        },
      },
      async (req) => {
        const { bank, content } = await contents.getContent(db, req.params.bank_name, req.params.content_id);
        return contentJson(bank, content, {
          signals: flag(req.query.include_signals, false),
          metadata: flag(req.query.include_metadata, true),
        });
      },
    );

    app.put<{ Params: ContentParams; Body: Record<string, unknown> }>('/bank/:bank_name/content/:content_id', {
      schema: {
        tags: ['content'],
        summary: 'Enable/disable content (disable_until_ts: 1 enabled, 0 disabled, else a Unix time) and set its note',
        ...contentIdRoute,
        body: {
          type: 'object',
          properties: { disable_until_ts: { description: 'integer seconds' }, note: { description: 'string, empty clears it' } },
          additionalProperties: true,
        },
        response: { 200: s.contentRecord, ...s.errors },
      },
    }, async (req) => {
      const { bank, content } = await contents.updateContent(db, req.params.bank_name, req.params.content_id, req.body, nowS());
      return contentRecordJson(bank, content);
    });

    app.delete<{ Params: ContentParams }>('/bank/:bank_name/content/:content_id', {
      config: { validationStatus: 404 },
      schema: {
        tags: ['content'],
        summary: 'Delete content',
        ...contentIdRoute,
        response: { 200: { type: 'object', properties: { deleted: { type: 'integer' } } }, 404: s.message },
      },
    }, async (req) => ({ deleted: await contents.deleteContent(db, req.params.bank_name, req.params.content_id) }));
  };
}
