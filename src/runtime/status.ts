/**
 * Core routes every process serves: readiness, liveness, metrics, site map.
 *
 * `/status` is readiness as HMA defines it: 200 `I-AM-ALIVE`, or 503 with the first
 * reason in plain text (`INDEX-NOT-LOADED`, `KAFKA-UNAVAILABLE`, `INDEX-STALE`,
 * `OVERLOADED`, …). The same answer as JSON, with every reason and the replica's
 * staleness, for `Accept: application/json`; the staleness also in a header.
 * `/status/live` is liveness: 503 when the event loop or the thread pool is wedged.
 */
import type { FastifyInstance } from 'fastify';
import { metricsText } from '../observability/metrics.js';
import type { Watchdog } from '../observability/watchdog.js';

/** A readiness check returns undefined when ready, or the 503 body HMA would answer (e.g. INDEX-NOT-LOADED). */
export type ReadinessCheck = () => string | undefined;

/** What a process adds to `/status` beyond ready or not. */
export interface StatusDetails {
  /** Seconds since the replica was last seen current; null before it first caught up. Absent without a replica. */
  readonly index_staleness_seconds?: number | null;
  /** Backing services as this process sees them. */
  readonly dependencies?: Readonly<Record<string, { readonly up: boolean | null; readonly since: string; readonly reason?: string }>>;
}

/** Response header stating the replica's staleness in seconds (on /status and on lookups). */
export const STALENESS_HEADER = 'x-hma-index-staleness';

export const formatStaleness = (seconds: number) => seconds.toFixed(1);

export async function statusRoutes(
  app: FastifyInstance,
  opts: { checks: readonly ReadinessCheck[]; routes: ReadonlySet<string>; watchdog: Watchdog; details?: () => StatusDetails },
) {
  app.get('/status', async (req, reply) => {
    const reasons: string[] = [];
    for (const check of opts.checks) {
      const problem = check();
      if (problem !== undefined) reasons.push(problem);
    }
    const overload = opts.watchdog.overload();
    if (overload) reasons.push(overload);
    const details = opts.details?.() ?? {};
    const staleness = details.index_staleness_seconds;
    if (typeof staleness === 'number') reply.header(STALENESS_HEADER, formatStaleness(staleness));
    const status = reasons.length > 0 ? 503 : 200;
    const body = reasons[0] ?? 'I-AM-ALIVE';
    // HMA's clients read the plain-text body; JSON only for whoever asks for it by name.
    if ((req.headers.accept ?? '').includes('application/json')) {
      return reply.status(status).send({ status: body, ready: status === 200, reasons, ...details });
    }
    return reply.status(status).type('text/plain').send(body);
  });
  app.get('/status/live', async (_req, reply) => {
    const problem = opts.watchdog.liveness();
    if (problem) return reply.status(503).type('text/plain').send(problem);
    return reply.type('text/plain').send('I-AM-ALIVE');
  });
  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await metricsText();
    return reply.type(contentType).send(body);
  });
  app.get('/site-map', async () => [...opts.routes].sort());
}
