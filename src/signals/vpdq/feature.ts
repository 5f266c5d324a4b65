/** One hashed video frame, and the frame-selection and timestamp rules of the reference (docs/reference/pdq.md §8.1). */
import type { PdqHex } from '../pdq/hash256.js';

export interface VpdqFeature {
  /** 0-based index of the decoded frame, in decoder output order. */
  readonly frame: number;
  readonly quality: number;
  readonly hash: PdqHex;
  /** Seconds: f32(frame) / f32(fps), a float32 division. */
  readonly timestamp: number;
}

/**
 * Every how many decoded frames one is hashed: trunc(secondsPerHash · fps), at least 1.
 * secondsPerHash = 0 hashes every frame (the C++ tool's default); python-threatexchange uses 1.
 */
export function frameInterval(secondsPerHash: number, fps: number): number {
  const mod = Math.trunc(secondsPerHash * fps);
  return mod > 0 ? mod : 1;
}

export function frameTimestamp(frame: number, fps: number): number {
  return Math.fround(Math.fround(frame) / Math.fround(fps));
}
