/** PDQ (photos): 256-bit perceptual hash, matched within a Hamming distance. */
import { PdqIndex } from '../../index/pdq-index.js';
import type { SignalType } from '../types.js';
import { computePdq } from './compute.js';
import { hammingDistanceHex } from './hash256.js';
import { validatePdq } from './validate.js';

export const pdqSignalType: SignalType<'pdq'> = {
  name: 'pdq',
  contentTypes: ['photo'],
  hmaDefault: true,
  defaultThreshold: 31,
  validate: validatePdq,
  compare(a, b, threshold = 31) {
    const distance = hammingDistanceHex(a, b);
    return { match: distance <= threshold, distance };
  },
  hasher: { view: 'photo-pixels', compute: computePdq },
  newIndex: () => new PdqIndex(),
};
