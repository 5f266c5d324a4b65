/**
 * The signal and content types curation accepts, from the one registry in
 * src/signals/registry.ts, with HMA's messages around its validation.
 */
import { invalidInput, isHmaError } from '../errors/errors.js';
import { CONTENT_TYPES, SIGNAL_TYPE_NAMES, signalType as registered } from '../signals/registry.js';

export interface SignalTypeSpec {
  readonly name: string;
  /** Returns the canonical value, or throws an Error whose message is the reason. */
  readonly normalize: (value: string) => string;
}

/** The installed signal types: every registered one until the process composition narrows them (SIGNAL_TYPES). */
let installed: readonly string[] = SIGNAL_TYPE_NAMES;

export function installSignalTypes(names: readonly string[]): void {
  installed = SIGNAL_TYPE_NAMES.filter((n) => names.includes(n));
}

export const signalTypeNames = (): string[] => [...installed];
export const contentTypeNames = (): string[] => [...CONTENT_TYPES];

export function signalType(name: string): SignalTypeSpec | undefined {
  if (!installed.includes(name)) return undefined;
  const t = registered(name);
  return t ? { name: t.name, normalize: (v) => t.validate(v) } : undefined;
}

/** Validates one {type: value} pair: `No such signal type <t>` / `Invalid <t> signal: <reason>`. */
export function normalizeSignal(type: string, value: unknown): string {
  const spec = signalType(type);
  if (!spec) throw invalidInput(`No such signal type ${type}`);
  if (typeof value !== 'string') throw invalidInput(`Invalid ${type} signal: expected a string`);
  try {
    return spec.normalize(value);
  } catch (err) {
    const reason = isHmaError(err) || err instanceof Error ? err.message : String(err);
    throw invalidInput(`Invalid ${type} signal: ${reason}`);
  }
}
