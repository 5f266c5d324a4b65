/** Retro-matcher metrics (the stage's own, e.g. change → result latency, are in pipeline/stage/metrics.ts under stage="retro-matcher"). */
import { Counter, Gauge } from 'prom-client';
import { registry } from '../../observability/metrics.js';

export const retroMetrics = {
  results: new Counter({
    name: 'hma_retro_results_total',
    help: 'Retroactive match results published: content hashed before the signal change that matched it',
    labelNames: ['signal_type'] as const,
    registers: [registry],
  }),
  covered: new Counter({
    name: 'hma_retro_already_matched_total',
    help: 'Recent content a signal change matched that the forward matcher (or an earlier retroactive result) had already covered',
    labelNames: ['signal_type'] as const,
    registers: [registry],
  }),
  unresolved: new Counter({
    name: 'hma_retro_unresolved_total',
    help: 'Recent content a signal change matched whose forward result did not come within RETRO_FORWARD_WAIT_MS (left to the forward matcher)',
    labelNames: ['signal_type'] as const,
    registers: [registry],
  }),
};

// One retro-matcher per process; the gauge reads the last one watched.
let recentSize: () => number = () => 0;
new Gauge({
  name: 'hma_retro_recent_contents',
  help: 'Hashed contents the retro-matcher holds (those within RETRO_WINDOW_HOURS)',
  registers: [registry],
  collect() {
    this.set(recentSize());
  },
});

export function watchRecentContents(size: () => number): void {
  recentSize = size;
}
