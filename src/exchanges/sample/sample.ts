/**
 * `sample`: the static example signals, one batch, no auth. Like HMA's NoCheckpointing
 * API it always serves everything, so the fetcher fetches it once.
 */
import type { ExchangeType } from '../types.js';
import { toUpdate, typedKey } from '../signals.js';
import { unsupported } from '../errors.js';
import { SAMPLE_SIGNALS } from './examples.js';

type NoCheckpoint = Record<string, never>;

export const sampleExchange: ExchangeType<Record<string, never>, null, NoCheckpoint> = {
  name: 'sample',
  configFields: [],
  credentialFields: null,
  fetchOnce: true,
  feedbackKinds: [],
  parseConfig: () => ({}),
  parseCredentials: () => null,
  parseCheckpoint: () => ({}),
  checkpointJson: () => ({}),
  progress: () => null,
  isStale: () => true,
  async *fetch(_config, _creds, _checkpoint, ctx) {
    const updates = Object.entries(SAMPLE_SIGNALS).flatMap(([type, values]) =>
      ctx.signalTypes.has(type) ? values.map((v) => toUpdate(typedKey(type, v), [[type, v]], {}, ctx.signalTypes)) : [],
    );
    yield { updates, checkpoint: {} };
  },
  sendFeedback: async () => {
    throw unsupported('the sample exchange takes no feedback');
  },
};
