/**
 * The signal types a matching process indexes, and how each is validated,
 * compared and indexed. Validation is curation's (one place for HMA's rules).
 */
import type { Config } from '../config/config.js';
import { signalType, signalTypeNames } from '../curation/signal-types.js';
import { ExactIndex } from '../index/exact-index.js';
import { PdqIndex } from '../index/pdq-index.js';
import type { SignalTypeRule } from '../matching/lookup-service.js';
import type { ReplicaIndex } from '../replica/replica.js';
import { hammingDistanceHex } from '../signals/pdq/hash256.js';

/** Similarity types with a distance; every other installed type matches exactly. */
const isPdq = (name: string) => name === 'pdq';

export function signalTypeRules(config: Config): Map<string, SignalTypeRule> {
  const rules = new Map<string, SignalTypeRule>();
  for (const name of signalTypeNames()) {
    const spec = signalType(name);
    if (!spec) continue;
    rules.set(name, {
      normalize: spec.normalize,
      exact: !isPdq(name),
      defaultThreshold: isPdq(name) ? config.PDQ_MATCH_THRESHOLD : 0,
      maxThreshold: isPdq(name) ? config.PDQ_MAX_THRESHOLD : 0,
      distance: isPdq(name) ? hammingDistanceHex : (a, b) => (a === b ? 0 : 1),
    });
  }
  return rules;
}

export function newIndexFor(name: string): ReplicaIndex {
  return isPdq(name) ? new PdqIndex() : new ExactIndex();
}
