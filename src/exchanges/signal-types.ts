/** The installed signal types, as curation validates them, seen through the framework's interface. */
import { signalType } from '../curation/signal-types.js';
import type { SignalTypes } from './types.js';

export const installedSignalTypes: SignalTypes = {
  has: (type) => signalType(type) !== undefined,
  normalize: (type, value) => {
    const spec = signalType(type);
    if (!spec) throw new Error(`signal type '${type}' is not installed`);
    return spec.normalize(value);
  },
};
