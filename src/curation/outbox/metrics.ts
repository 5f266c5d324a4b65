/** Relay metrics, in the shared registry. */
import { Counter, Gauge } from 'prom-client';
import { registry } from '../../observability/metrics.js';

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
