/**
 * The signal types a matching process indexes (config SIGNAL_TYPES), and how
 * each is validated, compared and indexed — all from the signal registry.
 */
import type { Config } from '../config/config.js';
import { ExactIndex } from '../index/exact-index.js';
import { PdqIndex } from '../index/pdq-index.js';
import type { SignalTypeRule } from '../matching/lookup-service.js';
import type { ReplicaIndex } from '../replica/replica.js';
import { VpdqReplicaIndex } from '../replica/vpdq-index.js';
import { signalType } from '../signals/registry.js';

export function signalTypeRules(config: Config): Map<string, SignalTypeRule> {
  const rules = new Map<string, SignalTypeRule>();
  for (const name of config.SIGNAL_TYPES) {
    const type = signalType(name);
    if (!type) continue;
    const exact = type.defaultThreshold === null;
    rules.set(name, {
      normalize: (v) => type.validate(v),
      exact,
      defaultThreshold: exact ? 0 : config.PDQ_MATCH_THRESHOLD,
      maxThreshold: exact ? 0 : config.PDQ_MAX_THRESHOLD,
      compare: (a, b) => type.compare(a, b, exact ? undefined : config.PDQ_MATCH_THRESHOLD),
    });
  }
  return rules;
}

export function newIndexFor(name: string): ReplicaIndex {
  if (name === 'pdq') return new PdqIndex();
  if (name === 'vpdq') return new VpdqReplicaIndex();
  return new ExactIndex();
}
