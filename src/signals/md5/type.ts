/** video_md5 (videos): MD5 of the file's bytes, matched exactly. */
import { ExactIndex } from '../../index/exact-index.js';
import type { SignalType } from '../types.js';
import { validateMd5 } from './md5.js';

export const videoMd5SignalType: SignalType<'video_md5'> = {
  name: 'video_md5',
  contentTypes: ['video'],
  hmaDefault: true,
  defaultThreshold: null,
  validate: validateMd5,
  compare(a, b) {
    return { match: validateMd5(a) === validateMd5(b), distance: null };
  },
  newIndex: () => new ExactIndex(),
};
