/**
 * vPDQ computed from decoded frames: PDQ of each selected frame (in a hash process), then the
 * signal from those of sufficient quality, consecutive near-duplicates dropped.
 */
import { pdqOfPixels } from '../pdq/compute.js';
import type { PdqHex } from '../pdq/hash256.js';
import type { ComputedSignal, FrameValue, HashedFrame, HashParams, PixelImage, VideoFacts } from '../types.js';
import { dedupConsecutive } from './dedup.js';
import type { VpdqFeature } from './feature.js';
import { toVpdqSignal } from './signal.js';

/** What `detail` of a computed vpdq holds (the engine's built-in vpdq result reads it). */
export interface VpdqDetail {
  /** The frames in the value, with their frame numbers. */
  readonly frames: readonly VpdqFeature[];
  /** Frames decoded and hashed before filtering. */
  readonly framesHashed: number;
  readonly fps: number;
  readonly width: number;
  readonly height: number;
}

export function vpdqFrame(frame: PixelImage): FrameValue {
  const { hash, quality } = pdqOfPixels(frame, 'fullres');
  return { value: hash, quality };
}

export function combineVpdq(frames: readonly HashedFrame[], video: VideoFacts, params: HashParams): ComputedSignal {
  const features = frames.map((f): VpdqFeature => ({ frame: f.frame, quality: f.quality, hash: f.value as PdqHex, timestamp: f.timestamp }));
  const kept = dedupConsecutive(
    features.filter((f) => f.quality >= params.minQuality),
    params.dedupDistance,
  );
  const detail: VpdqDetail = { frames: kept, framesHashed: frames.length, ...video };
  return { value: toVpdqSignal(kept), quality: null, meetsMinQuality: kept.length > 0, detail: { ...detail } };
}
