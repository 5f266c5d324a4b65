/**
 * HTTP request metrics for every route of a Fastify app: rate, latency and errors
 * per route pattern (`/c/bank/:bank_name`, never the raw URL, which would carry ids)
 * and status class. Requests that matched no route share the route label "unmatched".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Histogram } from 'prom-client';
import { registry } from './metrics.js';

const requests = new Counter({
  name: 'hma_http_requests_total',
  help: 'HTTP requests answered, by method, route pattern and status class (2xx, 4xx, 5xx…)',
  labelNames: ['method', 'route', 'status_class'] as const,
  registers: [registry],
});

const duration = new Histogram({
  name: 'hma_http_request_duration_seconds',
  help: 'Time from receiving a request to sending the last byte of its response, by method and route pattern',
  labelNames: ['method', 'route'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

/** The label for a request: its route pattern, or "unmatched" (404s of unknown paths, which are unbounded). */
export function routeLabel(req: FastifyRequest): string {
  return req.routeOptions.url ?? 'unmatched';
}

export const statusClass = (status: number): string => `${Math.floor(status / 100)}xx`;

function record(req: FastifyRequest, reply: FastifyReply): void {
  const route = routeLabel(req);
  requests.inc({ method: req.method, route, status_class: statusClass(reply.statusCode) });
  duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
}

/** Registered at the root (fastify-plugin), so its hook sees the routes of every plugin. */
export const httpMetrics = fp(
  async (app: FastifyInstance) => {
    app.addHook('onResponse', async (req, reply) => record(req, reply));
  },
  { name: 'hma-http-metrics' },
);
