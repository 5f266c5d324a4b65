/** video_md5 (videos): MD5 of the file's bytes, matched exactly. */
import { createHash } from 'node:crypto';
import { ExactIndex } from '../../index/exact-index.js';
import type { ByteDigest, SignalType } from '../types.js';
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
  hasher: { view: 'bytes', newDigest: () => md5Digest() },
};

/** MD5 of the bytes, lower-case hex: the form validateMd5 returns. */
export function md5Digest(): ByteDigest {
  const h = createHash('md5');
  return { update: (chunk) => void h.update(chunk), digest: () => h.digest('hex') };
}
