import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { ExactIndex } from '../../src/index/exact-index.js';
import { PdqIndex } from '../../src/index/pdq-index.js';
import { newIndexFor } from '../../src/processes/signal-types.js';
import { SIGNAL_TYPE_NAMES, signalType } from '../../src/signals/registry.js';
import { VpdqIndex } from '../../src/signals/vpdq/index.js';

describe('signal type registry', () => {
  it('each type makes its own, empty index', () => {
    expect(newIndexFor('pdq')).toBeInstanceOf(PdqIndex);
    expect(newIndexFor('video_md5')).toBeInstanceOf(ExactIndex);
    expect(newIndexFor('vpdq')).toBeInstanceOf(VpdqIndex);
    for (const name of SIGNAL_TYPE_NAMES) {
      const a = signalType(name)!.newIndex();
      expect(a.size).toBe(0);
      expect(a).not.toBe(signalType(name)!.newIndex());
    }
    expect(() => newIndexFor('nope')).toThrow("signal type 'nope' is not registered");
  });

  it('config SIGNAL_TYPES accepts exactly the registered names', () => {
    expect(loadConfig({ SIGNAL_TYPES: SIGNAL_TYPE_NAMES.join(',') }).SIGNAL_TYPES).toEqual([...SIGNAL_TYPE_NAMES]);
    expect(() => loadConfig({ SIGNAL_TYPES: 'pdq,tmk' })).toThrow(ConfigError);
  });
});
