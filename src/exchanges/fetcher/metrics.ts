/**
 * Fetcher metrics, on the one registry. Labelled by exchange name (curated, so bounded)
 * and API type. The status gauges are read from the database at scrape time, so they
 * tell the truth across fetcher restarts and whichever fetcher ran the exchange.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Queryable } from '../../curation/db.js';
import { log } from '../../observability/logger.js';
import { registry } from '../../observability/metrics.js';

export const fetchMetrics = {
  runs: new Counter({
    name: 'hma_exchange_fetch_runs_total',
    help: 'Exchange fetch runs by outcome (done, busy, stopped, failed)',
    labelNames: ['exchange', 'api', 'outcome'] as const,
    registers: [registry],
  }),
  errors: new Counter({
    name: 'hma_exchange_fetch_errors_total',
    help: 'Failed exchange fetch runs by kind of error (auth, transient, malformed, … interrupted, internal)',
    labelNames: ['exchange', 'api', 'reason'] as const,
    registers: [registry],
  }),
  updates: new Counter({
    name: 'hma_exchange_updates_committed_total',
    help: 'Exchange record updates (upserts and deletes) committed',
    labelNames: ['exchange', 'api'] as const,
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

interface StatusRow {
  name: string;
  last_success: string | null;
  last_succeeded: boolean | null;
  up_to_date: boolean | null;
}

let db: Queryable | undefined;
let pending: Promise<StatusRow[]> | undefined;

/** One query per scrape, shared by the three gauges (the registry collects them concurrently). */
function statusRows(): Promise<StatusRow[]> {
  const q = db;
  if (!q) return Promise.resolve([]);
  pending ??= q
    .query<StatusRow>(
      `SELECT e.name, s.last_fetch_succeeded AS last_succeeded, s.is_up_to_date AS up_to_date,
              (SELECT extract(epoch FROM max(h.completed_at)) FROM exchange_fetch_history h
                WHERE h.exchange_id = e.id AND h.succeeded) AS last_success
       FROM exchange e LEFT JOIN exchange_fetch_status s ON s.exchange_id = e.id
       WHERE e.enabled`,
    )
    .then((r) => r.rows)
    .catch((err: unknown) => {
      log('fetcher').warn({ err }, 'cannot read exchange status for metrics');
      return [];
    })
    .finally(() => (pending = undefined));
  return pending;
}

const fromStatus = (read: (r: StatusRow) => number | undefined) =>
  async function collect(this: Gauge<'exchange'>) {
    const rows = await statusRows();
    this.reset();
    for (const r of rows) {
      const v = read(r);
      if (v !== undefined) this.set({ exchange: r.name }, v);
    }
  };

new Gauge({
  name: 'hma_exchange_last_success_timestamp_seconds',
  help: 'End of the last successful fetch of an enabled exchange (epoch seconds; 0 = never)',
  labelNames: ['exchange'] as const,
  registers: [registry],
  collect: fromStatus((r) => (r.last_success === null ? 0 : Number(r.last_success))),
});
new Gauge({
  name: 'hma_exchange_last_fetch_succeeded',
  help: '1 if the last completed fetch of an enabled exchange succeeded, 0 if it failed (absent before its first fetch)',
  labelNames: ['exchange'] as const,
  registers: [registry],
  collect: fromStatus((r) => (r.last_succeeded === null ? undefined : Number(r.last_succeeded))),
});
new Gauge({
  name: 'hma_exchange_up_to_date',
  help: '1 if the last fetch of an enabled exchange reached the end of what the upstream had, else 0',
  labelNames: ['exchange'] as const,
  registers: [registry],
  collect: fromStatus((r) => (r.up_to_date === null ? undefined : Number(r.up_to_date))),
});

/** The database the status gauges read (the fetcher's). */
export function watchExchangeStatus(pool: Queryable): void {
  db = pool;
}
