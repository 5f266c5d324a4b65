/**
 * `hma matcher`: a consumer group on content.hashed with its own replica of the
 * banks and signals; it consumes only once the replica has replayed the compacted
 * topics, and produces exactly one match result per hashed content.
 */
import type { Config } from '../../config/config.js';
import type { ContentHashedValue } from '../../kafka/values.js';
import { log } from '../../observability/logger.js';
import { indexReadiness } from '../../runtime/health.js';
import { startMatching, type Matching } from '../../processes/matching.js';
import type { Runtime } from '../../runtime/runtime.js';
import { malformedEvent } from '../deadletter/reasons.js';
import { runPartAsProcess, type RunningProcess, type StartedPart } from '../stage/process.js';
import { Stage } from '../stage/stage.js';
import { matchContent } from './match-content.js';
import { matcherMetrics } from './metrics.js';

export function validateHashed(v: ContentHashedValue): void {
  if (v.submission_id === '') throw malformedEvent('content.hashed event without a submission_id');
  if (v.content_id === '') throw malformedEvent('content.hashed event without a content_id');
}

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
      return [{ topic: 'match.results', key: hashed.content_id, value: result }];
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
