/** Metrics every pipeline stage reports, labelled by stage (hasher, matcher, actioner). */
import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '../../observability/metrics.js';

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export const pipelineMetrics = {
  eventsIn: new Counter({
    name: 'hma_pipeline_events_in_total',
    help: 'Events a stage consumed',
    labelNames: ['stage'] as const,
    registers: [registry],
  }),
  eventsOut: new Counter({
    name: 'hma_pipeline_events_out_total',
    help: 'Events a stage produced in committed transactions, by output topic (deadletter included)',
    labelNames: ['stage', 'topic'] as const,
    registers: [registry],
  }),
  errors: new Counter({
    name: 'hma_pipeline_errors_total',
    help: 'Failed attempts by typed reason (a retried event counts once per failed attempt)',
    labelNames: ['stage', 'reason'] as const,
    registers: [registry],
  }),
  deadLetters: new Counter({
    name: 'hma_pipeline_dead_letters_total',
    help: 'Events dead-lettered by typed reason',
    labelNames: ['stage', 'reason'] as const,
    registers: [registry],
  }),
  stageLatency: new Histogram({
    name: 'hma_pipeline_stage_latency_seconds',
    help: 'Processing time of one event in a stage, retries included',
    labelNames: ['stage'] as const,
    buckets: latencyBuckets,
    registers: [registry],
  }),
  endToEnd: new Histogram({
    name: 'hma_pipeline_end_to_end_latency_seconds',
    help: 'From submission to the commit of the stage output carrying it',
    labelNames: ['stage'] as const,
    buckets: latencyBuckets,
    registers: [registry],
  }),
  inFlight: new Gauge({
    name: 'hma_pipeline_in_flight',
    help: 'Events being processed by a stage right now',
    labelNames: ['stage'] as const,
    registers: [registry],
  }),
  transactions: new Counter({
    name: 'hma_pipeline_transactions_total',
    help: 'Stage transactions by outcome',
    labelNames: ['stage', 'outcome'] as const,
    registers: [registry],
  }),
  transactionSeconds: new Histogram({
    name: 'hma_pipeline_transaction_seconds',
    help: 'Time to send a transaction\'s outputs and offsets and commit it',
    labelNames: ['stage'] as const,
    buckets: latencyBuckets,
    registers: [registry],
  }),
  lag: new Gauge({
    name: 'hma_pipeline_consumer_lag',
    help: 'Messages between a group\'s committed offset and the partition end (transaction markers count)',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [registry],
  }),
};
