/**
 * Match thresholds: the bounds of each installed signal type (one place, used by the lookup
 * rules and by bank settings) and the validation of a bank's per-type thresholds
 * (`match_thresholds`, e.g. {"pdq": 20}).
 */
import type { Config } from '../config/config.js';
import { invalidInput } from '../errors/errors.js';
import { signalTypeRegistry } from '../signals/registry.js';

export interface ThresholdBounds {
  /** The lookup's threshold when neither the request nor the bank gives one. */
  readonly default: number;
  /** The widest threshold a request or a bank may ask for. */
  readonly max: number;
}

/** Per installed signal type: its bounds, or null for exact types (no distance, no threshold). */
export type ThresholdLimits = ReadonlyMap<string, ThresholdBounds | null>;

export function thresholdLimits(config: Pick<Config, 'SIGNAL_TYPES' | 'PDQ_MATCH_THRESHOLD' | 'PDQ_MAX_THRESHOLD'>): ThresholdLimits {
  const types = signalTypeRegistry(config.SIGNAL_TYPES);
  const limits = new Map<string, ThresholdBounds | null>();
  for (const name of types.names) {
    const exact = types.get(name)?.defaultThreshold === null;
    limits.set(name, exact ? null : { default: config.PDQ_MATCH_THRESHOLD, max: config.PDQ_MAX_THRESHOLD });
  }
  return limits;
}

/**
 * A bank's thresholds from client input: an object of installed, distance-based signal types to
 * integers within the type's bounds. An empty object clears them.
 */
export function parseMatchThresholds(raw: unknown, limits: ThresholdLimits, field = 'match_thresholds'): Record<string, number> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidInput(`${field} must be an object of signal type to threshold, e.g. {"pdq": 20}`);
  }
  const out: Record<string, number> = {};
  for (const [type, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!limits.has(type)) throw invalidInput(`${field}: no such signal type '${type}'`);
    const bounds = limits.get(type);
    if (!bounds) throw invalidInput(`${field}: '${type}' is matched exactly and takes no threshold`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > bounds.max) {
      throw invalidInput(`${field}.${type} must be an integer from 0 to ${bounds.max}`);
    }
    out[type] = value;
  }
  return out;
}
