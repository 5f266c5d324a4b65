/** vPDQ (videos): per-frame PDQ hashes, matched by the share of frames matched both ways. */
import type { SignalType } from '../types.js';
import { combineVpdq, vpdqFrame } from './compute.js';
import { VpdqIndex } from './index.js';
import { matchVpdq, PYTX_VPDQ_MATCH } from './match.js';
import { parseVpdqSignal, validateVpdq } from './signal.js';

export const vpdqSignalType: SignalType<'vpdq'> = {
  name: 'vpdq',
  contentTypes: ['video'],
  hmaDefault: false,
  defaultThreshold: PYTX_VPDQ_MATCH.distance,
  // The threshold is per frame; a match's distance is the share of frames unmatched.
  distanceIsRadius: false,
  validate: validateVpdq,
  compare(a, b, threshold = PYTX_VPDQ_MATCH.distance) {
    const r = matchVpdq(parseVpdqSignal(a), parseVpdqSignal(b), { ...PYTX_VPDQ_MATCH, distance: threshold });
    return {
      match: r.isMatch,
      distance: null,
      detail: { query_match_percent: r.queryMatchPercent, compared_match_percent: r.comparedMatchPercent },
    };
  },
  hasher: { view: 'video-frames', computeFrame: vpdqFrame, combine: combineVpdq },
  newIndex: () => new VpdqIndex(),
};
