/** Matcher metrics: index size and freshness per signal type, signals it could not look up. */
import { Counter, Gauge } from 'prom-client';
import { registry } from '../../observability/metrics.js';
import type { MatchReplica } from '../../replica/replica.js';

let watched: MatchReplica | undefined;

const perType = (read: (r: MatchReplica, type: string) => number | undefined) =>
  function collect(this: Gauge<'signal_type'>) {
    this.reset();
    const replica = watched;
    if (!replica) return;
    for (const type of replica.signalTypes()) {
      const v = read(replica, type);
      if (v !== undefined) this.set({ signal_type: type }, v);
    }
  };

export const matcherMetrics = {
  indexSize: new Gauge({
    name: 'hma_matcher_index_size',
    help: 'Bank signals in this matcher\'s index, per signal type',
    labelNames: ['signal_type'] as const,
    registers: [registry],
    collect: perType((r, t) => r.stats(t)?.size),
  }),
  indexLastUpdate: new Gauge({
    name: 'hma_matcher_index_last_update_seconds',
    help: 'When this matcher applied the last change of a signal type (epoch seconds; 0 = none yet)',
    labelNames: ['signal_type'] as const,
    registers: [registry],
    collect: perType((r, t) => (r.stats(t)?.lastAppliedAt ?? 0) / 1000),
  }),
  skippedSignals: new Counter({
    name: 'hma_matcher_skipped_signals_total',
    help: 'Signals of hashed content of a type this matcher does not index',
    labelNames: ['signal_type'] as const,
    registers: [registry],
  }),
  /** The replica the index gauges report on (one per process). */
  watch(replica: MatchReplica): void {
    watched = replica;
  },
};
