/** /c/signal_type and /c/content_type. (/c/signal_type/index belongs to the matcher.) */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../curation/db.js';
import { listContentTypes, listSignalTypes, setSignalTypeRatio } from '../../curation/type-config.js';
import type { SignalTypeRegistry } from '../../signals/registry.js';
import * as s from './schemas.js';
import { float } from '../hma-json.js';

export function typeRoutes(db: Db, types: SignalTypeRegistry) {
  return async (app: FastifyInstance) => {
    app.get('/signal_type', {
      schema: {
        tags: ['types'],
        summary: 'Installed signal types and their enabled ratio',
        response: {
          200: {
            type: 'array',
            items: { type: 'object', properties: { name: { type: 'string' }, enabled_ratio: float } },
          },
        },
      },
    }, () => listSignalTypes(db, types));

    app.put<{ Params: { signal_type_name: string }; Body: Record<string, unknown> }>('/signal_type/:signal_type_name', {
      schema: {
        tags: ['types'],
        summary: 'Set a signal type\'s enabled ratio (stored; as in HMA it has no effect on matching)',
        params: { type: 'object', properties: { signal_type_name: { type: 'string' } }, required: ['signal_type_name'] },
        body: { type: 'object', properties: { enabled_ratio: { description: 'number from 0.0 to 1.0' } } },
        response: { 204: { type: 'null' }, 400: s.message },
      },
    }, async (req, reply) => {
      await setSignalTypeRatio(db, types, req.params.signal_type_name, req.body);
      return reply.status(204).send();
    });

    app.get('/content_type', {
      schema: {
        tags: ['types'],
        summary: 'Installed content types',
        response: {
          200: {
            type: 'array',
            items: { type: 'object', properties: { name: { type: 'string' }, enabled: { type: 'boolean' } } },
          },
        },
      },
    }, () => listContentTypes(db));
  };
}
