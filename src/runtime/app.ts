/**
 * The HTTP app every process serves: the edge, the one error → status mapping, and
 * /status, /status/live, /metrics. Route groups (hasher, matcher, curator, UI, dev) come
 * in as plugins from the process's composition (src/processes/), so the kernel imports none.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyError, type FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/config.js';
import { isHmaError } from '../errors/errors.js';
import { applyEdgeTimeouts, controlCharGuard, edgeServerOptions, uploadBudget } from './edge.js';
import { httpMetrics } from '../observability/http-metrics.js';
import { log } from '../observability/logger.js';
import { hmaHttpStatusOf, httpStatusOf } from './http-errors.js';
import { Watchdog } from '../observability/watchdog.js';
import { statusRoutes, type ReadinessCheck, type StatusDetails } from './status.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Status for request-schema validation failures on this route (HMA uses 422 where pydantic validates). */
    validationStatus?: number;
  }
}

export interface AppDeps {
  readonly config: Config;
  /** Readiness checks contributed by the process (e.g. the index is loaded). */
  readonly readiness?: readonly ReadinessCheck[];
  /** What /status reports beyond ready or not (replica staleness, backing services). */
  readonly status?: () => StatusDetails;
  /** Route-group plugins to register, in order (decided by roles in the process composition). */
  readonly plugins?: ReadonlyArray<(app: FastifyInstance) => Promise<void>>;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: log('api') as unknown as FastifyBaseLogger,
    bodyLimit: deps.config.MAX_REQUEST_BYTES,
    // Requests are measured by metrics (observability/http-metrics.ts), not logged one by one.
    logController: new LogController({ disableRequestLogging: true }),
    // Coercion is per request part: see edge.ts (bodies strict, query strings coerced).
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    ...edgeServerOptions(deps.config),
  });
  applyEdgeTimeouts(app, deps.config);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (isHmaError(err)) {
      const retryAfter = err.details?.retryAfterSeconds;
      if (typeof retryAfter === 'number') reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
      const statusOf = req.routeOptions.config.hma ? hmaHttpStatusOf : httpStatusOf;
      return reply.status(statusOf[err.code]).send({ message: err.message });
    }
    if (err.validation) {
      const status = req.routeOptions.config.validationStatus ?? 400;
      return reply.status(status).send({ message: err.message });
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err, url: req.url }, 'unhandled error');
      // No stack traces or internals in responses.
      return reply.status(500).send({ message: 'internal server error' });
    }
    return reply.status(status).send({ message: err.message });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ message: `no route ${req.method} ${req.url.split('?')[0]}` });
  });

  // First, at the root: request metrics for every route that follows, in every process.
  await app.register(httpMetrics);
  uploadBudget(app, deps.config);
  controlCharGuard(app);
  // Collected at the root so the site map sees routes of every encapsulated plugin.
  const routes = new Set<string>();
  app.addHook('onRoute', (r) => {
    if (!r.url.includes('*')) routes.add(r.url);
  });
  const watchdog = Watchdog.shared({ overloadLagMs: deps.config.OVERLOAD_EVENT_LOOP_LAG_MS, stallMs: deps.config.LIVENESS_STALL_SECONDS * 1000 });
  await app.register(statusRoutes, { checks: deps.readiness ?? [], routes, watchdog, details: deps.status });
  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  return app;
}
