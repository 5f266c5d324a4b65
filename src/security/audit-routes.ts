/** GET /c/audit (admin scope): the audit log of curation changes, newest first, a page at a time. */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../curation/db.js';
import { invalidInput } from '../errors/errors.js';
import { readAudit } from './audit-store.js';

interface AuditQuerystring {
  page_size: number;
  page_token?: string;
  entity?: string;
  actor?: string;
  since?: string;
}

const json = { type: ['object', 'null'], additionalProperties: true } as const;
const entry = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'string', description: 'token:<id>:<name>, ui:<id>:<name>, anonymous (AUTH=none) or system:<process>' },
    action: { type: 'string', enum: ['insert', 'update', 'delete', 'truncate'] },
    entity: { type: 'string', description: 'the table: bank, bank_content, content_signal, exchange, exchange_api_credentials, …' },
    key: { type: 'object', additionalProperties: true },
    before: json,
    after: json,
    rows: { type: 'integer', description: '1, or how many rows a bulk statement changed (then before/after are null)' },
  },
} as const;

export function auditRoutes(db: Db) {
  return async (app: FastifyInstance) => {
    app.get<{ Querystring: AuditQuerystring }>('/c/audit', {
      schema: {
        tags: ['audit'],
        summary: 'Curation changes, newest first: who, what, when, before and after (admin scope)',
        querystring: {
          type: 'object',
          properties: {
            page_size: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            page_token: { type: 'string', pattern: '^[0-9]{1,19}$', description: 'next_page_token of the previous page' },
            entity: { type: 'string', maxLength: 100 },
            actor: { type: 'string', maxLength: 200 },
            since: { type: 'string', format: 'date-time' },
          },
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', properties: { entries: { type: 'array', items: entry }, next_page_token: { type: ['string', 'null'] } } },
        },
      },
    }, async (req) => {
      const q = req.query;
      const beforeId = q.page_token === undefined ? undefined : Number(q.page_token);
      if (beforeId !== undefined && !Number.isSafeInteger(beforeId)) throw invalidInput('invalid page_token');
      const entries = await readAudit(db, {
        limit: q.page_size,
        beforeId,
        entity: q.entity,
        actor: q.actor,
        since: q.since === undefined ? undefined : new Date(q.since),
      });
      const last = entries.at(-1);
      return { entries, next_page_token: entries.length === q.page_size && last ? String(last.id) : null };
    });
  };
}
