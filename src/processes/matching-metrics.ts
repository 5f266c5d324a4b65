/**
 * Metrics of a process's matching part (the API's /m and the pipeline matcher alike):
 * its index per signal type (size, readiness, freshness) and the lookups made on it
 * (rate, time, matches per bank; bank names are curated, so the label stays bounded).
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { LookupObserver } from '../matching/lookup-service.js';
import { registry } from '../observability/metrics.js';
import type { MatchReplica, SignalTypeStats } from '../replica/replica.js';

/** The replica the index gauges report on, and whether its feed has replayed the topics. */
export interface WatchedIndex {
  readonly replica: MatchReplica;
  readonly feed: { readonly ready: boolean };
}

// One matching part per process; should a process build two, the gauges follow the last one.
let watched: WatchedIndex | undefined;

const perType = (read: (stats: SignalTypeStats, w: WatchedIndex) => number) =>
  function collect(this: Gauge<'signal_type'>) {
    this.reset();
    const w = watched;
    if (!w) return;
    for (const type of w.replica.signalTypes()) {
      const stats = w.replica.stats(type);
      if (stats) this.set({ signal_type: type }, read(stats, w));
    }
  };

new Gauge({
  name: 'hma_index_size',
  help: 'Bank signals in this process\'s index, per signal type',
  labelNames: ['signal_type'] as const,
  registers: [registry],
  collect: perType((s) => s.size),
});
new Gauge({
  name: 'hma_index_ready',
  help: '1 once the index has replayed the signal and bank topics (lookups are served), else 0',
  labelNames: ['signal_type'] as const,
  registers: [registry],
  collect: perType((_s, w) => (w.feed.ready ? 1 : 0)),
});
new Gauge({
  name: 'hma_index_last_applied_timestamp_seconds',
  help: 'When this index applied its last change of a signal type (epoch seconds; 0 = none yet)',
  labelNames: ['signal_type'] as const,
  registers: [registry],
  collect: perType((s) => s.lastAppliedAt / 1000),
});
new Gauge({
  name: 'hma_index_last_change_timestamp_seconds',
  help: 'When curation made the last change this index applied, per signal type (epoch seconds; 0 = none yet)',
  labelNames: ['signal_type'] as const,
  registers: [registry],
  collect: perType((s) => s.lastChangedAt / 1000),
});

const lookups = new Counter({
  name: 'hma_lookups_total',
  help: 'Lookups in the index (API, UI and pipeline matcher), by signal type',
  labelNames: ['signal_type'] as const,
  registers: [registry],
});
const matched = new Counter({
  name: 'hma_lookups_matched_total',
  help: 'Lookups that matched at least one bank signal, by signal type',
  labelNames: ['signal_type'] as const,
  registers: [registry],
});
const bankMatches = new Counter({
  name: 'hma_lookup_bank_matches_total',
  help: 'Lookups that matched at least one signal of a bank, by signal type and bank',
  labelNames: ['signal_type', 'bank'] as const,
  registers: [registry],
});
const lookupSeconds = new Histogram({
  name: 'hma_lookup_seconds',
  help: 'Time of one lookup in the index, by signal type',
  labelNames: ['signal_type'] as const,
  buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
  registers: [registry],
});

export const observeLookup: LookupObserver = (signalType, seconds, banks) => {
  lookups.inc({ signal_type: signalType });
  lookupSeconds.observe({ signal_type: signalType }, seconds);
  if (banks.size > 0) matched.inc({ signal_type: signalType });
  for (const bank of banks) bankMatches.inc({ signal_type: signalType, bank });
};

export function watchIndex(index: WatchedIndex): void {
  watched = index;
}
