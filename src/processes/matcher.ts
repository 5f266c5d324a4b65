/**
 * `hma matcher`: a consumer group on content.hashed with its own replica of the
 * banks and signals; it consumes only once the replica has replayed the compacted
 * topics, and produces exactly one match result per hashed content.
 */
import type { Config } from '../config/config.js';
import { log } from '../observability/logger.js';
import { matchContent } from '../pipeline/matcher/match-content.js';
import { validateHashed } from '../pipeline/matcher/matcher.js';
import { matcherMetrics } from '../pipeline/matcher/metrics.js';
import { withProvenance } from '../pipeline/matcher/provenance.js';
import { provenanceOf } from '../curation/provenance.js';
import { Stage } from '../pipeline/stage/stage.js';
import { indexReadiness } from '../runtime/health.js';
import { runPartAsProcess, type RunningProcess, type StartedPart } from '../runtime/process.js';
import type { Runtime } from '../runtime/runtime.js';
import { startMatching, type Matching } from './matching.js';

/** `matching`: the process's replica when it already has one (e.g. `hma all`, whose API serves /m). */
export async function startMatcher(runtime: Runtime, matching?: Matching): Promise<StartedPart> {
  const logger = log('matcher');
  matching ??= await startMatching(runtime);
  const { replica, feed, lookups } = matching;
  const stage = new Stage(runtime, {
    name: 'matcher',
    input: 'content.hashed',
    outputs: ['match.results'],
    maxInFlight: runtime.config.MATCHER_MAX_IN_FLIGHT,
    validate: validateHashed,
    submittedAt: (v) => v.submitted_at,
    handle: async (hashed) => {
      const { result, skippedTypes } = matchContent(hashed, replica, lookups);
      for (const t of skippedTypes) matcherMetrics.skippedSignals.inc({ signal_type: t });
      for (const s of result.suppressed) matcherMetrics.suppressed.inc({ allow_list_bank: s.allow_list_bank_name, bank: s.match.bank_name });
      const value = await withProvenance(result, (ids) => provenanceOf(runtime.db, ids));
      return [{ topic: 'match.results', key: hashed.content_id, value }];
    },
  });
  runtime.onStop('matcher stage', () => stage.stop());
  // No result may be computed against a partial index: wait for the replay first.
  for (;;) {
    try {
      await feed.waitReady(60_000);
      break;
    } catch {
      logger.info('still replaying the signal and bank topics');
    }
  }
  await stage.start();
  const index = indexReadiness(feed, runtime.config.INDEX_MAX_STALE_SECONDS);
  return { readiness: () => index() ?? stage.readiness() };
}

export function runMatcher(config: Config): Promise<RunningProcess> {
  return runPartAsProcess(config, 'matcher', (runtime) => startMatcher(runtime));
}
