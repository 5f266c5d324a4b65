/** Hashing metrics: time per signal type, the hash pools' queues (every pool of the process, summed) and stopped tasks. */
import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '../observability/metrics.js';

/** What the pool gauges read from a pool. */
export interface PoolLoad {
  /** Tasks waiting for a free hash process. */
  readonly queued: number;
  /** Tasks running in a hash process. */
  readonly busy: number;
  /** Hash processes the pool runs. */
  readonly concurrency: number;
}

const pools = new Set<PoolLoad>();

const sum = (read: (p: PoolLoad) => number) =>
  function collect(this: Gauge) {
    let n = 0;
    for (const p of pools) n += read(p);
    this.set(n);
  };

export const hashMetrics = {
  seconds: new Histogram({
    name: 'hma_hash_seconds',
    help: 'Time to compute one signal of one media, by signal type (pool queueing included)',
    labelNames: ['signal_type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  }),
  queued: new Gauge({
    name: 'hma_hash_pool_queue_length',
    help: 'Hashing tasks waiting for a free hash process',
    registers: [registry],
    collect: sum((p) => p.queued),
  }),
  busy: new Gauge({
    name: 'hma_hash_pool_busy_workers',
    help: 'Hash processes running a hashing task',
    registers: [registry],
    collect: sum((p) => p.busy),
  }),
  workers: new Gauge({
    name: 'hma_hash_pool_workers',
    help: 'Hash processes of the hashing pools',
    registers: [registry],
    collect: sum((p) => p.concurrency),
  }),
  stopped: new Counter({
    name: 'hma_hash_tasks_stopped_total',
    help: 'Hashing tasks whose process was killed (timeout, memory) or died (crashed), by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  }),
  watchPool(pool: PoolLoad): void {
    pools.add(pool);
  },
  unwatchPool(pool: PoolLoad): void {
    pools.delete(pool);
  },
};
