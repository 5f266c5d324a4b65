/** Core routes every process serves: readiness, liveness, metrics, site map. */
import type { FastifyInstance } from 'fastify';
import { metricsText } from '../../observability/metrics.js';

/** A readiness check returns undefined when ready, or the 503 body HMA would answer (e.g. INDEX-NOT-LOADED). */
export type ReadinessCheck = () => string | undefined;

export async function statusRoutes(
  app: FastifyInstance,
  opts: { checks: readonly ReadinessCheck[]; routes: ReadonlySet<string> },
) {
  app.get('/status', async (_req, reply) => {
    for (const check of opts.checks) {
      const problem = check();
      if (problem !== undefined) return reply.status(503).type('text/plain').send(problem);
    }
    return reply.type('text/plain').send('I-AM-ALIVE');
  });
  app.get('/status/live', async (_req, reply) =>
    reply.type('text/plain').send('I-AM-ALIVE'),
  );
  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await metricsText();
    return reply.type(contentType).send(body);
  });
  app.get('/site-map', async () => [...opts.routes].sort());
}
