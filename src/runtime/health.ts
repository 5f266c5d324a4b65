/**
 * Readiness and /status details of a process, from what it depends on: its backing
 * services as the Runtime's probes see them, and its replica's state.
 */
import type { ReadinessCheck, StatusDetails } from './status.js';
import { downReason } from '../kafka/health.js';
import type { Runtime } from './runtime.js';

/** What readiness reads of a replica (src/replica/feed.ts): whether its replay is done, and how stale it may be. */
export interface ReplicaState {
  readonly ready: boolean;
  stalenessSeconds(): number | undefined;
}

/** KAFKA-UNAVAILABLE while the broker does not answer. */
export const kafkaReadiness = (runtime: Runtime): ReadinessCheck => () => runtime.health.kafkaProblem();

/** Why a part that is still connecting is not running: the service it waits for, if one is down. */
export function startingReason(runtime: Runtime, part: string): string {
  if (!runtime.health.kafka.available) return downReason.kafka;
  if (!runtime.health.registry.available) return downReason['schema-registry'];
  return `${part.toUpperCase()}-STARTING`;
}

/** HMA's index reasons: INDEX-NOT-LOADED until the replay is done, INDEX-STALE once the replica has not been current for too long. */
export function indexReadiness(feed: ReplicaState, maxStaleSeconds: number): ReadinessCheck {
  return () => {
    if (!feed.ready) return 'INDEX-NOT-LOADED';
    const stale = feed.stalenessSeconds();
    if (maxStaleSeconds > 0 && stale !== undefined && stale > maxStaleSeconds) return 'INDEX-STALE';
    return undefined;
  };
}

export function statusDetails(runtime: Runtime, feed?: ReplicaState): () => StatusDetails {
  return () => {
    const deps: Record<string, { up: boolean | null; since: string; reason?: string }> = {};
    for (const s of [runtime.health.kafka, runtime.health.registry]) {
      const { up, since, reason } = s.current;
      deps[s.service] = { up: up ?? null, since: new Date(since).toISOString(), ...(reason && up === false ? { reason } : {}) };
    }
    return {
      ...(feed ? { index_staleness_seconds: feed.stalenessSeconds() ?? null } : {}),
      dependencies: deps,
    };
  };
}
