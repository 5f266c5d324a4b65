/** Flood quarantine metrics (grafana/alerts.yml alerts on the events counter). */
import { Counter, Gauge } from 'prom-client';
import { registry } from '../../observability/metrics.js';

export const floodMetrics = {
  quarantineEvents: new Counter({
    name: 'hma_flood_quarantine_events_total',
    help: 'Bank content this flood counter quarantined (each entry is quarantined by exactly one counter)',
    registers: [registry],
  }),
  quarantined: new Gauge({
    name: 'hma_flood_quarantined_entries',
    help: 'Bank content under flood quarantine now (global, read from Postgres by every flood counter: take the max)',
    registers: [registry],
  }),
  matchesCounted: new Counter({
    name: 'hma_flood_matches_counted_total',
    help: 'Matches (result × bank content) the flood counter added to its per-minute counts',
    registers: [registry],
  }),
};
