/**
 * The signal types a matching process indexes (config SIGNAL_TYPES), and how
 * each is validated, compared and indexed — all from the signal registry.
 */
import type { Config } from '../config/config.js';
import type { SignalIndex } from '../index/types.js';
import type { SignalTypeRule } from '../matching/lookup-service.js';
import { signalType } from '../signals/registry.js';
import { thresholdLimits } from '../curation/thresholds.js';

export function signalTypeRules(config: Config): Map<string, SignalTypeRule> {
  const rules = new Map<string, SignalTypeRule>();
  const limits = thresholdLimits(config);
  for (const name of config.SIGNAL_TYPES) {
    const type = signalType(name);
    if (!type) continue;
    const bounds = limits.get(name) ?? null;
    rules.set(name, {
      normalize: (v) => type.validate(v),
      exact: bounds === null,
      defaultThreshold: bounds?.default ?? 0,
      maxThreshold: bounds?.max ?? 0,
      compare: (a, b) => type.compare(a, b, bounds?.default),
      distanceIsRadius: type.distanceIsRadius ?? true,
    });
  }
  return rules;
}

/** A new, empty index for an installed signal type: the type makes its own. */
export function newIndexFor(name: string): SignalIndex {
  const type = signalType(name);
  if (!type) throw new Error(`signal type '${name}' is not registered`);
  return type.newIndex();
}
