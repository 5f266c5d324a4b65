/**
 * The signal and content types curation accepts, and how a signal value is validated.
 * Until src/signals exposes its registry this holds the two built-in types of HMA's
 * default store; it is the one place to switch to that registry.
 */
import { invalidInput } from '../errors/errors.js';

export interface SignalTypeSpec {
  readonly name: string;
  /** Returns the canonical value, or throws an Error whose message is the reason. */
  readonly normalize: (value: string) => string;
}

const pdq: SignalTypeSpec = {
  name: 'pdq',
  // HMA accepts exactly 64 lowercase hex characters; no normalization.
  normalize: (v) => {
    if (!/^[0-9a-f]{64}$/.test(v)) throw new Error('invalid PDQ hash');
    return v;
  },
};

const videoMd5: SignalTypeSpec = {
  name: 'video_md5',
  normalize: (v) => {
    const n = v.trim().toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(n)) throw new Error('invalid MD5 hash');
    return n;
  },
};

const installed: ReadonlyMap<string, SignalTypeSpec> = new Map([pdq, videoMd5].map((t) => [t.name, t]));

export const signalTypeNames = (): string[] => [...installed.keys()];
export const contentTypeNames = (): string[] => ['photo', 'video'];

export function signalType(name: string): SignalTypeSpec | undefined {
  return installed.get(name);
}

/** Validates one {type: value} pair with HMA's messages. */
export function normalizeSignal(type: string, value: unknown): string {
  const spec = installed.get(type);
  if (!spec) throw invalidInput(`No such signal type ${type}`);
  if (typeof value !== 'string') throw invalidInput(`Invalid ${type} signal: expected a string`);
  try {
    return spec.normalize(value);
  } catch (err) {
    throw invalidInput(`Invalid ${type} signal: ${err instanceof Error ? err.message : String(err)}`);
  }
}
