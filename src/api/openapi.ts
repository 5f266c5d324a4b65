/**
 * The OpenAPI document at /openapi/openapi.json and Swagger UI at /openapi/swagger
 * (HMA's paths), built from the JSON schemas of every route. Register it before the
 * route plugins: it collects routes as they are added.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string; description: string };

async function openApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Open Media Match API', version: pkg.version, description: pkg.description },
      tags: [
        { name: 'banks', description: 'Banks (hash lists)' },
        { name: 'content', description: 'Bank content and signals' },
        { name: 'exchanges', description: 'Exchange configurations' },
        { name: 'types', description: 'Signal and content type settings' },
        { name: 'flood', description: 'Flood quarantine: bank content that matched far more than usual' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/openapi/swagger' });
  app.get('/openapi/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/openapi/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/openapi/swagger'));
}

/** Not encapsulated, so the document sees the routes of sibling plugins too. */
export const openApiPlugin = fp(openApi, { name: 'hma-openapi' });
