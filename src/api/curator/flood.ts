/** /c/flood/quarantine: bank content under flood quarantine, and its release (audited). */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../curation/db.js';
import { listQuarantined, releaseQuarantine } from '../../curation/flood.js';
import * as s from './schemas.js';

const entry = {
  type: 'object',
  properties: {
    content_id: { type: 'integer' },
    bank_id: { type: 'integer' },
    bank_name: { type: 'string' },
    quarantined_at: { type: 'string', format: 'date-time' },
    window_matches: { type: 'integer', description: 'matches in the window when it was quarantined' },
    baseline_per_window: { type: 'number', description: 'its average matches per window before that' },
  },
} as const;

export function floodRoutes(db: Db) {
  return async (app: FastifyInstance) => {
    app.get<{ Querystring: { bank?: string } }>('/flood/quarantine', {
      schema: {
        tags: ['flood'],
        summary: 'Bank content under flood quarantine (its matches are flagged quarantined and not acted on)',
        querystring: { type: 'object', properties: { bank: { type: 'string', maxLength: 255, description: 'only this bank' } } },
        response: { 200: { type: 'array', items: entry } },
      },
    }, async (req) => (await listQuarantined(db, req.query.bank)).map((q) => ({
      content_id: q.contentId,
      bank_id: q.bankId,
      bank_name: q.bankName,
      quarantined_at: q.quarantinedAt.toISOString(),
      window_matches: q.windowMatches,
      baseline_per_window: q.baselinePerWindow,
    })));

    app.delete<{ Params: { content_id: number } }>('/flood/quarantine/:content_id', {
      schema: {
        tags: ['flood'],
        summary: 'Release quarantined bank content: its matches are acted on again (audited)',
        params: { type: 'object', properties: { content_id: { type: 'integer', minimum: 0 } }, required: ['content_id'] },
        response: { 200: { type: 'object', properties: { released: { type: 'integer' } } }, 404: s.message },
      },
    }, async (req) => {
      await releaseQuarantine(db, req.params.content_id);
      return { released: req.params.content_id };
    });
  };
}
