/** Matcher metrics: signals it could not look up (index metrics: src/processes/matching-metrics.ts). */
import { Counter } from 'prom-client';
import { registry } from '../../observability/metrics.js';

export const matcherMetrics = {
  skippedSignals: new Counter({
    name: 'hma_matcher_skipped_signals_total',
    help: 'Signals of hashed content of a type this matcher does not index',
    labelNames: ['signal_type'] as const,
    registers: [registry],
  }),
  suppressed: new Counter({
    name: 'hma_matcher_suppressed_matches_total',
    help: 'Matches an allow-list bank suppressed (never acted on), by allow-list bank and by the bank of the suppressed match',
    labelNames: ['allow_list_bank', 'bank'] as const,
    registers: [registry],
  }),
  provenanceUnavailable: new Counter({
    name: 'hma_matcher_provenance_unavailable_total',
    help: 'Match results published without provenance because the database could not be read',
    registers: [registry],
  }),
};
