/** /ui/flood/<content id>/release: the release button of the flood panel (audited as the signed-in user). */
import type { FastifyInstance } from 'fastify';
import { releaseQuarantine } from '../../../curation/flood.js';
import { notFound } from '../../../errors/errors.js';
import type { UiContext } from '../context.js';
import { field, readForm } from '../forms.js';
import { backTo, doneUrl } from '../notices.js';

export function floodRoutes(ctx: UiContext) {
  return async (app: FastifyInstance) => {
    app.post<{ Params: { content_id: string } }>('/flood/:content_id/release', async (req, reply) => {
      const id = Number(req.params.content_id);
      if (!/^\d+$/.test(req.params.content_id) || !Number.isSafeInteger(id)) throw notFound(`content '${req.params.content_id}' not found`);
      const form = await readForm(req);
      await releaseQuarantine(ctx.db, id);
      return reply.redirect(`${doneUrl(backTo(field(form, 'back'), '/ui/'), 'released', { id: String(id) })}#flood-h`, 303);
    });
  };
}
