/**
 * Drops consecutive near-identical frames before a video's frames become its signal: a frame
 * is kept only if its hash is more than `maxDistance` bits from the last frame kept (so a slow
 * drift still yields a new frame once it has moved far enough). maxDistance 0 drops only exact
 * repeats, which changes nothing for the set-based vPDQ matchers; larger values shrink static
 * scenes further at some cost in matching fidelity.
 */
import { hammingDistance, hexToHash256, emptyHash256 } from '../pdq/hash256.js';
import type { VpdqFeature } from './feature.js';

export function dedupConsecutive<T extends Pick<VpdqFeature, 'hash'>>(frames: readonly T[], maxDistance: number): T[] {
  const kept: T[] = [];
  const last = emptyHash256();
  const current = emptyHash256();
  for (const f of frames) {
    hexToHash256(f.hash, current);
    if (kept.length > 0 && hammingDistance(last, current) <= maxDistance) continue;
    kept.push(f);
    last.set(current);
  }
  return kept;
}
