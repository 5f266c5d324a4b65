/** Relay metrics, in the shared registry. */
import { Counter, Gauge } from 'prom-client';
import { log } from '../../observability/logger.js';
import { registry } from '../../observability/metrics.js';
import type { Queryable } from '../db.js';

export const outboxBacklog = new Gauge({
  name: 'hma_outbox_backlog',
  help: 'Outbox rows committed but not yet published to Kafka',
  registers: [registry],
});

export const outboxPublished = new Counter({
  name: 'hma_outbox_published_total',
  help: 'Change events the outbox relay published (acknowledged by Kafka)',
  labelNames: ['topic'] as const,
  registers: [registry],
});

let db: Queryable | undefined;

/**
 * Read from the database at scrape time by every process running a relay, standbys
 * included: it keeps growing when the active relay is dead or Kafka refuses it,
 * where the backlog above (set by the active relay as it publishes) would go stale.
 */
new Gauge({
  name: 'hma_outbox_oldest_unpublished_age_seconds',
  help: 'Age of the oldest committed outbox row not yet published to Kafka (0 when none)',
  registers: [registry],
  async collect() {
    if (!db) return;
    try {
      const { rows } = await db.query<{ age: string | null }>(
        `SELECT extract(epoch FROM clock_timestamp() - min(created_at)) AS age FROM outbox
         WHERE seq > COALESCE((SELECT max(position) FROM outbox_relay), 0)`,
      );
      this.set(Math.max(0, Number(rows[0]?.age ?? 0)));
    } catch (err) {
      log('outbox-relay').warn({ err }, 'cannot read the outbox age for metrics');
    }
  },
});

/** The database whose outbox the age gauge reads. */
export function watchOutbox(pool: Queryable): void {
  db = pool;
}
