/** Fetcher metrics, on the one registry. Labelled by API type (bounded), not exchange name. */
import { Counter, Histogram } from 'prom-client';
import { registry } from '../../observability/metrics.js';

export const fetchMetrics = {
  runs: new Counter({
    name: 'hma_exchange_fetch_runs_total',
    help: 'Exchange fetch runs by outcome (done, busy, stopped, failed)',
    labelNames: ['api', 'outcome'] as const,
    registers: [registry],
  }),
  updates: new Counter({
    name: 'hma_exchange_updates_committed_total',
    help: 'Exchange record updates (upserts and deletes) committed',
    labelNames: ['api'] as const,
    registers: [registry],
  }),
  commitSeconds: new Histogram({
    name: 'hma_exchange_commit_seconds',
    help: 'Time to commit one batch of exchange updates',
    buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  }),
  runSeconds: new Histogram({
    name: 'hma_exchange_fetch_run_seconds',
    help: 'Duration of one exchange fetch run',
    labelNames: ['api'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 60, 240, 900],
    registers: [registry],
  }),
};
