/** The installed signal types, seen through the exchange framework's interface. */
import type { SignalTypeRegistry } from '../signals/registry.js';
import type { SignalTypes } from './types.js';

export function exchangeSignalTypes(types: SignalTypeRegistry): SignalTypes {
  return {
    has: (type) => types.get(type) !== undefined,
    normalize: (type, value) => {
      const t = types.get(type);
      if (!t) throw new Error(`signal type '${type}' is not installed`);
      return t.validate(value);
    },
  };
}
