/**
 * The vPDQ signal string as python-threatexchange stores and exchanges it: a JSON array of
 * "hex,quality,timestamp" strings, timestamp formatted with Python's `{:.3}`, items separated
 * by ", " as Python's json.dumps does. Frame numbers are not part of it.
 */
import { invalidInput } from '../../errors/errors.js';
import type { PdqHex } from '../pdq/hash256.js';
import { formatPythonPrecision3 } from './format.js';

declare const vpdqBrand: unique symbol;
/** A canonical vPDQ signal string. */
export type VpdqSignal = string & { readonly [vpdqBrand]: true };

/** What matching needs of one frame. */
export interface VpdqCompactFeature {
  readonly hash: PdqHex;
  readonly quality: number;
  readonly timestamp: number;
}

export function featureToString(f: VpdqCompactFeature): string {
  return `${f.hash},${f.quality},${formatPythonPrecision3(f.timestamp)}`;
}

export function toVpdqSignal(features: readonly VpdqCompactFeature[]): VpdqSignal {
  return `[${features.map((f) => JSON.stringify(featureToString(f))).join(', ')}]` as VpdqSignal;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;
const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses one "hex,quality,timestamp" item with the reference's bounds and message. */
export function parseFeature(item: string): VpdqCompactFeature {
  const bad = () => invalidInput(`invalid VpdqCompactFeature serialization: ${item}`, { signal_type: 'vpdq' });
  const parts = item.split(',');
  if (parts.length !== 3) throw bad();
  const [hex, q, t] = parts.map((p) => p.trim());
  if (!HEX64.test(hex) || !INT.test(q) || !FLOAT.test(t)) throw bad();
  const quality = Number(q);
  const timestamp = Number(t);
  if (quality < 0 || quality > 100 || !(timestamp >= 0) || !Number.isFinite(timestamp)) throw bad();
  return { hash: hex.toLowerCase() as PdqHex, quality, timestamp };
}

/** Parses a signal string into features (an empty string means no frames, as in the reference). */
export function parseVpdqSignal(signal: string): VpdqCompactFeature[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(signal === '' ? '[]' : signal);
  } catch {
    throw invalidInput('invalid vpdq signal: not JSON', { signal_type: 'vpdq' });
  }
  if (!Array.isArray(parsed) || !parsed.every((s): s is string => typeof s === 'string')) {
    throw invalidInput('invalid vpdq signal: expected a JSON array of strings', { signal_type: 'vpdq' });
  }
  return parsed.map(parseFeature);
}

/**
 * Validates and normalises (lower-case hex, canonical number formats). A signal without
 * frames is refused: it could never match anything.
 */
export function validateVpdq(signal: string): VpdqSignal {
  const features = parseVpdqSignal(signal);
  if (features.length === 0) throw invalidInput('invalid vpdq signal: no frames', { signal_type: 'vpdq' });
  return toVpdqSignal(features);
}
