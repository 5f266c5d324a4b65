/** HMA's messages around the validation of a signal by the installed signal types (src/signals/registry.ts). */
import { invalidInput, isHmaError } from '../errors/errors.js';
import type { SignalTypeRegistry } from '../signals/registry.js';

/** Validates one {type: value} pair: `No such signal type <t>` / `Invalid <t> signal: <reason>`. */
export function normalizeSignal(types: SignalTypeRegistry, type: string, value: unknown): string {
  const spec = types.get(type);
  if (!spec) throw invalidInput(`No such signal type ${type}`);
  if (typeof value !== 'string') throw invalidInput(`Invalid ${type} signal: expected a string`);
  try {
    return spec.validate(value);
  } catch (err) {
    const reason = isHmaError(err) || err instanceof Error ? err.message : String(err);
    throw invalidInput(`Invalid ${type} signal: ${reason}`);
  }
}
